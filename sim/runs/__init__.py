"""Runs: planning (baseline and counterfactuals), the ensemble, streamed statistics, paired effects, routes, summaries and validation against GDELT."""

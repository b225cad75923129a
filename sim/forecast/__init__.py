"""Forecasting against observed data: the observation model (model state -> observed GDELT
dyad score), proper scores, baselines and the rolling-origin backtest (issue 13)."""

"""Calibration of the escalation layer on coded event counts (issue 21): the data's dyad-days
and onsets per rung class (``icews``), the observation model from model acts to coded
dyad-days (``bridge``), simulated counts (``simulate``), the posterior and its
simulation-based calibration (``infer``) and reply statistics (``replies``)."""

"""Report figures: pure functions from DataFrames/dicts to matplotlib Figures.

No file I/O happens here.  Figures are built with `matplotlib.figure.Figure`
directly (not pyplot) so nothing is kept in a global registry; callers should
wrap calls in `style.style_context()`.  One module per kind of figure:
`fans`, `incidence`, `network`, `gdelt` for every run; `routes`, `paired`
(counterfactual differences) and `attribution` where the run has those data;
`events` (numbering and markers) and `base` are shared.
"""

# Names of the figure files the run report writes; a paired-difference figure per
# counterfactual adds a suffix when there are several.
FIGURE_NAMES = (
    "fan_tension",
    "fan_cooperation",
    "fan_net_relation",
    "incidence",
    "network",
    "gdelt",
    "routes",
    "paired_difference",
    "attribution",
)

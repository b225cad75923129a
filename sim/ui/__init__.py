"""``triad-explore``: an interactive explorer in the browser (Solara), served on localhost.

``scenario`` (the controls' state, the experiment YAML), ``compute`` (the engine, in
process), ``figures`` (fan charts), ``app`` (the Solara page), ``server`` (the command).
Needs the ``explore-ui`` extra; nothing here is imported by the rest of triad.
"""

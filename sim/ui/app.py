"""``triad-explore``'s page (Solara): controls on the left, numbers and fans on the right.

Every control edits one immutable ``Scenario`` (``sim/ui/scenario.py``); a change starts
the simulation in a thread (``solara.use_thread``: a newer change supersedes a waiting
one) and the page keeps showing the last result until the new one is there. The numbers
are the command line's (``sim/ui/compute.py``); the save button writes the scenario as an
experiment the command line runs (``triad --config-dir DIR experiment=NAME``).
"""
from __future__ import annotations

import dataclasses
import html
import time

import solara

from sim.ui import options
from sim.ui.scenario import (
    SCALE_MAX,
    SHIFT_DAYS,
    EventChoice,
    Knob,
    SaveError,
    Scenario,
    all_entries,
    knob,
    main_knobs,
    save,
)

CSS = """
.triad-num { font-variant-numeric: tabular-nums; text-align: right; padding: 0 6px; }
.triad-table { border-collapse: collapse; font-size: 12px; }
.triad-table th, .triad-table td { border-bottom: 1px solid #ddd; padding: 1px 6px; }
.triad-table th { background: #f4f4f4; }
.triad-event { font-size: 12px; margin: 0; line-height: 1.1; }
.triad-controls .v-input { margin-top: 0 !important; padding-top: 0 !important; }
.triad-controls .v-messages { display: none; }
"""


def _decimals(step: float) -> int:
    return max(0, len(f"{step:.10f}".rstrip("0").split(".")[1]))


def render(sc: Scenario, canvases: dict, shown: tuple[str, ...] | None = None, sims: dict | None = None) -> dict:
    """Simulate and draw (in the session's worker thread): the outcome and the two PNG fans
    of the ``shown`` dyads (default: the report's choice, sim/report/dyads.py), drawn into
    the session's figures (``canvases``), which are made once. ``sims`` keeps the last
    simulation, so choosing other dyads only draws again."""
    from sim.errors import TriadError
    from sim.report import dyads
    from sim.ui import compute, figures

    t0 = time.perf_counter()
    key = repr(dataclasses.replace(sc, name=""))
    sims = {} if sims is None else sims
    if key not in sims:
        sims.clear()
        try:
            sims[key] = compute.simulate(sc, compute.base_config()[0])
        except TriadError as exc:  # the page shows the one line; the server console gets no traceback (L2)
            return {"error": str(exc)}
    full = sims[key]
    default = dyads.shown(full.dyads, {"scenarios": full.scenarios})
    out = compute.select(full, shown or default)
    t1 = time.perf_counter()
    pngs = {}
    for var in compute.VARIABLES:
        key = (var, len(out.dyads), str(out.dates[0]), str(out.dates[-1]))
        fig = canvases.get(key) or figures.new_figure(out.dates, len(out.dyads))
        canvases[key] = fig
        pngs[var] = figures.png(figures.draw(fig, out, var))
    t2 = time.perf_counter()
    return {"out": out, "all_dyads": full.dyads, "png": pngs, "seconds": t2 - t0, "simulate": t1 - t0,
            "draw": t2 - t1}


def _p_cell(key: str, value: float, lo: float | None = None, hi: float | None = None) -> str:
    title = f' title="95% interval [{lo:.3f}, {hi:.3f}]"' if lo is not None else ""
    return f'<td class="triad-num" data-key="{html.escape(key)}" data-value="{value!r}"{title}>{value:.3f}</td>'


def headline_html(out) -> str:
    """P(rung ≥ k) at the end per dyad: factual, counterfactual and their paired difference,
    by any act and by the model's own (endogenous) acts. Each number carries
    ``data-key="SCENARIO|DYAD|any|K"`` (scenario ``diff`` for the difference)."""
    rows = []
    head = "".join(f"<th>k={k}</th>" for k in range(1, 7))
    names = [("baseline", "factual")] + ([(out.cf_name, "counterfactual")] if out.cf_name else [])
    for dyad in out.dyads:
        for origin in ("any", "endogenous"):
            for name, label in names:
                p = out.scenarios[name][dyad]["p_rung_at_least"]
                p = p if origin == "any" else p["endogenous"]
                cells = "".join(_p_cell(f"{name}|{dyad}|{origin}|{k}", p[str(k)]["p"], p[str(k)]["lo"], p[str(k)]["hi"])
                                for k in range(1, 7))
                rows.append(f"<tr><td>{dyad}</td><td>{origin}</td><td>{label}</td>{cells}</tr>")
            if out.cf_name:
                e = out.counterfactual["effects"][dyad]["p_rung_at_least"][out.end]
                e = e if origin == "any" else e["endogenous"]
                cells = "".join(_p_cell(f"diff|{dyad}|{origin}|{k}", e[str(k)]["diff"], e[str(k)]["lo"], e[str(k)]["hi"])
                                for k in range(1, 7))
                rows.append(f"<tr><td>{dyad}</td><td>{origin}</td><td>difference</td>{cells}</tr>")
    ten = "; ".join(f"{d} {out.scenarios['baseline'][d]['tension_end']['q50']:.3f}" for d in out.dyads)
    return (f"<div>P(rung ≥ k by {out.end}), {out.replicates} replicates, seed {out.seed} "
            "(hover a number for its 95 % interval)</div>"
            f'<table class="triad-table"><tr><th>dyad</th><th>acts</th><th>scenario</th>{head}</tr>'
            + "".join(rows) + f"</table><div>Factual median tension on {out.end}: {ten}</div>")


@solara.component
def KnobSlider(k: Knob, sc: solara.Reactive):
    value = sc.value.values.get(k.entry, k.value)

    def set_value(v: float) -> None:
        v = round(float(v), _decimals(k.step) + 1)
        vals = {e: x for e, x in sc.value.values.items() if e != k.entry}
        if abs(v - k.value) > k.step / 2:
            vals[k.entry] = v
        sc.set(dataclasses.replace(sc.value, values=vals))

    with solara.Tooltip(k.help):
        with solara.Div():
            solara.SliderFloat(f"{k.label} [{k.row.unit}]", value=value, min=k.lo, max=k.hi, step=k.step,
                               on_value=set_value, thumb_label=False)
            solara.Text(f"{value:g} (default {k.value:g})", style={"font-size": "11px", "color": "#555"})


@solara.component
def EventRow(ev, sc: solara.Reactive, removed_by: str | None = None):
    """One event's switches; ``removed_by``: the removed anchor that removes this event too
    (shown unticked and disabled until the anchor is ticked again)."""
    c = sc.value.events.get(ev.id, EventChoice())

    def update(**kw) -> None:
        new = dataclasses.replace(c, **kw)
        events = {i: x for i, x in sc.value.events.items() if i != ev.id}
        if new.changed:
            events[ev.id] = new
        sc.set(dataclasses.replace(sc.value, events=events))

    anchored = f" (anchored to {ev.anchor})" if ev.anchor else ""
    with solara.Tooltip(f"{ev.summary}{anchored} CAMEO {ev.cameo}, {ev.source}→{ev.target}. Removing an event "
                        "removes the events anchored to it."):
        with solara.Div(classes=["triad-event"]):
            if removed_by is not None:
                solara.Checkbox(label=f"{ev.date} {ev.id} (removed with {removed_by})", value=False, disabled=True)
            else:
                solara.Checkbox(label=f"{ev.date} {ev.id}", value=c.keep, on_value=lambda v: update(keep=bool(v)))
            with solara.Row(style={"padding-left": "32px"}):
                solara.SliderInt(f"shift {c.shift:+d} d", value=c.shift, min=-SHIFT_DAYS, max=SHIFT_DAYS, step=1,
                                 on_value=lambda v: update(shift=int(v)), thumb_label=True)
                solara.SliderFloat(f"scale {c.scale:g}x", value=c.scale, min=0.0, max=SCALE_MAX, step=0.1,
                                   on_value=lambda v: update(scale=round(float(v), 2)), thumb_label=True)


@solara.component
def Controls(sc: solara.Reactive, spec):
    extra, set_extra = solara.use_state(())
    adding, set_adding = solara.use_state(None)
    knobs = main_knobs(spec) + [knob(spec, e) for e in extra]
    with solara.Card("Ensemble", classes=["triad-controls"]):
        solara.SliderInt("replicates", value=sc.value.replicates, min=20, max=1000, step=20,
                         on_value=lambda v: sc.set(dataclasses.replace(sc.value, replicates=int(v))), thumb_label="always")
        solara.Div(style={"height": "10px"})
        solara.InputInt("seed", value=sc.value.seed,
                        on_value=lambda v: sc.set(dataclasses.replace(sc.value, seed=max(0, int(v or 0)))))
    with solara.Card("Parameters", classes=["triad-controls"]):
        solara.Switch(label="changes apply to the counterfactual only (as `set` ops)",
                      value=sc.value.params_in_counterfactual,
                      on_value=lambda v: sc.set(dataclasses.replace(sc.value, params_in_counterfactual=bool(v))))
        for k in knobs:
            KnobSlider(k, sc)
        shown = {k.entry for k in knobs}

        def add(e):
            if e and e not in shown:
                set_extra(extra + (e,))
            set_adding(None)

        solara.Select("add a parameter (sim/params.py)", values=[e for e in all_entries(spec) if e not in shown],
                      value=adding, on_value=add)
        solara.Button("reset parameters", text=True,
                      on_click=lambda: sc.set(dataclasses.replace(sc.value, values={})))
    with solara.Card("Events of the article (counterfactual)", classes=["triad-controls"]):
        cascade = sc.value.removed_with_anchor(spec.settings.events)
        for ev in spec.settings.events:
            EventRow(ev, sc, cascade.get(ev.id))
        solara.Button("reset events", text=True, on_click=lambda: sc.set(dataclasses.replace(sc.value, events={})))


@solara.component
def SaveBox(sc: solara.Reactive, timeline):
    directory, set_directory = solara.use_state(options.save_dir())
    message, set_message = solara.use_state(("", ""))

    def do_save():
        try:
            path = save(sc.value, timeline, directory)
        except SaveError as exc:
            set_message(("error", str(exc)))
            return
        set_message(("ok", f"saved {path}; run it with: triad --config-dir {path.parent.parent} "
                           f"experiment={sc.value.name}"))

    with solara.Card("Save as an experiment", classes=["triad-controls"]):
        solara.InputText("directory (the file goes to DIR/experiment/NAME.yaml)", value=directory,
                         on_value=set_directory)
        solara.InputText("name", value=sc.value.name,
                         on_value=lambda v: sc.set(dataclasses.replace(sc.value, name=v.strip())))
        solara.Button("save experiment YAML", on_click=do_save, color="primary", classes=["triad-save"])
        kind, text = message
        if kind == "ok":
            solara.Success(text, classes=["triad-saved"])
        elif kind == "error":
            solara.Error(text, classes=["triad-save-error"])


@solara.component
def Page():
    from sim.ui import compute

    solara.Title("triad explorer")
    solara.Style(CSS)
    plain, spec = compute.base_config()
    sc = solara.use_reactive(Scenario(seed=int(plain["ensemble"]["seed"])))
    # the name labels the counterfactual only: renaming does not simulate again
    key = repr(dataclasses.replace(sc.value, name=""))
    canvases = solara.use_memo(dict, [])
    sims = solara.use_memo(dict, [])
    shown, set_shown = solara.use_state(())  # the dyad selector's choice (empty: the default choice)
    result = solara.use_thread(lambda: render(sc.value, canvases, shown, sims), dependencies=[key, shown],
                               intrusive_cancel=False)
    with solara.Columns([1, 2.4]):
        with solara.Column():
            Controls(sc, spec)
            SaveBox(sc, spec.settings.events)
        with solara.Column():
            busy = result.state in (solara.ResultState.RUNNING, solara.ResultState.STARTING,
                                    solara.ResultState.WAITING)
            solara.ProgressLinear(busy)
            r = result.value
            error = result.error if result.error is not None else (r or {}).get("error")
            if error is not None:
                solara.Error(f"triad: error: {error}", classes=["triad-error"])
                if r is not None and "error" in r:
                    return
            if r is None:
                solara.Info("simulating…")
                return
            out = r["out"]
            solara.Text(f"updated in {r['seconds']:.2f} s (simulation {r['simulate']:.2f} s, figures {r['draw']:.2f} s; "
                        f"{out.replicates} replicates x {1 + bool(out.cf_name)} scenario(s))", classes=["triad-timing"])
            if out.counterfactual:
                # plain text: solara.Markdown would fetch KaTeX, which solara-assets does not carry
                solara.Text(out.counterfactual["answer"], classes=["triad-answer"])
            if len(r["all_dyads"]) > 3:
                solara.SelectMultiple("dyads shown (table and fans)", values=list(out.dyads),
                                      all_values=list(r["all_dyads"]), on_value=lambda v: set_shown(tuple(v)),
                                      classes=["triad-dyads"])
            solara.HTML(tag="div", unsafe_innerHTML=headline_html(out), classes=["triad-headline"])
            for var in compute.VARIABLES:
                solara.Image(r["png"][var], format="png", width="100%", classes=[f"triad-fan-{var}"])

"""The plotted report of a triad run directory (``sim.report.build_report``).

`build_report(run_dir)` reads the engine's outputs (stats.parquet,
incidence.parquet, summary.json, events.json, manifest.json, config.yaml),
writes figures/NAME.{png,svg,pdf} (the formats of the config's `report.format`,
sized for `report.paper`), and one self-contained report.html.  `main` is the `triad-report DIR` console entry.

Layout: `html` and `html_cf` hold the sections of the run report, `page` the
HTML page every report is (run, exploration, sweep), `markup` the small HTML
builders, `figures/` one module per kind of figure, `explore` the exploration
report, `style` the palette and matplotlib style.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Callable, Sequence

import pandas as pd

from sim.config import safeyaml
from sim.config.report import report_options
from sim.errors import TriadError
from sim.io.atomic import atomic_write_bytes
from sim.report import dyads, figcache, style
from sim.report import html as H
from sim.report.figures import FIGURE_NAMES, attribution, fans, gdelt, incidence, network, paired, routes
from sim.report.figures.base import FORMATS, freeze_layout, render
from sim.report.figures.events import number_events
from sim.report.markup import esc
from sim.runs.validation import gdelt_monthly, monthly_means

__all__ = ["build_report", "ReportError"]


class ReportError(TriadError):
    """The run directory is missing or unreadable; the CLI prints and exits 2."""


# --------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------

def _read_json(path: Path, default: Any) -> Any:
    if not path.is_file():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None


def _read_parquet(path: Path, required: bool) -> pd.DataFrame | None:
    if not path.is_file():
        if required:
            raise ReportError(f"{path} not found (is this a triad run directory?)")
        return None
    return report_columns(pd.read_parquet(path))


def report_columns(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` (changed in place) as the figures read it: dates as datetimes, names as str."""
    if "date" in df.columns:
        df["date"] = pd.to_datetime(df["date"])
    for col in ("scenario", "source", "target", "variable", "dyad", "route"):
        if col in df.columns:
            df[col] = df[col].astype(str)
    return df


def load_gdelt_monthly() -> pd.DataFrame | None:
    """Packaged GDELT monthly dyad scores (index month, our dyad names); None if absent."""
    try:
        return gdelt_monthly()
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return None


def model_monthly_net_relation(stats: pd.DataFrame) -> pd.DataFrame:
    """Monthly mean of the daily mean net relation, first (baseline) scenario (the months
    averaged as in the run's validation, `sim.runs.validation.monthly_means`)."""
    df = stats[stats["variable"] == "net_relation"]
    if df.empty:
        return pd.DataFrame()
    df = df[df["scenario"] == style.order_scenarios(df["scenario"])[0]]
    df = df.assign(dyad=[style.dyad_name(a, b) for a, b in zip(df["source"], df["target"])])
    return monthly_means(df.pivot_table(index="date", columns="dyad", values="mean", aggfunc="mean"))


def load_run(run_dir: Path) -> dict:
    """Read every input file; only stats.parquet is mandatory."""
    events = _read_json(run_dir / "events.json", [])
    if isinstance(events, dict):  # tolerate {"events": [...]}
        events = events.get("events", [])
    stats = _read_parquet(run_dir / "stats.parquet", required=True)
    incid = _read_parquet(run_dir / "incidence.parquet", required=False)
    config = run_dir / "config.yaml"
    scenarios = set(stats["scenario"]) | (set(incid["scenario"]) if incid is not None else set())
    run = {
        "stats": stats,
        "incidence": incid,
        "summary": _read_json(run_dir / "summary.json", {}),
        "events": number_events([e for e in events if isinstance(e, dict)]),
        "config_text": config.read_text(encoding="utf-8") if config.is_file() else None,
        "scenarios": style.order_scenarios(scenarios),
        "routes": _read_parquet(run_dir / "routes.parquet", required=False),
        "effects": _read_parquet(run_dir / "effects.parquet", required=False),
    }
    return dyads.restrict(run, _wanted_dyads(run["config_text"]))


def _wanted_dyads(config_text: str | None) -> list[str] | None:
    """``report.dyads`` of the run's config.yaml (checked when the run was configured)."""
    try:
        tree = safeyaml.load(config_text, "config.yaml") if config_text else None
    except TriadError:
        return None
    block = tree.get("report") if isinstance(tree, dict) else None
    wanted = block.get("dyads") if isinstance(block, dict) else None
    return [str(d) for d in wanted] if isinstance(wanted, list) else None


# --------------------------------------------------------------------------
# Figures and captions
# --------------------------------------------------------------------------

def _event_key(events: Sequence[dict]) -> str:
    if not events:
        return "No events were supplied."
    key = "; ".join(f"{e['n']} = {esc(e.get('id'))}" for e in events)
    return (f"Event markers (numbers on top of each panel; key: {key}) are drawn only on the panel of the "
            "dyad the event concerns: a thin line at a day-precise date, a grey span over the window "
            "when the date is known only to the month or year. Events outside the horizon are not "
            "marked. Details are in the event timeline table.")


def _scen_note(run: dict, bands: bool = True) -> str:
    s = run["scenarios"]
    if len(s) <= 1:
        return f"Scenario: {esc(s[0] if s else 'none')}."
    if not bands:
        return f"Scenarios: {esc(', '.join(s))}; the first solid, the others dashed/dotted."
    return (f"Scenarios: {esc(', '.join(s))}; the first is drawn solid with filled bands, the others "
            "with darker dashed/dotted medians and lighter bands whose edges (q05, q95) are traced.")


def _figure_specs(run: dict) -> list[tuple[str, Callable[[], Any], str]]:
    """(name, figure builder, caption HTML) for every figure to produce."""
    stats, events, summary = run["stats"], run["events"], run["summary"]
    fan = ("Solid/dashed median line, dark band = middle 50% of replicates (q25–q75), "
           "light band = 90% (q05–q95). ")
    specs = [
        ("fan_tension", lambda: fans.fan_tension(stats, events),
         dyads.note(run) + "Tension per dyad (0 = calm, 1 = maximal), one panel per dyad, daily across replicates. "
         + fan + _scen_note(run) + " " + _event_key(events)),
        ("fan_cooperation", lambda: fans.fan_cooperation(stats, events),
         "Cooperation (0–1) per ordered pair: rows are dyads, the left column is the alphabetically "
         "first actor's cooperation towards the other (A → B), the right column the reverse (B → A). "
         + fan + _scen_note(run) + " Event numbers as in the tension chart."),
        ("fan_net_relation", lambda: fans.fan_net_relation(stats, events),
         "Net relation per dyad (−1 = fully hostile, +1 = fully cooperative; black line at 0). "
         + fan + _scen_note(run) + " Event numbers as in the tension chart."),
        ("incidence", lambda: incidence.incidence(run["incidence"], summary, events),
         "Cumulative escalation: share of replicates in which the dyad has reached at least rung k by "
         "each date (1 verbal conflict, 2 diplomatic sanctions, 3 show of force, 4 covert or proxy "
         "violence, 5 limited military strike, 6 war), one colour per rung, named at the line end; curves "
         "can only rise. Thick lines count any act, the timeline's scripted events included; thin lines "
         "only the model's own (endogenous) acts. A vertical jump in a thick line that its thin line lacks "
         "is a scripted event: every replicate performs each timeline event on a date drawn inside the "
         "event's date window, so by the end of the window every replicate has reached the event's rung "
         "(an event known only to the year, such as 2022's Iranian border exercises, completes on "
         "31 December). Events are numbered and marked as on the fan charts, with their key below the "
         "panels. Points with error bars right of the last date are the end-of-horizon estimates with "
         "95% Wilson intervals from summary.json, in the grey strip (one group per scenario, rungs "
         "side by side so they do not overlap). " + _scen_note(run, bands=False)),
        ("network", lambda: network.network(run.get("stats_all", stats)),
         "Signed network of the actors at the start, middle and end of the horizon (first scenario). "
         "Blue edges are net-cooperative, vermillion net-hostile; edge width is proportional to the "
         "absolute median net relation, whose value is printed on the edge."),
    ]
    val = summary.get("validation")
    if val:
        gd, mm = load_gdelt_monthly(), model_monthly_net_relation(stats)
        specs.append((
            "gdelt", lambda: gdelt.gdelt(val, gd, mm),
            "Model versus GDELT by month over the window the default parameters were tuned on (in-sample fit, not a validation). Coloured line, left axis: the model's "
            "monthly mean net relation (−1 to 1). Grey dashed line, right axis: GDELT's monthly mean daily "
            "dyad score, a volume-sensitive Goldstein sum in different units, so only signs and ranks are "
            "comparable; both axes are symmetric about 0 so the zero lines coincide. Black dots: the signs "
            "agree that month; vermillion crosses: they differ."))
    return specs + _cf_figure_specs(run)


PAIRED = "paired_difference"


def paired_figure_names(names: Sequence[str]) -> dict[str, str]:
    """Counterfactual name → figure name ("paired_difference" when only one)."""
    if len(names) == 1:
        return {names[0]: PAIRED}
    return {n: f"{PAIRED}_{re.sub(r'[^A-Za-z0-9_-]+', '_', n)}" for n in names}


def _counterfactual_names(run: dict) -> list[str]:
    """Counterfactuals with daily paired differences in effects.parquet."""
    eff = run.get("effects")
    if eff is None or eff.empty:
        return []
    return style.order_scenarios(eff["scenario"])


def _routes_caption(run: dict) -> str:
    n = (run["summary"] or {}).get("replicates")
    cf = " Paired changes in route probabilities are in the counterfactual section." if len(run["scenarios"]) > 1 else ""
    return ("Escalation routes, rows = dyads, columns = scenarios. The nodes are the rungs of the ladder, "
            "0 = start at the bottom to 6 = war at the top. An edge a→b means the dyad's highest rung so far "
            "stepped from a to b (rungs between are skipped); its width and label give the share of all "
            f"{esc(n if n is not None else '')} replicates that made that step. Node size and the percentage "
            "left of a node: P(at least rung k by the end), the share of replicates whose highest rung reached k "
            "or more — the definition of the P(rung ≥ k) tables and the incidence figure (so a node counts the "
            "edges passing over it, not only those ending at it); 'own' below it: the same for the model's own "
            "(endogenous) acts, scripted events left out. On the right, "
            "the most frequent complete routes (the rungs first reached, in order), as a share of replicates, "
            "with 95% Wilson intervals in percent. Dyads in which no replicate escalates are drawn in grey." + cf)


def _paired_caption(name: str, cf: dict) -> str:
    q = f" ({esc(cf.get('question'))})" if cf.get("question") else ""
    fc = f" on {esc(cf.get('first_change'))}" if cf.get("first_change") else ""
    return (f"Paired differences for the counterfactual <code>{esc(name)}</code>{q}: per dyad and day, the "
            "distribution over replicates of counterfactual − baseline tension (left) and net relation (right), "
            "computed within each replicate. Line = median, dark band = middle 50%, light band = 90%. Each "
            "counterfactual replicate reuses the random numbers of its baseline replicate, so the shared noise "
            "cancels: the bands show how the effect varies between replicates, not the spread of two independent "
            "runs, and a band clear of the zero line is an effect. The dashed line marks the first change"
            f"{fc}; before it the difference is exactly 0, and the plot starts {paired.LEAD_DAYS} days before it. "
            "The panels of a column share one y scale, so the dyads can be compared; the two columns "
            "(tension, net relation) have their own.")


def _attribution_caption(att: dict) -> str:
    k = esc(att.get("rank_rung", 3))
    q = f" ({esc(att.get('question'))})" if att.get("question") else ""
    return (f"Leave-one-out event attribution{q}. The run is repeated without each timeline event, paired with "
            "the baseline; an event's effect is baseline − without it, i.e. what the event adds. Left: effect on "
            "tension 12 months after the event (or at the end of the horizon); right: effect on the probability "
            f"of reaching rung ≥ {k} within that window. Events are sorted by the absolute tension effect, largest "
            f"at the top; the top {attribution.TORNADO_TOP} per dyad are shown (all in the attribution table). Whiskers are "
            "95% paired confidence intervals; pale bars have intervals that include 0. Labels: the event number of "
            "the timeline table and its summary.")


def _cf_figure_specs(run: dict) -> list[tuple[str, Callable[[], Any], str]]:
    """Routes, paired-difference and attribution figures, where data exist."""
    summary = run["summary"] or {}
    specs = []
    inputs = routes.routes_inputs(summary, run.get("routes"), run["scenarios"])
    if inputs:
        specs.append(("routes", lambda: routes.routes(inputs, run["scenarios"]), _routes_caption(run)))
    cfs = summary.get("counterfactuals") or {}
    for name, fig_name in paired_figure_names(_counterfactual_names(run)).items():
        cf = cfs.get(name) if isinstance(cfs.get(name), dict) else {}
        specs.append((fig_name, lambda n=name, c=cf: paired.paired_difference(run["effects"], n, c.get("first_change")),
                      _paired_caption(name, cf)))
    att = summary.get("attribution")
    if isinstance(att, dict) and att.get("ranking"):
        specs.append(("attribution", lambda: attribution.attribution(att, run["events"]), _attribution_caption(att)))
    return specs


def report_settings(config_text: str | None) -> tuple[tuple[str, ...], str]:
    """(formats, paper) from the run's config.yaml (``report.format``, ``report.paper``), so a
    rebuild of the report makes the same files as the run did."""
    block = None
    if config_text:
        try:
            tree = safeyaml.load(config_text, "config.yaml")
        except TriadError:
            tree = None
        block = tree.get("report") if isinstance(tree, dict) else None
    return report_options(block if isinstance(block, dict) else None)


# relative drawing time of the figures (measured on the default run; others count 1)
DRAW_COST = {"incidence": 4.0, "fan": 3.0, "paired": 3.0, "attribution": 2.5, "routes": 2.0, "gdelt": 2.0}
_JOB: tuple = ()  # (specs, formats, paper) for the forked figure workers, set just before forking


def _draw(i: int) -> tuple[bytes, dict[str, bytes]]:
    """Figure ``i`` of ``_JOB``: its PNG and its other formats' bytes."""
    specs, formats, paper = _JOB
    with style.style_context(paper):
        fig = freeze_layout(specs[i][1]())
        png = render(fig, "png", dpi=200)
        return png, {fmt: render(fig, fmt) for fmt in formats if fmt != "png"}


def figure_workers(n_figures: int) -> int:
    """Processes to draw the figures in: the cores, when forking is safe (a POSIX process
    with no other thread, whose copy-on-write children inherit the loaded data and
    matplotlib), else 1. ``TRIAD_REPORT_WORKERS`` sets it."""
    import multiprocessing as mp
    import os
    import threading

    env = os.environ.get("TRIAD_REPORT_WORKERS", "")
    want = int(env) if env.isdigit() and int(env) > 0 else (os.cpu_count() or 1)
    if want < 2 or n_figures < 3 or threading.active_count() > 1 or "fork" not in mp.get_all_start_methods():
        return 1
    return min(want, n_figures)


def _draw_all(specs: list, formats: Sequence[str], paper: str) -> list[tuple[bytes, dict[str, bytes]]]:
    """Every figure's bytes, drawn in forked processes when ``figure_workers`` allows:
    matplotlib is single-threaded, and the figures are independent."""
    global _JOB
    workers = figure_workers(len(specs))
    _JOB = (specs, tuple(formats), paper)
    try:
        if workers == 1:
            return [_draw(i) for i in range(len(specs))]
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        # the costliest first (longest processing time first: the workers finish together)
        order = sorted(range(len(specs)), key=lambda i: -DRAW_COST.get(specs[i][0].split("_")[0], 1.0))
        with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
            drawn = dict(zip(order, pool.map(_draw, order)))
        return [drawn[i] for i in range(len(specs))]
    finally:
        _JOB = ()


def _write_figures(run_dir: Path, run: dict, formats: Sequence[str] = ("png",),
                   paper: str = "screen") -> list[tuple[str, bytes, str]]:
    """Render and save each figure in `formats` (PNG at 200 dpi; SVG and PDF vector) and
    return (name, png, caption); the page embeds the PNG whether or not it is saved."""
    fig_dir = run_dir / "figures"
    out = []
    specs = _figure_specs(run)
    # figures whose inputs did not change are copied from the cache (sim/report/figcache.py)
    root = figcache.directory()
    digest = figcache.inputs_digest(run_dir, formats, paper) if root is not None else ""
    kept = tuple(dict.fromkeys(("png", *formats)))  # the page embeds the PNG even when it is not saved
    files = [figcache.get(root, digest, name, kept) for name, _, _ in specs]
    missing = [i for i, f in enumerate(files) if f is None]
    for i, (png, other) in zip(missing, _draw_all([specs[i] for i in missing], formats, paper)):
        files[i] = {"png": png, **other}
        figcache.put(root, digest, specs[i][0], files[i])
    if missing:
        figcache.trim(root)
    for (name, _, caption), f in zip(specs, files):
        for fmt in formats:
            atomic_write_bytes(fig_dir / f"{name}.{fmt}", f[fmt])
        out.append((name, f["png"], caption))
    # Drop figures of ours left by an earlier build (e.g. gdelt without validation now, or
    # a format no longer asked for).
    made = {n for n, _, _ in out}
    ours = [fig_dir / f"{n}.{ext}" for n in FIGURE_NAMES for ext in FORMATS]
    ours += sorted(fig_dir.glob(f"{PAIRED}_*.*")) if fig_dir.is_dir() else []
    for stale in ours:
        if stale.suffix.lstrip(".") in FORMATS and stale.exists() and (
                stale.stem not in made or stale.suffix.lstrip(".") not in formats):
            stale.unlink()
    return out


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

def build_report(run_dir: str | Path) -> Path:
    """Build figures/ and report.html inside `run_dir`; return the html path."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise ReportError(f"run directory not found: {run_dir}")
    if (run_dir / "backtest.parquet").is_file() and not (run_dir / "stats.parquet").exists():
        from sim.report.backtest import rebuild  # a backtest run (experiment=backtest)

        return rebuild(run_dir)
    run = load_run(run_dir)
    formats, paper = report_settings(run["config_text"])
    figs = _write_figures(run_dir, run, formats, paper)
    made = {name for name, _, _ in figs}
    run["cf_figures"] = {cf: fig for cf, fig in paired_figure_names(_counterfactual_names(run)).items()
                         if fig in made}
    target = run_dir / "report.html"
    atomic_write_bytes(target, H.render_report(run, figs).encode("utf-8"))
    return target

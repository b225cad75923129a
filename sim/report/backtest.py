"""The backtest report (``experiment=backtest``): skill per dyad × horizon against every
baseline with intervals and verdicts, coverage, the PIT histogram, and the forecasts against
the observations; written as figures/*.png|svg and report.html (``sim.report.page``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.io.atomic import atomic_write_bytes
from sim.report import style
from sim.report.explore import write_figures
from sim.report.markup import esc
from sim.report.page import embedded_figure, page

BASE_COLORS = {"event_filter": style.OKABE_ITO["reddish_purple"], "ar1": "#7F7F7F",
               "persistence": style.OKABE_ITO["black"], "zero": style.OKABE_ITO["orange"],
               "climatology": style.OKABE_ITO["sky_blue"], "conflictology": style.OKABE_ITO["bluish_green"],
               "random_walk": style.OKABE_ITO["yellow"]}
BASE_LABELS = {"event_filter": "vs event filter", "ar1": "vs AR(1) without the simulation",
               "persistence": "vs persistence", "zero": "vs zero", "climatology": "vs climatology",
               "conflictology": "vs conflictology", "random_walk": "vs random walk"}
SKILL_FLOOR = -2.0  # skill axis clipped here (skill is unbounded below); clipped intervals end in an arrow


def skill_figure(skills: list[dict], score: str = "crps") -> Figure:
    period = "backcast" if any(s.get("period") == "backcast" for s in skills) else "true_future"
    rows = [s for s in skills if s["score"] == score and s["horizons"].isdigit() and s.get("period") == period]
    dyads = sorted({s["dyad"] for s in rows})
    with style.style_context():
        # the three Goldstein dyads side by side; more series (the counts target's 18) wrap in rows of 3
        ncols = max(min(len(dyads), 3), 1)
        nrows = -(-max(len(dyads), 1) // ncols)
        fig = Figure(figsize=(style.DOUBLE_COL, 2.4 + 1.8 * (nrows - 1)), layout="constrained")
        grid = fig.subplots(nrows, ncols, sharey=True, squeeze=False)
        axes = grid.ravel()
        for ax in axes[len(dyads):]:
            ax.set_visible(False)
        for ax, dyad in zip(axes, dyads):
            for j, base in enumerate(BASE_COLORS):
                rs = sorted((s for s in rows if s["dyad"] == dyad and s["baseline"] == base),
                            key=lambda s: int(s["horizons"]))
                h = np.array([int(s["horizons"]) for s in rs], dtype=float) + (j - 3) * 0.11
                sk = np.array([np.nan if s["skill"] is None else max(s["skill"], SKILL_FLOOR) for s in rs])
                lo = np.array([np.nan if s["lo"] is None else max(s["lo"], SKILL_FLOOR) for s in rs])
                hi = np.array([np.nan if s["hi"] is None else max(s["hi"], SKILL_FLOOR) for s in rs])
                c = BASE_COLORS[base]
                ax.vlines(h, lo, hi, color=c, lw=1.2)
                ax.plot(h, sk, "o", color=c, ms=3.5, mec="black" if base == "random_walk" else c, mew=0.4,
                        label=BASE_LABELS[base])
                clipped = np.array([s["lo"] is not None and s["lo"] < SKILL_FLOOR for s in rs], dtype=bool)
                ax.plot(h[clipped], np.full(clipped.sum(), SKILL_FLOOR), "v", color=c, ms=4)
            ax.axhline(0.0, color="0.3", lw=0.8)
            ax.set_title(dyad.replace("-", "–"), loc="left", color=style.dyad_colors(dyads)[dyad], fontweight="bold")
            ax.set_xlabel("horizon (months)")
            ax.set_xticks(sorted({int(s["horizons"]) for s in rows}))
            ax.set_ylim(SKILL_FLOOR - 0.1, 1.0)
        for ax in grid[:, 0]:
            ax.set_ylabel(f"{score.upper()} skill, 1 − model/baseline")
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=4)
    return fig


def pit_figure(pit: Mapping) -> Figure:
    edges = np.linspace(0.0, 1.0, len(pit["all"]) + 1)
    dyads = list(pit["dyads"])
    colors = style.dyad_colors(dyads)
    with style.style_context():
        fig = Figure(figsize=(style.SINGLE_COL + 0.4, style.SINGLE_COL * 0.8), layout="constrained")
        ax = fig.subplots()
        bottom = np.zeros(len(edges) - 1)
        for d in dyads:
            c = np.asarray(pit["dyads"][d], dtype=float)
            ax.bar(edges[:-1], c, width=np.diff(edges), align="edge", bottom=bottom, color=colors[d],
                   edgecolor="white", linewidth=0.5, label=d.replace("-", "–"))
            bottom += c
        total = bottom.sum()
        ax.axhline(total / (len(edges) - 1), color="0.2", ls="--", lw=0.8, label="uniform (calibrated)")
        ax.set_xlim(0, 1)
        ax.set_xlabel("PIT of the observed score in the model's predictive distribution")
        ax.set_ylabel("targets")
        ax.legend(loc="upper center", ncols=2)
    return fig


def forecast_figure(df: pd.DataFrame, horizon: int = 1, ylabel: str = "GDELT score") -> Figure:
    sub = df[(df["horizon"] == horizon) & (df["forecaster"] == "model") & (df["seed"] == df["seed"].min())]
    dyads = sorted(sub["dyad"].unique())
    colors = style.dyad_colors(dyads)
    with style.style_context():
        fig = Figure(figsize=(style.DOUBLE_COL, 1.6 * max(len(dyads), 1) + 0.6), layout="constrained")
        axes = fig.subplots(max(len(dyads), 1), 1, sharex=True, squeeze=False)[:, 0]
        for ax, d in zip(axes, dyads):
            g = sub[sub["dyad"] == d].sort_values("target_month")
            t = pd.to_datetime(g["target_month"])
            c = colors[d]
            ax.fill_between(t, g["q5"], g["q95"], color=style.shade(c, 0.7), lw=0, label="model 90 % interval")
            ax.fill_between(t, g["q25"], g["q75"], color=style.shade(c, 0.4), lw=0, label="model 50 % interval")
            ax.plot(t, g["q50"], color=c, lw=1.2, label="model median")
            ax.plot(t, g["observed"], "s--", color="0.2", ms=3, lw=0.8, mfc="white", label="observed")
            ax.axhline(0, color="0.5", lw=0.6)
            ax.set_title(d.replace("-", "–"), loc="left", color=c, fontweight="bold")
            ax.set_ylabel(ylabel)
        axes[-1].set_xlabel("target month")
        style.format_date_axis(axes[-1])
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside lower center", ncols=4)
    return fig


def _skill_table(skills: list[dict], score: str, period: str) -> str:
    rows = [s for s in skills if s["score"] == score and s.get("period") == period]
    groups = list(dict.fromkeys(s["horizons"] for s in rows))
    bases = [b for b in BASE_COLORS if any(s["baseline"] == b for s in rows)]
    head = "<tr><th>dyad</th><th>horizon</th>" + "".join(f"<th>{esc(BASE_LABELS[b])}</th>" for b in bases) \
        + "<th>origins</th></tr>"
    body = []
    for d in sorted({s["dyad"] for s in rows}):
        for g in groups:
            cells = {s["baseline"]: s for s in rows if s["dyad"] == d and s["horizons"] == g}
            if not cells:
                continue

            def fmt(s):
                if s is None or s["skill"] is None:
                    return "n/a"
                ci = f" [{s['lo']:+.2f}, {s['hi']:+.2f}]" if s["lo"] is not None else ""
                return f"{s['skill']:+.2f}{ci} {s['verdict']}"
            n = next(iter(cells.values()))["origins"]
            body.append(f"<tr><td>{esc(d)}</td><td>{esc(g)}</td>"
                        + "".join(f"<td class='num'>{esc(fmt(cells.get(b)))}</td>" for b in bases)
                        + f"<td class='num'>{n}</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"


def _coverage_table(scores: list[dict]) -> str:
    rows = [s for s in scores if s["forecaster"] == "model" and s["horizons"] == "all" and s["scored"]]
    head = "<tr><th>period</th><th>dyad</th><th>scored</th>" + "".join(
        f"<th>{c} %</th>" for c in (50, 80, 90, 95)) + "</tr>"
    body = "".join(f"<tr><td>{esc(r['period'])}</td><td>{esc(r['dyad'])}</td><td class='num'>{r['scored']}</td>"
                   + "".join(f"<td class='num'>{r[f'cover{c}']:.0%}</td>" for c in (50, 80, 90, 95)) + "</tr>"
                   for r in rows)
    return f"<table>{head}{body}</table>"


def write_backtest_report(out_dir: Path, summ: Mapping, df: pd.DataFrame) -> Path:
    b = summ["backtest"]
    oos = b["out_of_sample"]
    counts = b.get("target") == "counts"
    what = "monthly coded dyad-days (directed dyad: rung class)" if counts else "monthly GDELT score"
    specs = [
        ("backtest_skill", lambda: skill_figure(b["skill"], "crps"),
         f"CRPS skill of the model's forecast of each dyad's {what} against each baseline, by horizon "
         "(1 − mean CRPS of the model / mean CRPS of the baseline; above 0: the model is better). Bars: 95 % "
         f"bootstrap intervals over origins; the axis is cut at {SKILL_FLOOR:g} (a triangle marks an interval "
         "reaching below). Few origins, so wide intervals."),
        ("backtest_pit", lambda: pit_figure(b["pit"]["model"]),
         "Probability integral transform of every observed score in the model's predictive ensemble, stacked by "
         "dyad. Flat: calibrated; U-shaped: too narrow (overconfident); hump-shaped: too wide."),
        ("backtest_forecasts_h1", lambda: forecast_figure(df, 1, "dyad-days" if counts else "GDELT score"),
         "One month ahead (horizon 1): the model's predictive median, 50 % and 90 % intervals for each target "
         f"month, issued at the start of that month from what was known before it, and the observed {what}."),
    ]
    records, pngs = write_figures(out_dir, specs)
    parts = [f"<h1>triad — backtest</h1><p><strong>Question:</strong> {esc(b['question'])}</p>",
             f"<p class='answer'>{esc(b['answer'])}</p>",
             "<h2>What is out of sample</h2>",
             f"<p>Target months {esc(' .. '.join(oos['target_months']))}: {esc(oos['meaning'])}. "
             f"<strong>Caveat:</strong> {esc(oos['caveat'])}.</p>",
             f"<p>Observations: {esc(b['observations']['source'])}, {esc(' .. '.join(b['observations']['months']))}. "
             f"Origins {esc(', '.join(b['origins']))}; horizons {esc(', '.join(map(str, b['horizons'])))} months. "
             f"Observation model: {esc(b['observation_model']['equation'])}, fitted on "
             f"{esc(b['observation_model']['fitted_on'])}.</p>",
             f"<p class='answer'>Targets: {b['targets']['total']}, scored {b['targets']['scored']}, "
             f"not yet observable {b['targets']['not_yet_observable']}. Parameters frozen: "
             f"{esc(str(b['frozen']['parameters_hash'])[:12])}…, commit {esc(str(b['frozen']['git_commit']))}.</p>",
             "<h2>Coverage of the model's central intervals</h2>", _coverage_table(b["scores"])]
    for period in b["periods"]:
        parts += [f"<h2>CRPS skill ({esc(period.replace('_', ' '))})</h2>", _skill_table(b["skill"], "crps", period)]
    parts += ["<p class='muted'>Verdicts: win / loss only where the gap exceeds twice its seed SD and the "
              "bootstrap interval of the gap excludes 0; otherwise no call. n/a: the baseline's total was 0.</p>"]
    parts += [embedded_figure(r["name"], pngs[r["name"]], esc(r["caption"])) for r in records]
    path = Path(out_dir) / "report.html"
    atomic_write_bytes(path, page("triad backtest", "\n".join(parts)).encode("utf-8"))
    return path


def rebuild(run_dir: Path) -> Path:
    """``triad-report DIR`` on a backtest run: the same report from its summary.json and backtest.parquet."""
    import json

    summ = json.loads((Path(run_dir) / "summary.json").read_text("utf-8"))
    return write_backtest_report(Path(run_dir), summ, pd.read_parquet(Path(run_dir) / "backtest.parquet"))

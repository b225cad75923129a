"""The report of a sweep: figures over the swept overrides and one HTML page listing
every job, written next to ``sweep.parquet`` by the sweep's aggregate (``sim.sweep``)."""
from __future__ import annotations

import io
import math
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import numpy as np
import pandas as pd

from sim.io.atomic import atomic_write_bytes
from sim.report.style import dyad_colors

if TYPE_CHECKING:
    from sim.sweep.jobs import Job
    from sim.sweep.merge import Group

PLOT_RUNGS = (3, 5)


def plotted(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows a plot shows: each complete job's main scenario, split ensembles as merged."""
    if frame.empty:
        return frame
    ok = frame["status"].eq("complete") & frame["primary"].fillna(False).astype(bool)
    whole = frame["kind"].eq("merged") | frame["chunks"].fillna(1).le(1)
    return frame[ok & whole].copy()


def swept_keys(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(numeric, categorical) override columns that take more than one value."""
    num, cat = [], []
    for c in frame.attrs.get("override_columns", []):
        if c == "ensemble.chunk" or c not in frame:
            continue
        if frame[c].nunique(dropna=False) > 1:
            (num if pd.api.types.is_numeric_dtype(frame[c]) else cat).append(c)
    return num, cat


def _facets(df: pd.DataFrame, keys: list[str]) -> list[tuple[str, pd.DataFrame]]:
    if not keys:
        return [("", df)]
    out = []
    for vals, sub in df.groupby(keys, dropna=False, sort=True):
        vals = vals if isinstance(vals, tuple) else (vals,)
        out.append((", ".join(f"{k}={v}" for k, v in zip(keys, vals)), sub))
    return out


def _save(fig, path: Path) -> None:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    atomic_write_bytes(path, buf.getvalue())


def _metric(kind: str) -> tuple[str, str, str, str]:
    if kind == "tension":
        return "tension_end_q50", "tension_end_q05", "tension_end_q95", "tension at the end (median, 90% band)"
    k = int(kind.split("_")[-1])
    return f"p_rung_{k}", f"p_rung_{k}_lo", f"p_rung_{k}_hi", f"P(rung >= {k} by the end) (95% Wilson)"


def _heatmaps(plt, df: pd.DataFrame, num: list[str], cat: list[str], dyads: list[str], col: str):
    """One heatmap per dyad over the first two swept numeric keys; a row per facet of the rest."""
    x, y = num[0], num[1]
    facets = _facets(df, cat + num[2:])
    fig, axes = plt.subplots(len(facets), len(dyads), figsize=(3.9 * len(dyads) + 1.0, 3.2 * len(facets)),
                             squeeze=False, layout="constrained")
    vmax = 1.0
    for r, (label, sub) in enumerate(facets):
        for c, dyad in enumerate(dyads):
            ax = axes[r][c]
            piv = sub[sub["dyad"] == dyad].pivot_table(index=y, columns=x, values=col, aggfunc="mean")
            im = ax.imshow(piv.to_numpy(dtype=float), origin="lower", aspect="auto", vmin=0.0, vmax=vmax,
                           cmap="magma_r")
            ax.set_xticks(range(piv.shape[1]), [f"{v:g}" for v in piv.columns], fontsize=7)
            ax.set_yticks(range(piv.shape[0]), [f"{v:g}" for v in piv.index], fontsize=7)
            for (i, j), v in np.ndenumerate(piv.to_numpy(dtype=float)):
                if not math.isnan(v):
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                            color="white" if v > 0.6 * vmax else "black")
            ax.set_xlabel(x, fontsize=8)
            if c == 0:
                ax.set_ylabel(y, fontsize=8)
            ax.set_title(f"{dyad}" + (f"\n{label}" if label else ""), fontsize=8)
    fig.colorbar(im, ax=axes, shrink=0.8, label=col)
    return fig


def _row_labels(rows: pd.DataFrame, keys: list[str]) -> list[str]:
    """What tells a row's job apart: its swept values, else its job number."""
    if keys:
        return [", ".join(str(v) for v in t) for t in rows[keys].itertuples(index=False)]
    return [f"job {j}" if not pd.isna(j) else str(d) for j, d in zip(rows["job"], rows["job_dir"])]


def _panels(plt, df: pd.DataFrame, num: list[str], cat: list[str], dyads: list[str], colours: dict,
            metric: tuple[str, str, str, str]):
    """Lines against one swept numeric key (a panel per categorical facet), else points
    with their intervals per swept value."""
    col, lo, hi, title = metric
    facets = _facets(df, cat if num else [])
    fig, axes = plt.subplots(1, len(facets), figsize=(4.6 * len(facets), 3.6), squeeze=False, sharey=True,
                             layout="constrained")
    for c, (label, sub) in enumerate(facets):
        ax = axes[0][c]
        if num:
            x = num[0]
            for dyad in dyads:
                s = sub[sub["dyad"] == dyad].sort_values(x)
                xs = s[x].to_numpy(dtype=float)
                ax.plot(xs, s[col], marker="o", color=colours[dyad], label=dyad)
                ax.fill_between(xs, s[lo], s[hi], color=colours[dyad], alpha=0.18, linewidth=0)
            ax.set_xlabel(x, fontsize=8)
        else:
            labels = list(dict.fromkeys(_row_labels(sub, cat)))
            pos = {lab: i for i, lab in enumerate(labels)}
            for k, dyad in enumerate(dyads):
                s = sub[sub["dyad"] == dyad]
                xs = np.array([pos[v] for v in _row_labels(s, cat)], dtype=float) + (k - (len(dyads) - 1) / 2) * 0.12
                ax.errorbar(xs, s[col], yerr=[s[col] - s[lo], s[hi] - s[col]], fmt="o",
                            color=colours[dyad], label=dyad, capsize=3)
            ax.set_xticks(range(len(labels)), labels, rotation=20, ha="right", fontsize=7)
            ax.set_xlim(-0.6, len(labels) - 0.4)
            ax.set_xlabel(", ".join(cat) if cat else "job", fontsize=8)
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(label, fontsize=8)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(title, fontsize=8)
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside lower center", ncols=len(dyads),
               fontsize=7, frameon=False)
    return fig


def plot_sweep(frame: pd.DataFrame, fig_dir: Path) -> list[tuple[str, Path]]:
    """Heatmaps over two swept numeric keys, else lines against one numeric key, else
    points per swept value; one colour per dyad. Returns (title, png) pairs."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    df = plotted(frame)
    if df.empty:
        return []
    num, cat = swept_keys(df)
    dyads = sorted(df["dyad"].dropna().unique())
    colours = dyad_colors(dyads)  # the report's colour-blind-safe colour per dyad
    figs = []
    for kind in [*(f"p_rung_{k}" for k in PLOT_RUNGS), "tension"]:
        metric = _metric(kind)
        if len(num) >= 2:
            fig = _heatmaps(plt, df, num, cat, dyads, metric[0])
        else:
            fig = _panels(plt, df, num, cat, dyads, colours, metric)
        fig.suptitle(metric[3], fontsize=10)
        path = fig_dir / f"sweep_{kind}.png"
        _save(fig, path)
        plt.close(fig)
        figs.append((metric[3], path))
    return figs


def write_report(sweep_dir: Path, frame: pd.DataFrame, jobs: Sequence[Job], groups: Sequence[Group], *,
                 table: Path, figures: Path, path: Path) -> Path:
    """The page ``path`` and its figures in ``figures``; ``table`` is the sweep table it names.
    ``jobs`` and ``groups`` are the sweep's jobs and split ensembles (``sim.sweep``)."""
    figs = plot_sweep(frame, figures)
    from sim.report.markup import esc
    rows = []
    for j in jobs:
        rows.append(f"<tr class='{esc(j.status)}'><td>{j.num}</td><td>{esc(j.status)}</td>"
                    f"<td><code>{esc(' '.join(j.overrides))}</code></td>"
                    f"<td>{esc(str(j.dir.relative_to(sweep_dir)) if j.dir else '')}</td><td>{esc(j.error or '')}</td></tr>")
    merged = "".join(
        f"<li>{esc(g.id)}: {g.chunks} chunks — "
        + (f"merged into <code>{esc(str(g.dir.relative_to(sweep_dir)))}</code>" if g.done else esc(g.note or ""))
        + f" (<code>{esc(' '.join(g.overrides))}</code>)</li>" for g in groups)
    n_bad = sum(j.status != "complete" for j in jobs)
    body = [
        "<!doctype html><html><head><meta charset='utf-8'><title>triad sweep</title><style>",
        "body{font-family:sans-serif;max-width:1200px;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}"
        "tr.failed{background:#fdd}tr.incomplete{background:#ffd}img{max-width:100%}",
        "</style></head><body>",
        f"<h1>Sweep {esc(str(sweep_dir))}</h1>",
        f"<p>{len(jobs)} job(s), {len(jobs) - n_bad} complete, {n_bad} failed or incomplete. "
        f"Table: <code>{esc(str(table.relative_to(sweep_dir)))}</code> (one row per job × scenario × dyad).</p>",
    ]
    if n_bad:
        body.append("<p><b>Failed or incomplete jobs are listed below and left out of the figures.</b></p>")
    if merged:
        body.append(f"<h2>Split ensembles</h2><ul>{merged}</ul>")
    for title, png in figs:
        body.append(f"<h2>{esc(title)}</h2><img src='{esc(str(png.relative_to(sweep_dir)))}' alt='{esc(title)}'>")
    body.append("<h2>Jobs</h2><table><tr><th>job</th><th>status</th><th>overrides</th><th>dir</th><th>error</th></tr>")
    body += rows
    body.append("</table></body></html>")
    atomic_write_bytes(path, "\n".join(body).encode("utf-8"))
    return path

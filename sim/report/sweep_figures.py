"""The figures of a sweep report, from ``sweep.parquet``'s frame.

- ``p_rung``: P(at least rung k by the end), a panel per dyad (rows) and rung 1–6 (columns),
  any act (filled, solid) beside endogenous acts only (open, dashed);
- ``effect_p_rung``: the paired effect of each job's scenario on the same, on one shared y
  scale, when the sweep holds a counterfactual (the baseline's effect is exactly 0);
- ``state``: tension at the end, and the paired effects on tension and net relation;
- ``heatmap_*`` over two numeric keys swept on a grid.

Swept keys with at least three numeric values make the x axis of lines; every other swept
key makes categories (points with their intervals).
"""
from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from sim.report.sweep_axes import facets, plotted, readable, row_labels, swept_keys

RUNGS = range(1, 7)
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")  # Okabe–Ito
ORIGIN_STYLE = {"": ("o", "-", "any act"), "_endogenous": ("s", "--", "endogenous acts only")}


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    return buf.getvalue()


class _Axis:
    """The x axis shared by every panel: a numeric key (lines) or the jobs' categories."""

    def __init__(self, df: pd.DataFrame, line: list[str], cat: list[str]):
        self.line = line[0] if line else None
        self.series_keys = cat + line[1:] if line else []
        self.cat = [] if line else cat
        self.labels = [] if line else list(dict.fromkeys(row_labels(df, cat)))
        self.title = readable(self.line) if self.line else (
            "\n".join(readable(c) for c in cat) if cat else "job")

    def x(self, sub: pd.DataFrame, offset: float) -> np.ndarray:
        if self.line:
            return sub[self.line].to_numpy(dtype=float)
        pos = {lab: i for i, lab in enumerate(self.labels)}
        return np.array([pos[v] for v in row_labels(sub, self.cat)], dtype=float) + offset

    def finish(self, ax, bottom: bool) -> None:
        if not self.line:
            ax.set_xticks(range(len(self.labels)), self.labels if bottom else [], rotation=20, ha="right",
                          fontsize=7)
            ax.set_xlim(-0.6, len(self.labels) - 0.4)
        elif not bottom:
            ax.tick_params(labelbottom=False)


def _draw(ax, axis: _Axis, sub: pd.DataFrame, col: str, color: str, origin: str, offset: float,
          label: str | None) -> None:
    marker, ls, _ = ORIGIN_STYLE[origin]
    s = sub.sort_values(axis.line) if axis.line else sub
    x, y = axis.x(s, offset), s[col].to_numpy(dtype=float)
    lo, hi = s[f"{col}_lo"].to_numpy(dtype=float), s[f"{col}_hi"].to_numpy(dtype=float)
    face = color if origin == "" else "white"
    if axis.line:
        ax.plot(x, y, ls=ls, marker=marker, ms=3.5, mfc=face, color=color, lw=1.2, label=label)
        ax.fill_between(x, lo, hi, color=color, alpha=0.12 if origin == "" else 0.06, linewidth=0)
    else:
        ax.errorbar(x, y, yerr=[np.maximum(y - lo, 0), np.maximum(hi - y, 0)], fmt=marker, ms=4, mfc=face,
                    color=color, capsize=2.5, lw=1.0, label=label)


def _series(axis: _Axis, sub: pd.DataFrame, dyad_color: str) -> list[tuple[str, pd.DataFrame, str]]:
    """(legend label, rows, colour) per line: one per facet of the non-x keys (lines), else one."""
    parts = facets(sub, axis.series_keys) if axis.series_keys else [("", sub)]
    if len(parts) == 1:
        return [(parts[0][0], parts[0][1], dyad_color)]
    return [(lab, rows, PALETTE[i % len(PALETTE)]) for i, (lab, rows) in enumerate(parts)]


def rung_grid(plt, df: pd.DataFrame, axis: _Axis, dyads: list[str], colours: dict, prefix: str, ylabel: str,
              effect: bool):
    """Rows = dyads, columns = rungs 1–6, one y scale for all; any act and endogenous."""
    fig, axes = plt.subplots(len(dyads), 6, figsize=(13.5, 1.9 * len(dyads) + 1.6), squeeze=False, sharey=True,
                             sharex=True, layout="constrained")
    for i, dyad in enumerate(dyads):
        sub = df[df["dyad"] == dyad]
        for j, k in enumerate(RUNGS):
            ax = axes[i][j]
            for lab, rows, color in _series(axis, sub, colours[dyad]):
                for m, origin in enumerate(ORIGIN_STYLE):
                    name = f"{lab + ': ' if lab else ''}{ORIGIN_STYLE[origin][2]}"
                    _draw(ax, axis, rows, f"{prefix}{k}{origin}", color, origin, (m - 0.5) * 0.18,
                          name if (i, j) == (0, 0) else None)
            if effect:
                ax.axhline(0, color="0.3", lw=0.7, zorder=0)
            else:
                ax.set_ylim(-0.03, 1.03)
            ax.grid(alpha=0.3)
            axis.finish(ax, i == len(dyads) - 1)
            if i == 0:
                ax.set_title(f"rung ≥ {k}", fontsize=8)
            if j == 0:
                ax.set_ylabel(f"{dyad.replace('-', '–')}\n{ylabel}", fontsize=7.5, color=colours[dyad])
    fig.supxlabel(axis.title, fontsize=8)
    fig.legend(*axes[0][0].get_legend_handles_labels(), loc="outside upper center", ncols=4, fontsize=7.5,
               frameon=False)
    return fig


def state_grid(plt, df: pd.DataFrame, axis: _Axis, dyads: list[str], colours: dict, with_effects: bool):
    """Rows: tension at the end (median, 90% band); with a counterfactual, the paired effects
    on tension and net relation at the end (95% intervals). Columns = dyads."""
    rows = [("tension_end_q50", "tension_end_q05", "tension_end_q95", "tension at the end\n(median, 90% band)")]
    if with_effects:
        rows += [("cf_diff_tension_end", "cf_diff_tension_end_lo", "cf_diff_tension_end_hi",
                  "effect on mean tension\nat the end (95% CI)"),
                 ("cf_diff_net_relation_end", "cf_diff_net_relation_end_lo", "cf_diff_net_relation_end_hi",
                  "effect on mean net relation\nat the end (95% CI)")]
    # one y scale per row: the dyads of a row are compared
    fig, axes = plt.subplots(len(rows), len(dyads), figsize=(4.2 * len(dyads), 2.3 * len(rows) + 1.2),
                             squeeze=False, sharex=True, sharey="row", layout="constrained")
    for r, (mid, lo, hi, ylabel) in enumerate(rows):
        for c, dyad in enumerate(dyads):
            ax = axes[r][c]
            sub = df[df["dyad"] == dyad].rename(columns={mid: "_v", lo: "_v_lo", hi: "_v_hi"})
            for lab, part, color in _series(axis, sub, colours[dyad]):
                _draw(ax, axis, part, "_v", color, "", 0.0, lab or None)
            if r > 0:
                ax.axhline(0, color="0.3", lw=0.7, zorder=0)
            ax.grid(alpha=0.3)
            axis.finish(ax, r == len(rows) - 1)
            if r == 0:
                ax.set_title(dyad.replace("-", "–"), fontsize=9, color=colours[dyad], fontweight="bold")
            if c == 0:
                ax.set_ylabel(ylabel, fontsize=7.5)
    fig.supxlabel(axis.title, fontsize=8)
    handles = axes[0][0].get_legend_handles_labels()
    if handles[0]:
        fig.legend(*handles, loc="outside upper center", ncols=3, fontsize=7, frameon=False)
    return fig


def heatmaps(plt, df: pd.DataFrame, num: list[str], cat: list[str], dyads: list[str], col: str, label: str):
    """One heatmap per dyad over the first two swept numeric keys; a row per facet of the rest."""
    x, y = num[0], num[1]
    parts = facets(df, cat + num[2:])
    fig, axes = plt.subplots(len(parts), len(dyads), figsize=(3.9 * len(dyads) + 1.0, 3.4 * len(parts)),
                             squeeze=False, layout="constrained")
    im = None
    for r, (facet, sub) in enumerate(parts):
        for c, dyad in enumerate(dyads):
            ax = axes[r][c]
            piv = sub[sub["dyad"] == dyad].pivot_table(index=y, columns=x, values=col, aggfunc="mean")
            im = ax.imshow(piv.to_numpy(dtype=float), origin="lower", aspect="auto", vmin=0.0, vmax=1.0,
                           cmap="magma_r")
            ax.set_xticks(range(piv.shape[1]), [f"{v:g}" for v in piv.columns], fontsize=7)
            ax.set_yticks(range(piv.shape[0]), [f"{v:g}" for v in piv.index], fontsize=7)
            for (i, j), v in np.ndenumerate(piv.to_numpy(dtype=float)):
                if not math.isnan(v):
                    ax.text(j, i, f"{v:.2f}", ha="center", va="center", fontsize=7,
                            color="white" if v > 0.6 else "black")
            ax.set_xlabel(readable(x), fontsize=7)
            if c == 0:
                ax.set_ylabel(readable(y), fontsize=7)
            ax.set_title(dyad.replace("-", "–") + (f"\n{facet}" if facet else ""), fontsize=8)
    fig.colorbar(im, ax=axes, shrink=0.8, label=label)
    return fig


def sweep_figures(frame: pd.DataFrame) -> list[tuple[str, str, bytes]]:
    """(name, caption, PNG) of every figure of the sweep report (none without complete jobs)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from sim.report.dyads import by_score
    from sim.report.style import dyad_colors

    df = plotted(frame)
    if df.empty:
        return []
    num, cat = swept_keys(df)
    every = sorted(df["dyad"].dropna().unique())
    # beyond nine dyads (the region): the triangle's and the most escalated (mean P(rung >= 3) over jobs)
    score = df.groupby("dyad")["p_rung_3"].mean().to_dict() if "p_rung_3" in df else {}
    dyads = by_score(every, score)
    colours = dyad_colors(dyads)
    shown = "" if len(dyads) == len(every) else (f"Panels show {len(dyads)} of the {len(every)} dyads "
                                                 f"({', '.join(dyads)}); every dyad is in sweep.parquet. ")
    axis = _Axis(df, num, cat)
    effects = bool((df["scenario"] != "baseline").any())
    out = []
    specs = [("p_rung", "P(at least rung k by the end)", False,
              "P(at least rung k by the end) for each job's scenario (its counterfactual if it has one, else the "
              "baseline): rows are dyads, columns rungs 1–6, one y scale. Filled markers and solid lines: any act, "
              "scripted events included; open markers and dashed lines: the model's own (endogenous) acts only. "
              "Bars and bands: 95% Wilson intervals. 'At least rung k' is the definition of every table of the runs.")]
    if effects:
        specs.append(("effect_p_rung", "effect on P(at least rung k)", True,
                      "Paired effect of each job's scenario on P(at least rung k by the end): scenario − the job's "
                      "factual baseline, replicate by replicate on common random numbers, with 95% intervals; any act "
                      "(filled) and endogenous acts only (open). One y scale for every panel. A job without a "
                      "counterfactual is its own reference: its effect is exactly 0."))
    for name, ylabel, effect, caption in specs:
        fig = rung_grid(plt, df, axis, dyads, colours, "cf_diff_p_rung_" if effect else "p_rung_", ylabel, effect)
        out.append((name, shown + caption, _png(fig)))
        plt.close(fig)
    fig = state_grid(plt, df, axis, dyads, colours, effects)
    out.append(("state", "Tension at the end of the horizon (median and 90% band over replicates; one y scale "
                "per row)"
                + ("; below, the paired effects of each job's scenario on mean tension and mean net relation at the "
                   "end (95% intervals; 0 for a job without a counterfactual)." if effects else "."), _png(fig)))
    plt.close(fig)
    if len(num) >= 2:
        for k in (3, 5):
            fig = heatmaps(plt, df, num, cat, dyads, f"p_rung_{k}", f"P(at least rung {k} by the end)")
            out.append((f"heatmap_p_rung_{k}", f"P(at least rung {k} by the end), any act, over the two swept "
                        "numeric keys (cells: the value).", _png(fig)))
            plt.close(fig)
    return out

"""Escalation routes: which rung each replicate reached next, drawn as arcs between
the rungs of the ladder, with the most frequent complete routes listed beside.

One definition of "reached rung k" serves this figure and every table: the dyad's highest
rung so far is at least k (``summary.json`` ``p_rung_at_least``, ``incidence.parquet``).
The nodes give that share; the arcs are the steps of the highest rung so far (a → b, the
rungs between skipped), so a node's share is the sum of the arcs that pass over it, not
only those ending at it. The endogenous share (the model's own acts) is printed beside it."""

from __future__ import annotations

import textwrap
from typing import Any, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MPath

from sim.report import style
from sim.report.figures.base import fitted_legend, placeholder

N_RUNG_NODES = 7  # rung 0 (start) .. 6 (war)
TOP_ROUTES = 5
MAX_ROUTE_COLUMNS = 3
_GREY = "#BBBBBB"


# --------------------------------------------------------------------------
# Routes: data
# --------------------------------------------------------------------------

def route_label(route: Any) -> str:
    """"0>3>4" → "0→3→4"."""
    return str(route).replace(">", "→")


def _square(m: Any) -> np.ndarray | None:
    """A 7×7 float array from a nested list, or None if malformed."""
    try:
        a = np.asarray(m, dtype=float)
    except (TypeError, ValueError):
        return None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 2:
        return None
    return np.nan_to_num(a)


def _flows_from_routes(routes: Sequence[dict], size: int = N_RUNG_NODES) -> np.ndarray | None:
    """Share of replicates per jump a→b, summed over the listed routes."""
    out = np.zeros((size, size))
    for r in routes or []:
        try:
            steps = [int(x) for x in str(r.get("route", "")).split(">")]
            p = float(r.get("p", 0.0))
        except (TypeError, ValueError):
            continue
        for a, b in zip(steps, steps[1:]):
            if 0 <= a < size and 0 <= b < size:
                out[a, b] += p
    return out if out.any() or routes else None


def route_flows(rec: dict, n: float | None) -> np.ndarray | None:
    """Share of replicates making each first-reach jump a→b (rows a, columns b).

    From `transition_counts` / n when both exist, else from the listed routes
    (exact when the list is complete)."""
    counts = _square(rec.get("transition_counts"))
    if counts is not None and n:
        return counts / float(n)
    return _flows_from_routes(rec.get("routes") or [])


def reach_shares(flows: np.ndarray) -> np.ndarray:
    """Share of replicates that reach at least each rung (rung 0 = everyone): the highest
    rung so far climbs monotonically, so a replicate whose highest rung ends ≥ k made exactly
    one step a → b with a < k ≤ b."""
    n = flows.shape[0]
    reach = np.array([1.0] + [float(flows[:k, k:].sum()) for k in range(1, n)])
    return np.clip(reach, 0.0, 1.0)


def top_routes(rec: dict, routes_df: pd.DataFrame | None, scenario: str, dyad: str,
               top: int = TOP_ROUTES) -> list[dict]:
    """Most frequent routes [{route, p, lo?, hi?}] from summary, else routes.parquet."""
    listed = [r for r in rec.get("routes") or [] if isinstance(r, dict) and "route" in r]
    if listed:
        return sorted(listed, key=lambda r: -float(r.get("p", 0.0)))[:top]
    sub = _parquet_rows(routes_df, scenario, dyad)
    if sub.empty:
        return []
    sub = sub.sort_values(["p", "route"], ascending=[False, True], kind="stable").head(top)
    return [{"route": r, "p": float(p)} for r, p in zip(sub["route"], sub["p"])]


def _parquet_rows(routes_df: pd.DataFrame | None, scenario: str, dyad: str, origin: str = "any") -> pd.DataFrame:
    """routes.parquet rows of one scenario, dyad and origin (files without ``origin``: any act)."""
    if routes_df is None or routes_df.empty:
        return pd.DataFrame(columns=["route", "p"])
    keep = (routes_df["scenario"] == scenario) & (routes_df["dyad"] == dyad)
    if "origin" in routes_df:
        keep &= routes_df["origin"] == origin
    return routes_df[keep]


def _endo_flows(rec: dict, routes_df: pd.DataFrame | None, scenario: str, dyad: str, n: float | None):
    """Flows of the endogenous routes: summary's ``endogenous`` block, else routes.parquet."""
    endo = rec.get("endogenous") if isinstance(rec.get("endogenous"), dict) else {}
    counts = _square(endo.get("transition_counts"))
    if counts is not None and n:
        return counts / float(n)
    sub = _parquet_rows(routes_df, scenario, dyad, "endogenous")
    if sub.empty:
        return None
    return _flows_from_routes([{"route": r, "p": float(p)} for r, p in zip(sub["route"], sub["p"])])


def routes_inputs(summary: dict, routes_df: pd.DataFrame | None,
                  scenarios: Sequence[str]) -> dict[tuple[str, str], dict]:
    """{(scenario, dyad): {"flows", "routes", "reach", "reach_endo"}} for every pair with route
    data; ``reach``: P(at least rung k by the end), any act; ``reach_endo``: endogenous acts
    only (None when the run has no endogenous routes)."""
    scen = summary.get("scenarios") or {}
    n = summary.get("replicates")
    out = {}
    for s in scenarios:
        for dyad, rec in sorted((scen.get(s) or {}).items()):
            rec = rec or {}
            flows = route_flows(rec, n)
            routes = top_routes(rec, routes_df, s, dyad)
            if flows is None and routes:
                flows = _flows_from_routes(routes)
            if flows is not None:
                endo = _endo_flows(rec, routes_df, s, dyad, n)
                out[(s, dyad)] = {"flows": flows, "routes": routes, "reach": reach_shares(flows),
                                  "reach_endo": None if endo is None else reach_shares(endo)}
    if not out and routes_df is not None and not routes_df.empty:
        out = _inputs_from_parquet(routes_df, scenarios)
    return out


def _inputs_from_parquet(routes_df: pd.DataFrame, scenarios: Sequence[str]) -> dict:
    out = {}
    for s in scenarios:
        for dyad in sorted(routes_df.loc[routes_df["scenario"] == s, "dyad"].unique()):
            sub = _parquet_rows(routes_df, s, dyad)
            flows = _flows_from_routes([{"route": r, "p": float(p)} for r, p in zip(sub["route"], sub["p"])])
            if flows is None:
                continue
            endo = _endo_flows({}, routes_df, s, dyad, None)
            out[(s, dyad)] = {"flows": flows, "routes": top_routes({}, routes_df, s, dyad), "reach": reach_shares(flows),
                              "reach_endo": None if endo is None else reach_shares(endo)}
    return out


# --------------------------------------------------------------------------
# Routes: drawing
# --------------------------------------------------------------------------

_NODE_X = 0.0
_ROUTE_TEXT_X = 0.52  # axes fraction where the route list starts


def _arc_bulge(a: int, b: int) -> float:
    return 0.05 + 0.065 * (b - a)


def _draw_arc(ax, a: int, b: int, share: float, color) -> None:
    """Curved edge from rung a up to rung b, bulging right; width ∝ share."""
    c = _NODE_X + _arc_bulge(a, b)
    path = MPath([(_NODE_X, a), (c, a), (c, b), (_NODE_X, b)],
                 [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4])
    ax.add_patch(PathPatch(path, fill=False, lw=0.5 + 8.0 * share, ec=color, alpha=0.7,
                           capstyle="butt", zorder=2))
    if share >= 0.10:
        ax.text(_NODE_X + 0.75 * _arc_bulge(a, b), (a + b) / 2, f"{100 * share:.0f}%", fontsize=5.5,
                ha="center", va="center", zorder=3,
                bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.85))


def _draw_nodes(ax, reach: np.ndarray, reach_endo: np.ndarray | None, color) -> None:
    """Node k: P(at least rung k) by any act (size, label); the endogenous share below it."""
    for k, r in enumerate(reach):
        reached = r > 0
        ax.scatter([_NODE_X], [k], s=12 + 70 * r, color=color if reached else "white",
                   edgecolor="0.25" if reached else _GREY, linewidth=0.6, zorder=4)
        if 0 < k and reached:
            ax.text(_NODE_X - 0.035, k, _pct(r), fontsize=5.5, ha="right", va="bottom", zorder=4)
            if reach_endo is not None:
                ax.text(_NODE_X - 0.035, k, f"own {_pct(float(reach_endo[k]))}", fontsize=4.8, ha="right",
                        va="top", color="0.4", zorder=4)


def _pct(share: float) -> str:
    return "<1%" if 0 < share < 0.005 else f"{100 * share:.0f}%"


def _route_text(routes: Sequence[dict]) -> str:
    lines = ["most frequent routes:"]
    for r in routes:
        p = float(r.get("p", 0.0))
        ci = f" [{100 * float(r['lo']):.0f}–{100 * float(r['hi']):.0f}]" if "lo" in r and "hi" in r else ""
        lines.append(f"{route_label(r['route'])}  {100 * p:.0f}%{ci}")
    return "\n".join(lines) if routes else "no route data"


def _draw_routes_panel(ax, data: dict | None, color: str) -> None:
    """Arc diagram of one (scenario, dyad) plus the route list on the right."""
    if data is None:
        ax.text(0.5, 0.5, "no data", transform=ax.transAxes, ha="center", va="center", color="0.5")
        return
    flows = data["flows"]
    quiet = not flows[:, 1:].any()
    col = _GREY if quiet else color
    for a in range(flows.shape[0]):
        for b in range(a + 1, flows.shape[1]):
            if flows[a, b] > 0:
                _draw_arc(ax, a, b, float(flows[a, b]), col)
    _draw_nodes(ax, data.get("reach", reach_shares(flows)), data.get("reach_endo"), col)
    text = "no escalation in any replicate" if quiet else _route_text(data["routes"])
    ax.text(_ROUTE_TEXT_X, 0.98, text, transform=ax.transAxes, ha="left", va="top", fontsize=6,
            linespacing=1.35, color="0.45" if quiet else "0.1")


def _rung_ticklabels() -> list[str]:
    names = {0: "start", **style.RUNG_NAMES}
    return [f"{k} " + "\n".join(textwrap.wrap(names.get(k, ""), 15)) for k in range(N_RUNG_NODES)]


def _routes_axes_frame(ax, show_labels: bool) -> None:
    ax.set_xlim(-0.2, 1.0)  # room for the share labels left of the nodes
    ax.set_ylim(-0.6, N_RUNG_NODES - 0.4)
    ax.set_yticks(range(N_RUNG_NODES))
    ax.set_yticklabels(_rung_ticklabels(), fontsize=6)
    ax.tick_params(axis="y", labelleft=show_labels)
    ax.set_xticks([])
    ax.grid(False)
    ax.spines["bottom"].set_visible(False)
    ax.tick_params(axis="y", length=0)


def routes(inputs: dict[tuple[str, str], dict], scenarios: Sequence[str]) -> Figure:
    """Escalation routes: rows = dyads, columns = scenarios (≤ 3)."""
    scen = [s for s in scenarios if any(k[0] == s for k in inputs)][:MAX_ROUTE_COLUMNS]
    dyads = sorted({d for s, d in inputs if s in scen})
    if not dyads:
        return placeholder("No escalation route data (summary.json routes / routes.parquet)")
    colors = style.dyad_colors(dyads)
    width = min(style.DOUBLE_COL, 1.3 + 2.85 * len(scen))
    fig = Figure(figsize=(width, 1.95 * len(dyads) + 0.7), layout="constrained")
    axes = fig.subplots(len(dyads), len(scen), squeeze=False, sharey=True)
    for i, dyad in enumerate(dyads):
        for j, s in enumerate(scen):
            ax = axes[i, j]
            _routes_axes_frame(ax, j == 0)
            _draw_routes_panel(ax, inputs.get((s, dyad)), colors[dyad])
            ax.set_title(f"{dyad.replace('-', '–')} · {s}", loc="left", color=colors[dyad], fontweight="bold")
    _routes_legend(fig, ncols=3 if len(scen) > 1 else 2)
    return fig


def _routes_legend(fig: Figure, ncols: int) -> None:
    handles = [Line2D([], [], color="0.35", lw=0.5 + 8.0 * v, alpha=0.7, label=f"{100 * v:.0f}% of replicates")
               for v in (0.05, 0.25, 0.5)]
    handles += [
        Line2D([], [], color="0.35", marker="o", ls="none", ms=5,
               label="P(at least rung k by the end): any act; 'own' = endogenous acts only"),
        Line2D([], [], color="white", marker="o", mec=_GREY, ls="none", ms=4, label="never reached"),
    ]
    fitted_legend(fig, handles, loc="outside lower center", ncols=ncols, handlelength=2.5,
               title="edge a→b: the highest rung so far stepped from a to b (rungs between skipped); width ∝ share",
               title_fontsize=6.5)

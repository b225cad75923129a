"""Figures of the exploration experiments (matplotlib, Agg): each function returns a Figure."""
from __future__ import annotations

from typing import Mapping, Sequence

import matplotlib
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.report import style as _style

# The report's palette (Okabe–Ito) and rcParams, so these figures look like the run report's.
C_S1, C_ST, C_NOISE, C_PAR = (_style.OKABE_ITO["blue"], _style.OKABE_ITO["orange"], "#BBBBBB",
                              _style.OKABE_ITO["bluish_green"])
C_HIT, C_REF = _style.OKABE_ITO["vermillion"], _style.OKABE_ITO["vermillion"]


def _styled(build):
    """Build the figure under the report style (rcParams are read when artists are made)."""
    import functools

    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with _style.style_context():
            return build(*args, **kwargs)
    return wrapper


def _short(name: str) -> str:
    return name.replace("dynamics.", "").replace("decisions.", "")


def _label(out: str) -> str:
    """A readable name for an output key such as ``p_rung_3.AZE-ISR``."""
    kind, _, dyad = out.partition(".")
    dyad = dyad.replace("-", "–")
    if kind.startswith("p_rung_"):
        return f"P(rung ≥ {kind[len('p_rung_'):]}), {dyad}"
    return f"{kind.replace('_end', ' at the end').replace('_', ' ')}, {dyad}"


def _grid(n: int, ncols: int = 3):
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    return nrows, ncols


@_styled
def sobol_bars(res: Mapping[str, Mapping], names: Sequence[str]) -> Figure:
    """S1/ST bars with CIs; outputs flagged ``noise_dominated`` are drawn faded."""
    outs = list(res)
    nrows, ncols = _grid(len(outs))
    fig = Figure(figsize=(4.6 * ncols, 3.2 * nrows + 0.8))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    x = np.arange(len(names))
    for ax, out in zip(axes.flat, outs):
        r = res[out]
        ax.set_title(_label(out), fontsize=9)
        if r.get("constant"):
            ax.text(0.5, 0.5, "constant over the box\n(no variance to split)", ha="center", va="center",
                    transform=ax.transAxes, fontsize=8, color="0.4")
        else:
            faded = bool(r.get("noise_dominated"))
            al = 0.3 if faded else 1.0
            ax.bar(x - 0.2, r["S1"], 0.4, yerr=r["S1_conf"], capsize=2, color=C_S1, alpha=al, label="first order S1",
                   error_kw={"alpha": al})
            ax.bar(x + 0.2, r["ST"], 0.4, yerr=r["ST_conf"], capsize=2, color=C_ST, alpha=al, label="total order ST",
                   error_kw={"alpha": al})
            if faded:
                ax.text(0.5, 0.93, "noise-dominated: " + (f"{r['noise_in_means']:.0%}" if r.get("noise_in_means") is not None else "most") + " of the\nmeans' variance is replicate noise",
                        ha="center", va="top", transform=ax.transAxes, fontsize=8, color="#A00")
        ax.axhline(0, color="0.3", lw=0.6)
        ax.set_xticks(x)
        ax.set_xticklabels([_short(n) for n in names], rotation=40, ha="right", fontsize=7)
        ax.set_ylim(-0.1, 1.05)
    for ax in list(axes.flat)[len(outs):]:
        ax.axis("off")
    for ax in axes[:, 0]:
        ax.set_ylabel("Sobol index")
    h = [matplotlib.patches.Patch(color=C_S1), matplotlib.patches.Patch(color=C_ST)]
    l = ["first order S1", "total order ST"]
    fig.legend(h, l, loc="upper center", ncol=2, frameon=False, fontsize=9)
    fig.tight_layout(rect=(0, 0, 1, 0.95))
    return fig


@_styled
def morris_scatter(res: Mapping[str, Mapping], names: Sequence[str]) -> Figure:
    outs = list(res)
    nrows, ncols = _grid(len(outs))
    fig = Figure(figsize=(4.6 * ncols, 3.4 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    colors = matplotlib.colormaps['tab10'](np.arange(len(names)) % 10)
    for ax, out in zip(axes.flat, outs):
        r = res[out]
        ax.set_title(_label(out), fontsize=9)
        if r.get("constant"):
            ax.text(0.5, 0.5, "constant over the box", ha="center", va="center", transform=ax.transAxes,
                    fontsize=8, color="0.4")
            ax.set_xticks([])
            ax.set_yticks([])
            continue
        ms, sg = np.array(r["mu_star"]), np.array(r["sigma"])
        ax.errorbar(ms, sg, xerr=r["mu_star_conf"], fmt="none", ecolor="0.7", lw=0.8)
        ax.scatter(ms, sg, c=colors, s=28, zorder=3)
        top = max(ms.max(), sg.max()) * 1.1 or 1
        ax.plot([0, top], [0, top], ls=":", color="0.6", lw=0.8)
        ax.set_xlim(0, top)
        ax.set_ylim(0, top)
        ax.set_xlabel("μ* (mean |elementary effect|)", fontsize=8)
        ax.set_ylabel("σ (interaction / non-linearity)", fontsize=8)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(outs):]:
        ax.axis("off")
    handles = [Line2D([], [], marker="o", ls="", color=colors[i], label=_short(n)) for i, n in enumerate(names)]
    fig.legend(handles=handles, loc="lower center", ncol=min(len(names), 4), frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0.07 + 0.02 * (len(names) > 4), 1, 1))
    return fig


@_styled
def variance_split(split: Mapping[str, Mapping]) -> Figure:
    outs = [o for o in split if split[o]["total_variance"] > 0]
    fig = Figure(figsize=(7.5, 0.45 * max(len(outs), 2) + 1.3))
    ax = fig.subplots()
    y = np.arange(len(outs))[::-1]
    par = np.array([split[o]["parameter_share"] for o in outs])
    noi = np.array([split[o]["noise_share"] for o in outs])
    ax.barh(y, par, color=C_PAR, label="parameters  Var(E[Y|θ])")
    ax.barh(y, noi, left=par, color=C_NOISE, label="replicate noise  E[Var(Y|θ)]")
    for yy, p in zip(y, par):
        ax.text(min(p, 0.97) if p > 0.08 else p + 0.01, yy, f"{p:.0%}", va="center",
                ha="right" if p > 0.08 else "left", fontsize=8, color="white" if p > 0.08 else "black")
    ax.set_yticks(y)
    ax.set_yticklabels([_label(o) for o in outs], fontsize=8)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the output's variance")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22 - 0.1 / max(len(outs), 1)), ncol=2, frameon=False,
              fontsize=8)
    fig.tight_layout()
    return fig


@_styled
def prim_tradeoff(traj: Sequence[Mapping], chosen: int, min_density: float) -> Figure:
    cov = np.array([r["coverage"] for r in traj])
    den = np.array([r["density"] for r in traj])
    dims = np.array([r["res_dim"] for r in traj])
    fig = Figure(figsize=(6.2, 4.6))
    ax = fig.subplots()
    ax.plot(cov, den, color="0.75", lw=1, zorder=1)
    sc = ax.scatter(cov, den, c=dims, cmap="viridis", s=22, zorder=2)
    ax.scatter([cov[chosen]], [den[chosen]], s=160, facecolors="none", edgecolors="red", lw=1.8, zorder=3,
               label=f"chosen box: coverage {cov[chosen]:.2f}, density {den[chosen]:.2f}")
    ax.axhline(min_density, ls="--", color=C_REF, lw=0.8, alpha=0.6, label=f"density target {min_density:.2f}")
    cb = fig.colorbar(sc, ax=ax)
    cb.set_label("restricted parameters")
    ax.set_xlabel("coverage (share of all cases of interest inside the box)")
    ax.set_ylabel("density (share of the box that are cases of interest)")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.05)
    ax.legend(loc="lower left", fontsize=8, frameon=False)
    fig.tight_layout()
    return fig


@_styled
def prim_box(limits: Sequence[Sequence[float]], bounds: Sequence[Sequence[float]], names: Sequence[str],
             X: np.ndarray, y: np.ndarray) -> Figure:
    k = len(names)
    b = np.asarray(bounds, dtype=float)
    L = (np.asarray(limits, dtype=float) - b[:, [0]]) / (b[:, [1]] - b[:, [0]])
    U = (X - b[:, 0]) / (b[:, 1] - b[:, 0])
    fig = Figure(figsize=(7.5, 0.55 * k + 1.4))
    ax = fig.subplots()
    yy = np.arange(k)[::-1]
    rng = np.random.default_rng(0)
    for j in range(k):
        jit = rng.uniform(-0.18, 0.18, size=len(U))
        ax.scatter(U[~y, j], yy[j] + jit[~y], s=3, color="0.8", zorder=1)
        ax.scatter(U[y, j], yy[j] + jit[y], s=4, color=C_HIT, zorder=2)
        ax.add_patch(matplotlib.patches.Rectangle((L[j, 0], yy[j] - 0.3), L[j, 1] - L[j, 0], 0.6, fill=False,
                                                  edgecolor="black", lw=1.4, zorder=3))
        ax.text(1.02, yy[j], f"[{limits[j][0]:.3g}, {limits[j][1]:.3g}]", va="center", fontsize=7)
    ax.set_yticks(yy)
    ax.set_yticklabels([_short(n) for n in names], fontsize=8)
    ax.set_xlim(-0.02, 1.25)
    ax.set_xticks([0, 0.5, 1])
    ax.set_xticklabels(["lower bound", "middle", "upper bound"], fontsize=8)
    ax.set_title("chosen box (black) over the sampled ranges; red: samples of interest", fontsize=9)
    fig.tight_layout()
    return fig


@_styled
def calibration_fit(months: Sequence[str], model: np.ndarray, gdelt: np.ndarray, default: np.ndarray | None,
                    dyads: Sequence[str], target_label: str = "GDELT") -> Figure:
    D = len(dyads)
    fig = Figure(figsize=(4.4 * D, 3.6))
    axes = fig.subplots(1, D, squeeze=False)
    x = np.arange(len(months))
    for d, ax in enumerate(axes[0]):
        ax.plot(x, model[:, d], "o-", color=C_S1, label="model, fitted")
        if default is not None:
            ax.plot(x, default[:, d], "s--", color="0.6", ms=3, lw=1, label="model, defaults")
        ax.axhline(0, color="0.3", lw=0.6)
        ax.set_ylabel("model net relation", color=C_S1, fontsize=8)
        ax2 = ax.twinx()
        ax2.bar(x, gdelt[:, d], color=C_ST, alpha=0.35, width=0.6, label=target_label)
        lim = np.abs(gdelt[:, d]).max() * 1.1 or 1
        ax2.set_ylim(-lim, lim)
        ml = max(np.abs(model[:, d]).max(), 0 if default is None else np.abs(default[:, d]).max()) * 1.1 or 1
        ax.set_ylim(-ml, ml)
        ax2.set_ylabel(f"{target_label} monthly score", color=C_ST, fontsize=8)
        ax.set_zorder(ax2.get_zorder() + 1)
        ax.patch.set_visible(False)
        ax.set_title(dyads[d], fontsize=10)
        ax.set_xticks(x)
        ax.set_xticklabels([m[2:] for m in months], rotation=60, fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax2.tick_params(axis="y", labelsize=7)
    h1, l1 = axes[0, 0].get_legend_handles_labels()
    h2 = [matplotlib.patches.Patch(color=C_ST, alpha=0.35)]
    fig.legend(h1 + h2, l1 + [f"{target_label} (right axis)"], loc="upper center", ncol=3, frameon=False, fontsize=8)
    fig.tight_layout(rect=(0, 0, 1, 0.9))
    return fig


@_styled
def calibration_loss(losses: np.ndarray, X: np.ndarray, names: Sequence[str], best: int, near: np.ndarray) -> Figure:
    k = len(names)
    fig = Figure(figsize=(3.6 * (k + 1), 3.4))
    axes = fig.subplots(1, k + 1, squeeze=False)
    ax = axes[0, 0]
    it = np.arange(len(losses))
    ax.scatter(it, losses, s=6, color="0.6", label="candidate")
    ax.plot(it, np.minimum.accumulate(losses), color=C_REF, lw=1.2, label="best so far")
    ax.set_xlabel("evaluation")
    ax.set_ylabel("loss")
    ax.legend(fontsize=7, frameon=False)
    for j, a in enumerate(axes[0, 1:]):
        a.scatter(X[~near, j], losses[~near], s=6, color="0.7")
        a.scatter(X[near, j], losses[near], s=10, color=C_S1, label="near-best set")
        a.scatter([X[best, j]], [losses[best]], s=60, marker="*", color=C_REF, zorder=3, label="best")
        a.set_xlabel(_short(names[j]), fontsize=8)
        a.tick_params(labelsize=7)
        if j == 0:
            a.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig

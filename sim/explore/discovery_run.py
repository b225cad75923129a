"""The scenario-discovery experiment (``explore.method=discovery``): Latin-hypercube samples,
the share of each sample's replicates that reach the target rung, and PRIM over the
samples that exceed ``explore.threshold`` (``sim.explore.discovery``). Its answer names the
chosen box, or says plainly that no box meets PRIM's density threshold."""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import pandas as pd

from sim.engine.settings import Settings
from sim.errors import ConfigError
from sim.explore import discovery as disc
from sim.explore import figures as figs
from sim.explore.evaluate import evaluate, horizon_days, outputs_from_config
from sim.explore.options import check_design, common, get
from sim.explore.problem import sample


def discovery_experiment(plain: Mapping, settings: Settings, ex: Mapping) -> dict:
    problem, seed, reps = common(ex, settings, 32, 1)
    n = get(ex, "samples", 256, kind=int, lo=8)
    check_design(plain, settings, n, reps, "explore.samples")
    months = get(ex, "horizon_months", 12, kind=int, lo=1)
    within = horizon_days(settings, months)
    thr = get(ex, "threshold", 0.1, lo=0.0, hi=1.0)
    dens = get(ex, "min_density", 0.8, lo=0.0, hi=1.0)
    alpha = get(ex, "peel_alpha", 0.05, lo=0.001, hi=0.5)
    mass_min = get(ex, "mass_min", 0.05, lo=0.0, hi=1.0)
    engine = ex.get("engine", "auto")
    if engine not in ("auto", "ema_workbench", "triad"):
        raise ConfigError("explore.engine", f"{engine!r}; allowed: auto, ema_workbench, triad")
    if engine == "ema_workbench" and not disc.have_ema():
        raise ConfigError("explore.engine", "ema_workbench is not installed (pip install 'triad-sim[explore]')")
    tgt = ex.get("target") or {}
    kind, dyad = tgt.get("output", "p_rung_5"), tgt.get("dyad", "IRN-ISR")
    if not (isinstance(kind, str) and kind.startswith("p_rung_")):
        raise ConfigError("explore.target.output", f"{kind!r}; allowed: p_rung_1 .. p_rung_6")
    out = outputs_from_config([kind], [dyad], settings.actors, key="explore.target.output")[0]

    X = sample(problem, "lhs", n, seed)
    Y = evaluate(problem, X, settings, reps, [out], within_days=within)[:, :, 0]
    p = Y.mean(axis=1)
    y = p > thr
    pn = problem["names"]
    table = pd.DataFrame(X, columns=pn).assign(sample=np.arange(n), p=p, of_interest=y)
    what = f"P(rung ≥ {kind[-1]} within {months} months, {dyad}) > {thr:g}"
    base = {"problem": problem, "samples": n, "replicates_per_sample": reps, "seed": seed, "target": out.name,
            "horizon_months": months, "threshold": thr, "min_density": dens, "cases_of_interest": int(y.sum()),
            "share_of_interest": float(y.mean()), "p_range": [float(p.min()), float(p.max())]}
    if y.sum() == 0 or y.all():
        msg = "no" if y.sum() == 0 else "every"
        answer = f"In {msg} one of {n} Latin-hypercube samples ({reps} replicates each) is {what}: no box to find."
        return {"answer": answer, "headline": [answer], "result": {**base, "engine": None, "box": None},
                "figures": [], "table": table, "replicates": n * reps}
    traj, used = disc.prim(X, y, pn, engine=engine, min_density=dens, peel_alpha=alpha, mass_min=mass_min)
    return _discovery_result(X, y, pn, traj, used, base, what, dens, n, reps, thr, table)


def _discovery_result(X, y, pn, traj, used, base, what, dens, n, reps, thr, table) -> dict:
    """The answer, headline, figures and result of a PRIM run: the chosen box, or the plain
    statement that no box meets the density threshold (never the whole space as a 'box')."""
    i = disc.choose(traj, dens)
    cases = f"{what} in {y.sum()} of {n} samples ({y.mean():.0%})"
    head0 = (f"Scenario discovery: {n} Latin-hypercube samples × {reps} replicates over {len(pn)} parameters; "
             f"case of interest: {what} ({y.sum()} samples, {y.mean():.0%}).")
    notes = [f"A sample is a case of interest when the share of its {reps} replicates reaching the rung "
             f"exceeds {thr:g}; with {reps} replicates that share has a binomial standard error of up to "
             f"{0.5 / math.sqrt(reps):.2f}, so cases near the threshold are noisy.",
             f"PRIM engine: {used} ({'ema_workbench 2.5 Prim, lenient1 objective' if used == 'ema_workbench' else 'triad peeling PRIM, lenient1 objective, no pasting'})."]
    tradeoff = [{k: r[k] for k in ("coverage", "density", "mass", "res_dim")} for r in traj]
    if i is None:
        j = disc.densest(traj)
        best = traj[j]
        answer = (f"{cases}; PRIM ({used}) finds no box that meets the density threshold {dens:.2f}: the densest box "
                  f"it reached has density {best['density']:.2f} (coverage {best['coverage']:.2f}, mass "
                  f"{best['mass']:.2f}), so the cases of interest are not concentrated in a region of the sampled "
                  "parameter box.")
        headline = [head0, f"PRIM ({used}): no box meets the density threshold {dens:.2f}.",
                    f"Densest box found: density {best['density']:.2f}, coverage {best['coverage']:.2f}, mass "
                    f"{best['mass']:.2f} (not a finding: below the threshold)."]
        fig_list = [("prim_tradeoff", lambda: figs.prim_tradeoff(traj, None, dens),
                     f"PRIM peeling trajectory for {what}: each point is a box; coverage is the share of all cases "
                     "of interest inside it, density the share of its samples that are cases. No box reaches the "
                     f"density threshold {dens:.2f} (dashed line), so none is chosen.")]
        result = {**base, "engine": used, "chosen_step": None, "threshold_met": False, "box": None,
                  "densest": {k: best[k] for k in ("coverage", "density", "mass", "res_dim")},
                  "tradeoff": tradeoff, "notes": notes}
        return {"answer": answer, "headline": headline, "result": result, "figures": fig_list, "table": table,
                "replicates": n * reps}
    box = traj[i]
    words = disc.describe_box(box["limits"], disc.sample_bounds(X), pn)
    cond = " and ".join(w["text"] for w in words) or "anywhere in the sampled box (no restriction needed)"
    answer = (f"{cases}; PRIM ({used}) finds it mostly where {cond}: "
              f"{box['density']:.0%} of the samples in that box reach it (density) and the box holds "
              f"{box['coverage']:.0%} of all samples that do (coverage), with {box['mass']:.0%} of the samples.")
    headline = [
        head0,
        f"Chosen PRIM box ({used}, step {i} of {len(traj) - 1}): {cond}.",
        f"Coverage {box['coverage']:.2f}, density {box['density']:.2f}, mass {box['mass']:.2f} "
        f"(density threshold {dens:.2f}, met).",
    ]
    fig_list = [
        ("prim_tradeoff", lambda: figs.prim_tradeoff(traj, i, dens),
         f"PRIM peeling trajectory for {what}: each point is a box; coverage is the share of all cases of interest "
         "inside it, density the share of its samples that are cases. The red circle is the chosen box (largest "
         f"coverage with density ≥ {dens:.2f}); colour: number of restricted parameters."),
        ("prim_box", lambda: figs.prim_box(box["limits"], base["problem"]["bounds"], pn, X, y),
         "Limits of the chosen box (black rectangles) on each parameter's sampled range; dots are the samples "
         f"(red: {what}). A rectangle spanning the whole range means that parameter is unrestricted."),
    ]
    result = {**base, "engine": used, "chosen_step": i, "threshold_met": True,
              "box": {"coverage": box["coverage"], "density": box["density"], "mass": box["mass"],
                      "restricted": words, "limits": dict(zip(pn, box["limits"]))},
              "tradeoff": tradeoff, "notes": notes}
    return {"answer": answer, "headline": headline, "result": result, "figures": fig_list, "table": table,
            "replicates": n * reps}

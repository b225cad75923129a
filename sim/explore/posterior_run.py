"""``experiment=calibrate`` with ``explore.sampler=emcee`` (the default): the Bayesian
calibration of ``sim/explore/posterior.py`` — its ``explore.*`` keys, its outputs and
figure. (``explore.sampler=de`` is the older point fit, ``sim/explore/calibrate.py``.)

Files besides the exploration's usual ones: ``prior.parquet`` (draws from the uniform prior
box) and ``posterior.parquet`` (the chain after burn-in), both in the draws schema of
``sim/io/tables.py`` and usable as ``ensemble.posterior=PATH`` (posterior predictive
ensembles); ``samples.parquet`` holds every walker position, burn-in included;
``calibrated.yaml`` sets the posterior medians (the defaults are not changed by it).
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from sim.engine.settings import Settings
from sim.errors import ConfigError
from sim.explore import bridge
from sim.explore import calibrate as cal
from sim.explore import posterior as post
from sim.explore.options import common, get
from sim.explore.problem import config_value, rng_for
from sim.io.posterior import draws_table
from sim.runs.stats import dyad_names
from sim.runs.validation import gdelt_monthly

LEVEL = 0.9  # posterior intervals reported (central)


def training_target(ex: Mapping, settings: Settings) -> tuple[post.Target, list[str]]:
    """Observed training months (before ``explore.cut``) and the held-out months of the
    run's horizon (from the cut on) that GDELT has."""
    gd = gdelt_monthly()
    names = dyad_names(settings.actors)
    have = [d for d in names if d in gd.columns]
    dyads = list(ex.get("dyads") or have)
    for d in dyads:
        if d not in have:
            raise ConfigError("explore.dyads", f"{d!r}; allowed: {', '.join(have)}")
    cut = str(ex.get("cut") or "")
    try:
        cut_p = pd.Period(cut, freq="M")
    except (ValueError, TypeError):
        raise ConfigError("explore.cut", f"{cut!r}: the first held-out month, YYYY-MM (e.g. 2023-03)") from None
    start = pd.Period(settings.start, freq="M")
    end = pd.Period(settings.end, freq="M")
    model = [str(p) for p in pd.period_range(start, min(end, cut_p - 1), freq="M")] if cut_p > start else []
    if len(model) < 2 or any(m not in gd.index for m in model):
        raise ConfigError("explore.cut", f"{cut}: needs at least 2 simulated months with GDELT data before it "
                          f"(the run starts {settings.start}, GDELT covers {gd.index[0]}..{gd.index[-1]})")
    months = [m for m in gd.index if m < str(cut_p)]
    held = [str(p) for p in pd.period_range(cut_p, end, freq="M") if str(p) in gd.index] if cut_p <= end else []
    y = gd.loc[months, dyads].to_numpy(dtype=float)
    return post.Target(tuple(months), y, tuple(model), tuple(names.index(d) for d in dyads),
                       gd.loc[held, dyads].to_numpy(dtype=float) if held else None), held


def _draws_frame(chain: post.Chain, names: Sequence[str], burn: int) -> pd.DataFrame:
    S, W, _ = chain.samples.shape
    steps, walkers = np.meshgrid(np.arange(burn, S), np.arange(W), indexing="ij")
    flat = chain.samples[burn:].reshape(-1, len(names))
    df = pd.DataFrame({"draw": np.arange(len(flat)), "walker": walkers.ravel(), "step": steps.ravel(),
                       "log_likelihood": chain.log_lik[burn:].ravel(), "log_posterior": chain.log_post[burn:].ravel()})
    for j, n in enumerate(names):
        df[n] = flat[:, j]
    return df


def _prior_frame(problem: Mapping, n: int, seed: int) -> pd.DataFrame:
    lo, hi = np.array(problem["bounds"], dtype=float).T
    u = lo + (hi - lo) * rng_for(seed, "prior").random((n, len(lo)))
    df = pd.DataFrame({"draw": np.arange(n), "walker": -1, "step": -1, "log_likelihood": np.nan,
                       "log_posterior": np.nan})
    for j, name in enumerate(problem["names"]):
        df[name] = u[:, j]
    return df


def marginals_figure(prior: pd.DataFrame, posterior: pd.DataFrame, names: Sequence[str], defaults: Sequence[float],
                     bounds: Sequence[Sequence[float]]):
    from matplotlib.figure import Figure

    k = len(names)
    fig = Figure(figsize=(3.6 * k, 3.2))
    axes = fig.subplots(1, k, squeeze=False)[0]
    for j, (ax, n) in enumerate(zip(axes, names)):
        bins = np.linspace(bounds[j][0], bounds[j][1], 25)
        ax.fill_between(bounds[j], 1 / (bounds[j][1] - bounds[j][0]), color="0.82", step="pre",
                        label="prior (uniform)")  # exact density; prior.parquet holds draws from it
        ax.hist(posterior[n], bins=bins, density=True, histtype="step", lw=1.8, color="#1f5fa8", label="posterior")
        lo, hi = post.interval(posterior[n].to_numpy(), LEVEL)
        ax.axvspan(lo, hi, color="#1f5fa8", alpha=0.12, label=f"{LEVEL:.0%} posterior interval")
        ax.axvline(defaults[j], color="red", lw=1.2, ls="--", label="configured default")
        ax.set_xlabel(n.replace("dynamics.", "").replace("decisions.", ""), fontsize=8)
        ax.tick_params(labelsize=7)
        if j == 0:
            ax.set_ylabel("density")
    fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=4, fontsize=7, frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    return fig


def burn_steps(ex: Mapping, steps: int) -> int:
    """``explore.burn``: the steps dropped as burn-in; null: a third of ``steps``, so a short
    chain (``explore.steps=10``) keeps a valid burn-in without a second override."""
    burn = ex.get("burn")
    return get({"burn": steps // 3 if burn is None else burn}, "burn", kind=int, lo=0, hi=steps - 1)


def calibrate_posterior(plain: Mapping, settings: Settings, ex: Mapping) -> dict:
    problem, seed, reps = common(ex, settings, 24, 2)
    walkers = get(ex, "walkers", 12, kind=int, lo=2 * problem["num_vars"], hi=1000)
    steps = get(ex, "steps", 150, kind=int, lo=2, hi=100_000)
    burn = burn_steps(ex, steps)
    target, held = training_target(ex, settings)
    defaults = [float(config_value(plain, n)) for n in problem["names"]]
    target, bridge_rec = bridge.fit_once(problem, defaults, settings, 4 * reps, target)  # issue 22: fixed once
    movement = bridge.likelihood_movement(problem, defaults, settings, reps, target)
    max_hours = float(plain["ensemble"]["max_hours"])
    chain = post.sample_posterior(problem, settings, target, reps=reps, walkers=walkers, steps=steps, seed=seed,
                                  max_hours=max_hours)
    pn = problem["names"]
    posterior = _draws_frame(chain, pn, burn)
    prior = _prior_frame(problem, len(posterior), seed)
    summ_p = {}
    for j, n in enumerate(pn):
        v = posterior[n].to_numpy()
        lo, hi = post.interval(v, LEVEL)
        plo, phi = post.interval(prior[n].to_numpy(), LEVEL)
        summ_p[n] = {"median": float(np.median(v)), "mean": float(v.mean()), "lo90": lo, "hi90": hi,
                     "prior": list(problem["bounds"][j]), "prior_lo90": plo, "prior_hi90": phi,
                     "interval_vs_prior": (hi - lo) / (phi - plo), "default": defaults[j],
                     "default_inside_90": bool(lo <= defaults[j] <= hi)}
    try:
        tau = [float(t) for t in __import__("emcee").autocorr.integrated_time(chain.samples[burn:], quiet=True)]
    except Exception:  # too short a chain for an estimate
        tau = None
    held_score = None
    if held:  # out of sample: the held-out months' log score at the defaults and at the posterior median
        X = np.array([defaults, [summ_p[n]["median"] for n in pn]])
        sc = post.held_out_log_score(problem, X, settings, 4 * reps, target, held)
        dn = [dyad_names(settings.actors)[d] for d in target.dyads]
        held_score = {"months": held, "replicates": 4 * reps,
                      "log_score_defaults": dict(zip(dn, sc[0].tolist())), "total_defaults": float(sc[0].sum()),
                      "log_score_posterior_median": dict(zip(dn, sc[1].tolist())),
                      "total_posterior_median": float(sc[1].sum())}
    months = {"training_observed": [target.months[0], target.months[-1]], "training_simulated": list(target.model_months),
              "held_out": held, "cut": str(ex.get("cut"))}
    ptxt = "; ".join(f"{n} {s['median']:.4g} [{s['lo90']:.4g}, {s['hi90']:.4g}] (prior [{s['prior'][0]:g}, "
                     f"{s['prior'][1]:g}], default {s['default']:.4g})" for n, s in summ_p.items())
    n_eval = walkers * (steps + 1)
    answer = (f"Posterior medians and {LEVEL:.0%} intervals from GDELT training months {target.months[0]}.."
              f"{target.months[-1]} (the model runs in {target.model_months[0]}..{target.model_months[-1]}; held out: "
              f"{', '.join(held) or 'none in the horizon'}), emcee {walkers} walkers × {steps} steps ({burn} burn-in) "
              f"on a Gaussian synthetic likelihood of {reps} common-random-number replicates per θ: {ptxt}."
              + (f" Held-out log score (higher is better) over {', '.join(held)}: posterior median "
                 f"{held_score['total_posterior_median']:.2f}, defaults {held_score['total_defaults']:.2f}."
                 if held_score else ""))
    headline = [
        f"Bayesian calibration on training months before {ex.get('cut')}: "
        + "; ".join(f"{n.split('.')[-1] if n.count('.') < 3 else n} {s['median']:.3g} [{s['lo90']:.3g}, "
                    f"{s['hi90']:.3g}]" for n, s in summ_p.items()) + f" ({LEVEL:.0%} posterior intervals).",
        "Posterior interval width / prior width: " + ", ".join(f"{s['interval_vs_prior']:.2f}" for s in summ_p.values())
        + f"; mean acceptance {chain.acceptance.mean():.2f}; {chain.seconds_per_step:.2f} s per step.",
        "Log-likelihood movement over each prior box (bridge fixed once at the defaults; refitted per value in "
        "brackets): " + ", ".join(f"{n.split('.')[-1] if n.count('.') < 3 else n} {m['range_fixed_bridge']:.2f} "
                                  f"({m['range_refitted_bridge']:.2f})" for n, m in movement.items()) + " log units.",
        "Written: prior.parquet, posterior.parquet (use with ensemble.posterior=PATH), calibrated.yaml (posterior "
        "medians); the configured defaults are unchanged.",
    ]
    table = pd.DataFrame(chain.samples.reshape(-1, len(pn)), columns=pn).assign(
        step=np.repeat(np.arange(steps), walkers), walker=np.tile(np.arange(walkers), steps),
        log_likelihood=chain.log_lik.ravel(), burn_in=np.repeat(np.arange(steps) < burn, walkers))
    fig = [("calibration_posterior", lambda: marginals_figure(prior, posterior, pn, defaults, problem["bounds"]),
            f"Prior (grey, uniform on the box) and posterior (blue line; shaded: {LEVEL:.0%} interval) of each "
            f"calibrated parameter, from {len(posterior)} draws after burn-in; red dashed: the configured default. "
            f"Fitted on GDELT months before {ex.get('cut')} only.")]
    result = {"sampler": "emcee", "problem": problem, "seed": seed, "replicates_per_sample": reps, "walkers": walkers,
              "steps": steps, "burn": burn, "draws": len(posterior), "months": months,
              "dyads": [dyad_names(settings.actors)[d] for d in target.dyads],
              "parameters": {n: v["median"] for n, v in summ_p.items()},  # as calibrated.yaml sets them
              "posterior": summ_p,
              "acceptance": float(chain.acceptance.mean()), "held_out": held_score, "autocorr_steps": tau,
              "seconds_per_step": chain.seconds_per_step, "files": {"prior": "prior.parquet",
                                                                    "posterior": "posterior.parquet"},
              "calibrated_config": "calibrated.yaml", "defaults_changed": False,
              "bridge": bridge_rec, "likelihood_movement": movement,
              "notes": [post.__doc__.split("\n\n")[0].replace("\n", " "),
                        "Synthetic likelihood (docs/calibration.md): per θ the replicates' observed-scale monthly values "
                        "(observation model of sim/forecast/observation.py, fitted once on the training months at the "
                        "defaults and then fixed: sim/explore/bridge.py) give a "
                        "Gaussian, plus the observation error's AR(1) covariance; evaluated at the observed training "
                        "months. Uniform prior on the box.",
                        f"Months: fitted on GDELT {target.months[0]}..{target.months[-1]}; held out (not used): "
                        f"{', '.join(held) or 'none in the horizon'}."]}
    params = {n: s["median"] for n, s in summ_p.items()}
    return {"answer": answer, "headline": headline, "result": result, "figures": fig, "table": table,
            "validation": {"fit_months": months}, "replicates": n_eval * reps,
            "tables": {"prior.parquet": draws_table(prior, pn), "posterior.parquet": draws_table(posterior, pn)},
            "calibrated": cal.calibrated_yaml(params, float("nan"), "@", list(target.months)).replace(
                b"@ loss nan against", b"posterior medians (emcee, synthetic likelihood) fitted to")}

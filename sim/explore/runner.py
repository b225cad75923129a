"""``run_exploration``: read ``explore.*``, run one experiment, write its outputs.

Files in the run directory: ``samples.parquet`` (parameters and per-sample results),
``summary.json`` (``headline``, ``validation``, ``exploration``), ``config.yaml``,
``figures/*.png|svg`` and ``report.html`` (written by ``sim.report.explore``),
``calibrated.yaml`` (calibration only) and ``manifest.json`` last. Nothing is printed; two log
lines say when the report is being built and where it is.
The ``explore.*`` keys are read and checked by ``sim.explore.options``.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import time
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from sim.engine.settings import Settings
from sim.errors import ConfigError
from sim.explore import calibrate as cal
from sim.explore import figures as figs
from sim.explore.discovery_run import discovery_experiment
from sim.explore.evaluate import evaluate, evaluate_monthly, horizon_days, outputs_from_config
from sim.explore.options import check_design, check_keys, common, get, sub
from sim.explore.problem import config_value, sample
from sim.explore.sensitivity import analyze, noise_split
from sim.io.atomic import atomic_write_bytes, write_json, write_parquet
from sim.io.rundir import finish
from sim.report.explore import write_figures, write_report
from sim.runs.ensemble import check_memory
from sim.runs.stats import dyad_names
from sim.runs.validation import gdelt_monthly

log = logging.getLogger(__name__)
NOISE_LIMIT = 0.5  # indices of outputs whose per-sample mean is more than half noise are flagged


# -- small helpers -------------------------------------------------------------------------

def _clean(obj: Any) -> Any:
    """JSON-safe: numpy to Python, NaN/inf to None, floats rounded to 6 significant digits."""
    if isinstance(obj, Mapping):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _clean(obj.tolist())
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer, int)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        f = float(obj)
        return None if not math.isfinite(f) else float(f"{f:.6g}")
    return obj


# -- the experiments -----------------------------------------------------------------------

def _sensitivity(plain: Mapping, settings: Settings, ex: Mapping) -> dict:
    problem, seed, reps = common(ex, settings, 16, 2)
    months = get(ex, "horizon_months", 12, kind=int, lo=1)
    within = horizon_days(settings, months)
    outs = outputs_from_config(ex.get("outputs") or [], ex.get("dyads"), settings.actors)
    names = [o.name for o in outs]
    n_sobol = sub(ex, "sobol", "n", 64, 2)
    n_morris = sub(ex, "morris", "trajectories", 10, 0)
    levels = sub(ex, "morris", "levels", 4, 2)
    k = len(problem["names"])
    check_design(plain, settings, n_sobol * (k + 2) + n_morris * (k + 1), reps, "explore.sobol.n")
    focus = ex.get("focus") or next((n for n in names if n.startswith("p_rung_5")), names[0])
    if focus not in names:
        raise ConfigError("explore.focus", f"{focus!r}; allowed: {', '.join(names)}")

    Xs = sample(problem, "sobol", n_sobol, seed)
    Ys = evaluate(problem, Xs, settings, reps, outs, within_days=within)
    sobol_res = analyze(problem, Xs, Ys.mean(axis=1), "sobol", output_names=names, seed=seed)
    split = noise_split(Ys, names)
    noisy = []
    for n in names:  # indices of a mean that is mostly replicate noise describe the noise, not the parameters
        nm = split[n]["noise_in_means"]
        if not sobol_res[n].get("constant") and (nm is None or nm > NOISE_LIMIT):
            sobol_res[n].update(noise_dominated=True, noise_in_means=nm)
            noisy.append(n)
    morris_res, Xm, Ym = None, None, None
    if n_morris:
        Xm = sample(problem, "morris", n_morris, seed, levels=levels)
        Ym = evaluate(problem, Xm, settings, reps, outs, within_days=within)
        morris_res = analyze(problem, Xm, Ym.mean(axis=1), "morris", output_names=names, seed=seed, levels=levels)

    pn = problem["names"]
    frames = [pd.DataFrame(Xs, columns=pn).assign(design="sobol", sample=np.arange(len(Xs)))]
    for j, n in enumerate(names):
        frames[0][f"mean:{n}"] = Ys[:, :, j].mean(axis=1)
        frames[0][f"var:{n}"] = Ys[:, :, j].var(axis=1, ddof=1)
    if Xm is not None:
        fm = pd.DataFrame(Xm, columns=pn).assign(design="morris", sample=np.arange(len(Xm)))
        for j, n in enumerate(names):
            fm[f"mean:{n}"] = Ym[:, :, j].mean(axis=1)
            fm[f"var:{n}"] = Ym[:, :, j].var(axis=1, ddof=1)
        frames.append(fm)
    table = pd.concat(frames, ignore_index=True)

    # ranking and the answer
    def top(out: str) -> list[tuple[str, float, float]]:
        r = sobol_res[out]
        if r.get("constant") or r.get("noise_dominated"):
            return []
        order = np.argsort(r["ST"])[::-1]
        return [(pn[i], r["ST"][i], r["ST_conf"][i]) for i in order]

    f_top, f_split = top(focus), split[focus]
    constant = [n for n in names if sobol_res[n].get("constant")]
    ranked = ", ".join(f"{n} (ST {s:.2f} ± {c:.2f})" for n, s, c in f_top[:3]) or (
        f"nothing: the output does not vary (every sample gives {sobol_res[focus]['value']:.4g})"
        if sobol_res[focus].get("constant") else "nothing: the output is noise-dominated")
    share = lambda v: "n/a" if v is None else f"{v:.0%}"  # noqa: E731
    answer = (f"For {focus} (mean {f_split['mean']:.3f} over the box), the total-order Sobol indices rank "
              f"{ranked}; parameters explain {share(f_split['parameter_share'])} of its variance across single "
              f"replicates and replicate noise {share(f_split['noise_share'])} "
              f"({len(Xs)} samples × {reps} replicates; indices refer to the per-sample mean, whose remaining "
              f"noise is {share(f_split['noise_in_means'])} of its variance).")
    valid = [n for n in names if split[n]["parameter_share"] is not None]
    ps = [split[n]["parameter_share"] for n in valid]
    headline = [
        f"Sensitivity: Sobol/Saltelli N={n_sobol} ({len(Xs)} samples) " + (f"+ Morris {n_morris} trajectories " if n_morris else "")
        + f"× {reps} replicates, {len(pn)} parameters, {len(names)} outputs, P within {months} months of {settings.start}.",
        ("Most influential parameter (largest ST) per output: " + "; ".join(
            f"{n}: {top(n)[0][0]} {top(n)[0][1]:.2f}" for n in names if top(n)) + "."
         if any(top(n) for n in names) else "No output can be ranked.")
        + (f" Noise-dominated, not ranked: {', '.join(noisy)}." if noisy else "")
        + (f" Output does not vary, not ranked: {', '.join(constant)}." if constant else ""),
        (f"Variance split, parameters vs replicate noise: parameter share {min(ps):.0%}–{max(ps):.0%} across outputs "
         f"(focus {focus}: {share(f_split['parameter_share'])})." if ps else "No output varied."),
    ]
    fig_list: list[tuple[str, Callable, str]] = [
        ("sobol_indices", lambda: figs.sobol_bars(sobol_res, pn),
         f"First-order (S1) and total-order (ST) Sobol indices with 95% bootstrap intervals, per output, computed on "
         f"the mean over {reps} replicates of each of {len(Xs)} Saltelli samples. ST − S1 is the part due to "
         "interactions. P(rung ≥ k) is within the first " f"{months} months; tension is on the last simulated day. "
         f"Faded panels are noise-dominated (more than {NOISE_LIMIT:.0%} of the variance of the per-sample means is "
         "replicate noise): their indices describe noise, not parameters."),
        ("variance_split", lambda: figs.variance_split(split),
         "Share of each output's variance across single replicates due to the parameters (variance of the "
         "per-sample mean, noise-corrected) and to replicate noise (mean within-sample variance). For an event "
         "indicator the noise share is large by nature: a probability of 0.3 is a coin flip per replicate."),
    ]
    if morris_res is not None:
        fig_list.append(("morris_mu_star_sigma", lambda: figs.morris_scatter(morris_res, pn),
                         f"Morris screening ({n_morris} trajectories, {levels} levels): μ* is the mean absolute "
                         "elementary effect (importance), σ its spread (non-linearity or interactions); points "
                         "above the dotted diagonal act mainly through interactions. Bars: 95% interval of μ*."))
    result = {
        "problem": problem, "outputs": names, "replicates_per_sample": reps, "seed": seed,
        "horizon_months": months, "horizon_days": within, "focus": focus,
        "sobol": {"n": n_sobol, "samples": len(Xs), "second_order": False, "indices": sobol_res,
                  "note": "indices of the per-sample mean output over its replicates"},
        "morris": ({"trajectories": n_morris, "levels": levels, "samples": len(Xm), "indices": morris_res}
                   if morris_res is not None else None),
        "variance_split": split, "noise_dominated": noisy, "constant_outputs": constant,
        "notes": [f"P(rung ≥ k) = share of a sample's replicates whose dyad reached rung k within {months} months "
                  f"of {settings.start} (days 0..{within - 1}); tension_end is on {settings.end}.",
                  "Replicate ids: sample i uses replicates i·reps … i·reps+reps−1, so every replicate has its own "
                  "random numbers; Sobol indices are computed on per-sample means.",
                  *([("Output does not vary over the sampled box, so there is no variance to attribute and no "
                      "parameter is ranked for it: " + ", ".join(f"{n} (always {sobol_res[n]['value']:.4g})"
                                                                 for n in constant) + ".")] if constant else [])],
    }
    return {"answer": answer, "headline": headline, "result": result, "figures": fig_list, "table": table,
            "replicates": len(Xs) * reps + (len(Xm) * reps if Xm is not None else 0)}


def _month_range(a: str, b: str) -> list[str]:
    return [str(p) for p in pd.period_range(a, b, freq="M")]


def _calibrate(plain: Mapping, settings: Settings, ex: Mapping) -> dict:
    sampler = ex.get("sampler", "emcee")
    if sampler not in ("emcee", "de"):
        raise ConfigError("explore.sampler", f"{sampler!r}; allowed: emcee (posterior), de (point fit)")
    if sampler == "emcee":
        from sim.explore.posterior_run import calibrate_posterior

        return calibrate_posterior(plain, settings, ex)
    problem, seed, reps = common(ex, settings, 64, 1)
    popsize = get(ex, "popsize", 8, kind=int, lo=2)
    maxiter = get(ex, "maxiter", 8, kind=int, lo=1)
    tol = get(ex, "spread_tolerance", 0.05, lo=0.0)
    kind = ex.get("loss", "rank_sign")
    if kind not in cal.LOSSES:
        raise ConfigError("explore.loss", f"{kind!r}; allowed: {', '.join(cal.LOSSES)}")
    if (ex.get("target") or "gdelt") != "gdelt":
        raise ConfigError("explore.target", f"{ex.get('target')!r}; allowed: gdelt")
    window = ex.get("window") or ["2022-09", "2023-05"]
    if not (isinstance(window, (list, tuple)) and len(window) == 2):
        raise ConfigError("explore.window", f"{window!r}: needs [first month, last month], e.g. [2022-09, 2023-05]")
    try:
        months = _month_range(str(window[0]), str(window[1]))
    except (ValueError, TypeError):
        raise ConfigError("explore.window", f"{window!r}: months must be YYYY-MM") from None
    if len(months) < 3:
        raise ConfigError("explore.window", f"{window!r}: needs at least 3 months for a rank correlation")
    gd = gdelt_monthly()
    names = dyad_names(settings.actors)
    dyads = list(ex.get("dyads") or [d for d in names if d in gd.columns])
    for d in dyads:
        if d not in names or d not in gd.columns:
            raise ConfigError("explore.dyads", f"{d!r}; allowed: {', '.join(d for d in names if d in gd.columns)}")
    missing = [m for m in months if m not in gd.index]
    if missing:
        raise ConfigError("explore.window", f"GDELT has no data for {missing}; it covers {gd.index[0]}..{gd.index[-1]}")
    target = gd.loc[months, dyads].to_numpy(dtype=float)
    idx = [names.index(d) for d in dyads]

    fit = cal.calibrate(problem, settings, target, months, replicates_per_sample=reps, loss_kind=kind, seed=seed,
                        popsize=popsize, maxiter=maxiter, dyad_index=idx)
    pn = problem["names"]
    defaults = np.array([[config_value(plain, n) for n in pn]])
    both = evaluate_monthly(problem, np.vstack([fit["x"][None], defaults]), settings, reps, months, crn=True)[:, :, idx]
    fitted, dflt = both[0], both[1]
    loss_default = cal.loss(dflt, target, kind)
    st = cal.fit_stats(fitted, target)
    st0 = cal.fit_stats(dflt, target)
    spr = cal.spread(fit["X"], fit["losses"], pn, tol)
    near = fit["losses"] <= fit["loss"] + tol
    best_i = int(np.argmin(fit["losses"]))
    params = {n: float(v) for n, v in zip(pn, fit["x"])}
    validation = {
        "window": [months[0], months[-1]], "months": len(months), "parameters": "fitted",
        "dyads": {d: {"sign_agreement": float(st["sign_agreement"][k]), "spearman": float(st["spearman"][k]),
                      "months": [{"month": m, "model": float(fitted[t, k]), "gdelt": float(target[t, k]),
                                  "agree": bool(np.sign(fitted[t, k]) == np.sign(target[t, k]))}
                                 for t, m in enumerate(months)]} for k, d in enumerate(dyads)},
        "overall_sign_agreement": float(st["sign_agreement"].mean()),
    }
    ptxt = ", ".join(f"{n} = {v:.4g} [{spr['parameters'][n]['min']:.4g}, {spr['parameters'][n]['max']:.4g}]"
                     for n, v in params.items())
    answer = (f"Fitting {len(pn)} parameters to GDELT monthly net relation {months[0]}..{months[-1]} "
              f"({kind} loss, {fit['evaluations']} candidates × {reps} common-random-number replicates) gives loss "
              f"{fit['loss']:.3f} (defaults: {loss_default:.3f}) with {ptxt} (range over the {spr['candidates']} "
              f"candidates within {tol:g} of the best loss); sign agreement {st['sign_agreement'].mean():.0%} "
              f"(defaults {st0['sign_agreement'].mean():.0%}), Spearman per dyad "
              + ", ".join(f"{d} {r:+.2f}" for d, r in zip(dyads, st["spearman"])) + ".")
    headline = [
        f"Calibration to GDELT {months[0]}..{months[-1]} ({kind}): loss {fit['loss']:.3f} at the fit vs "
        f"{loss_default:.3f} at the defaults ({fit['evaluations']} candidates, differential evolution, seed {seed}).",
        "Fitted: " + ptxt + " (near-best range).",
        "Written: calibrated.yaml — copy it to experiments/ and run `triad experiment=calibrated`.",
    ]
    fig_list = [
        ("calibration_fit", lambda: figs.calibration_fit(months, fitted, target, dflt, dyads),
         f"Monthly net relation per dyad: the model's ensemble mean ({reps} replicates) at the fitted parameters "
         "(blue) and at the configured defaults (grey), against GDELT's monthly Goldstein score (bars, right axis). "
         "GDELT's level depends on news volume, so only signs and the ordering of months are compared."),
        ("calibration_loss", lambda: figs.calibration_loss(fit["losses"], fit["X"], pn, best_i, near),
         f"Loss of every candidate in evaluation order (left; red: best so far) and against each parameter; blue: "
         f"candidates within {tol:g} of the best loss — their spread shows how well the data pin a parameter down."),
    ]
    table = pd.DataFrame(fit["X"], columns=pn).assign(evaluation=np.arange(len(fit["losses"])), loss=fit["losses"],
                                                       near_best=near)
    result = {"problem": problem, "window": [months[0], months[-1]], "dyads": dyads, "loss": kind,
              "replicates_per_sample": reps, "seed": seed, "popsize": popsize, "maxiter": maxiter,
              "evaluations": fit["evaluations"], "best_loss": fit["loss"], "default_loss": loss_default,
              "parameters": params, "defaults": dict(zip(pn, defaults[0].tolist())), "spread": spr,
              "fit": {d: {"sign_agreement": float(st["sign_agreement"][k]), "spearman": float(st["spearman"][k]),
                          "sign_agreement_defaults": float(st0["sign_agreement"][k]),
                          "spearman_defaults": float(st0["spearman"][k])} for k, d in enumerate(dyads)},
              "calibrated_config": "calibrated.yaml",
              "notes": ["GDELT's monthly score is a volume-sensitive Goldstein sum, so the rank_sign loss compares "
                        "only signs and Spearman rank correlation of monthly net relation, never levels: "
                        "loss = (1 − mean sign agreement) + mean (1 − ρ)/2 over dyads, in [0, 2].",
                        "Every candidate is simulated with the same replicates (common random numbers), so the loss "
                        "is a deterministic function of the parameters."]}
    return {"answer": answer, "headline": headline, "result": result, "figures": fig_list, "table": table,
            "validation": validation, "replicates": (fit["evaluations"] + 2) * reps,
            "calibrated": cal.calibrated_yaml(params, fit["loss"], kind, months)}


RUNNERS = {"sensitivity": _sensitivity, "discovery": discovery_experiment, "calibrate": _calibrate}


def check_exploration(plain: Mapping, settings: Settings) -> str:
    """The ``explore.*`` keys and the memory, checked before computing; the method."""
    ex = dict(plain["explore"])
    method = ex.get("method")
    check_keys(ex, method)
    check_memory(settings, 0, 1, 0)  # one unrecorded scenario, chunk by chunk
    if settings.chunks > 1:
        raise ConfigError("ensemble.chunks", "exploration runs its samples in one job; use ensemble.chunks=1")
    return method


def compute_exploration(plain: Mapping, settings: Settings) -> dict:
    """Run ``explore.method`` in memory (nothing written)."""
    method = check_exploration(plain, settings)
    return RUNNERS[method](plain, settings, dict(plain["explore"]))


def run_exploration(plain: Mapping, settings: Settings, out_dir: Path, computed: dict | None = None,
                    report: bool = True) -> dict:
    """Run ``explore.method`` and write its outputs into ``out_dir`` (manifest last);
    ``computed``: the method's result already computed (``compute_exploration``);
    ``report=False``: no figures and no report.html, whatever ``report.enabled`` says."""
    started, t0 = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), time.perf_counter()
    out = Path(out_dir)
    method = check_exploration(plain, settings)
    (out / "manifest.json").unlink(missing_ok=True)
    res = computed if computed is not None else RUNNERS[method](plain, settings, dict(plain["explore"]))
    config_yaml = OmegaConf.to_yaml(OmegaConf.create(dict(plain)))

    want_figs = report and plain.get("report", {}).get("enabled", True)
    if want_figs:
        log.info("building report …")
    figures, pngs = write_figures(out, res["figures"]) if want_figs else ([], {})
    result = res["result"]
    notes = result.pop("notes", [])
    summ = {
        "question": plain["question"], "start": settings.start.isoformat(), "end": settings.end.isoformat(),
        "seed": settings.seed, "replicates": res["replicates"],
        "headline": res["headline"],
        "validation": res.get("validation", {}),
        "exploration": {"method": method, "question": plain["question"], "answer": res["answer"],
                        "figures": figures, "notes": notes, **result},
    }
    summ = _clean(summ)
    write_parquet(out / "samples.parquet", res["table"])
    for name, t in res.get("tables", {}).items():  # prior.parquet, posterior.parquet (calibration)
        write_parquet(out / name, t)
    if "calibrated" in res:
        atomic_write_bytes(out / "calibrated.yaml", res["calibrated"])
    write_json(out / "summary.json", summ)
    atomic_write_bytes(out / "config.yaml", config_yaml.encode("utf-8"))
    if want_figs:
        log.info("report: %s", write_report(out, summ, pngs))
    finish(out, config_yaml, settings.seed, res["replicates"], started, t0,
           {"explore": method, "explore_seed": result.get("seed")})
    return summ

"""Calibration of the escalation layer on ICEWS21 (issue 21): regenerates the numbers that
docs/calibration.md quotes into docs/results/calibration.json.

Stages (``--stages``, default all; each replaces its own block of the results file):
  data      coded dyad-days and onsets per (directed pair, month, rung class), ICEWS21
            Jan–Aug 2021, state actors on both ends; the observation model fitted on Jan–May
  fit       the posterior (emcee) of the rate and excitation multipliers on Jan–May 2021
  sbc       simulation-based calibration of that inference (small: ``--sbc-trials``)
  check     90 % predictive intervals of monthly dyad-days, Jan–Aug 2021, at the old and the
            calibrated defaults: share of cells inside, Jan–May (fitted) and Jun–Aug (held out)
  replies   reply statistics of the data and of the model, same definitions
  counts    the counts target (sim/forecast/counts.py) on the held-out months: CRPS of monthly
            dyad-days per rung class vs persistence and climatology
  headline  P(IRN–ISR rung 5 by 2024-05-31) (defaults, ordered logit, events=none), AZE–IRN
            monthly net relation after May 2023, no_embassy_attack with the status mechanism
            on/off and over the thaw's half-life

The model runs use `start=2021-01-01 end=...` with `events=none`: the article's timeline
starts in 2022 and ICEWS21 is the period's only record, so every 2021 act is endogenous.
Usage: PYTHONPATH=. python scripts/calibrate_icews.py [--stages data,fit,...] [--replicates 500]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.api.config import resolve  # noqa: E402
from sim.calib import bridge as br  # noqa: E402
from sim.calib import icews, infer, replies, simulate  # noqa: E402
from sim.config.build import build_settings  # noqa: E402

EVENTS = Path("/work/shared/data/icews/events.csv")
OUT = ROOT / "docs" / "results" / "calibration.json"
TRAIN_END, END = "2021-05-31", "2021-08-31"
SAMPLER = infer.Sampler(walkers=12, steps=60, burn=20, reps=16)
SEED = 0
OLD = np.array([0.0, 0.0, 0.0, 1.0, 0.0])  # θ of the defaults before issue 21 (no cross-target channel)


# θ multiplies the rates and excitation of the defaults before issue 21 (fixed here, so that the
# fit reads the same base whatever the current defaults are; the calibrated defaults are θ's median)
BASE = ([f"decisions.rungs.{k}.rate={v}" for k, v in zip(range(1, 6), (0.030, 0.0012, 0.0030, 0.0060, 0.00040))]
        + [f"decisions.memory.excitation.{k}={v}" for k, v in zip(range(1, 7), (0.5, 0.7, 0.4, 0.4, 0.6, 0.0))]
        + ["decisions.memory.cross_target=0"])


def settings_for(end: str, *extra: str, base: bool = True):
    """Jan 2021 … ``end`` with no events; ``base``: at the pre-issue-21 rates (θ's origin),
    else at the current defaults."""
    cfg = resolve(None, ["start=2021-01-01", f"end={end}", "events=none", f"ensemble.seed={SEED}",
                         *(BASE if base else []), *extra])
    return build_settings(cfg)


def data_block(s) -> dict:
    pairs = simulate.directed_pairs(s.actors)
    acts = icews.read_acts(EVENTS, s.ladder, list(s.actors))
    days = icews.daily_classes(acts, pairs, s.start, s.end)
    mo, labels = icews.month_index(s.start, days.shape[1])
    n_train = labels.index(TRAIN_END[:7]) + 1
    train_days = int(np.sum(mo < n_train))
    b = br.fit(icews.cluster_sizes(days[:, :train_days]))
    return {"pairs": ["->".join(p) for p in pairs], "months": labels, "train_months": labels[:n_train],
            "classes": list(icews.CLASS_NAMES), "onset_days": icews.ONSET_DAYS,
            "dyad_days": icews.monthly(days, mo, len(labels)).tolist(),
            "onsets": icews.monthly(icews.onsets(days), mo, len(labels)).tolist(),
            "days_in_month": np.bincount(mo).tolist(),
            "bridge": {"m": b.m.tolist(), "k": b.k.tolist(), "incidents": b.n.tolist(),
                       "fitted_on": f"incidents with onset in 2021-01 … {TRAIN_END[:7]}, all six directed pairs"}}


def bridge_of(res: dict) -> br.Bridge:
    b = res["data"]["bridge"]
    return br.Bridge(np.array(b["m"]), np.array(b["k"]), np.array(b["incidents"]))


def train_arrays(res: dict):
    n = len(res["data"]["train_months"])
    D = np.array(res["data"]["dyad_days"])[:, :n]
    cap = np.array(res["data"]["days_in_month"])[:n]
    return D, cap


def fit_block(res: dict) -> dict:
    s = settings_for(TRAIN_END)
    D, cap = train_arrays(res)
    t = time.time()
    out = infer.fit(s, D, bridge_of(res), cap, SAMPLER, SEED)
    draws = out["draws"]
    theta0 = OLD
    rows = []
    for j, name in enumerate(infer.NAMES):
        lo, hi = np.quantile(draws[:, j], [0.05, 0.95])
        prior_w = 0.9 * (infer.HI[j] - infer.LO[j])
        rows.append({"parameter": name, "prior": [float(infer.LO[j]), float(infer.HI[j])],
                     "old_default": float(theta0[j]), "median": float(np.median(draws[:, j])),
                     "q05": float(lo), "q95": float(hi), "width_over_prior_width": float((hi - lo) / prior_w),
                     "old_default_inside": bool(lo <= theta0[j] <= hi)})
    med = np.median(draws, axis=0)
    return {"sampler": vars(SAMPLER), "seed": SEED, "acceptance": out["acceptance"], "seconds": time.time() - t,
            "draws": len(draws), "table": rows, "median": med.tolist(),
            "calibrated_values": infer.defaults_of(med, s),
            "thinned_draws": infer.thin(draws, 50).tolist()}


def sbc_block(res: dict, trials: int) -> dict:
    s = settings_for(TRAIN_END)
    _, cap = train_arrays(res)
    t = time.time()
    out = infer.sbc(s, bridge_of(res), cap, SAMPLER, trials, draws=19, seed=SEED + 100)
    out["seconds"] = time.time() - t
    out["sampler"] = vars(SAMPLER)
    return out


def predictive(res: dict, theta: np.ndarray | None, reps: int, rng: np.random.Generator) -> dict:
    """90 % predictive intervals of every (pair, month, class) cell, Jan–Aug."""
    s = settings_for(END, base=theta is not None)
    values = {} if theta is None else infer.values_of(np.asarray(theta)[None], s, reps)
    A, _, _ = simulate.run_counts(s, reps, values)
    b, cap = bridge_of(res), np.array(res["data"]["days_in_month"])
    sim = np.stack([b.sample(A[..., c], c, rng, cap[None, None, :]) for c in range(3)], axis=-1)
    lo, hi = np.quantile(sim, 0.05, axis=0), np.quantile(sim, 0.95, axis=0)
    D = np.array(res["data"]["dyad_days"])
    inside = (D >= lo) & (D <= hi)
    n = len(res["data"]["train_months"])
    return {"replicates": reps, "q05": lo.tolist(), "q95": hi.tolist(), "mean": sim.mean(axis=0).tolist(),
            "acts_mean": A.mean(axis=0).tolist(), "inside": inside.tolist(),
            "share_inside_all": float(inside.mean()), "share_inside_fitted_months": float(inside[:, :n].mean()),
            "share_inside_held_out_months": float(inside[:, n:].mean()),
            "share_inside_held_out_nonzero_data": float(inside[:, n:][D[:, n:] > 0].mean())
            if (D[:, n:] > 0).any() else None}


def check_block(res: dict, reps: int) -> dict:
    rng = np.random.default_rng(SEED + 7)
    return {"old_defaults": predictive(res, OLD, reps, rng),
            "calibrated": predictive(res, None, reps, rng)}


def replies_block(res: dict, reps: int) -> dict:
    s = settings_for(END, base=False)
    pairs = simulate.directed_pairs(s.actors)
    acts = icews.read_acts(EVENTS, s.ladder, list(s.actors))
    rung_days = np.zeros((len(pairs), s.n_days), dtype=np.int8)  # highest coded rung of each day
    index = {p: k for k, p in enumerate(pairs)}
    for d, a, b, r in acts[["date", "source", "target", "rung"]].itertuples(index=False):
        k, t = index[(a, b)], (d - s.start).days
        if 0 <= t < s.n_days:
            rung_days[k, t] = max(rung_days[k, t], r)
    _, daily, _ = simulate.run_counts(s, reps, {}, daily=True)  # (days, pairs, R)
    out = {"replicates": reps, "period": [str(s.start), str(s.end)], "definitions": replies.__doc__.strip()}
    cases = [("ISR->IRN rung 5", ("ISR", "IRN"), 5, "IRN->ISR rung >= 4", ("IRN", "ISR"), 4),
             ("IRN->ISR rung >= 4", ("IRN", "ISR"), 4, "ISR->IRN rung >= 4", ("ISR", "IRN"), 4),
             ("ISR->IRN rung >= 1", ("ISR", "IRN"), 1, "IRN->ISR rung >= 1", ("IRN", "ISR"), 1),
             ("AZE->IRN rung >= 1", ("AZE", "IRN"), 1, "IRN->ISR rung >= 1", ("IRN", "ISR"), 1)]
    rows = []
    for tname, tp, tk, rname, rp, rk in cases:
        data = replies.reply_stats(rung_days[index[tp]] >= tk, rung_days[index[rp]] >= rk)
        model = replies.reply_stats(daily[:, index[tp]] >= tk, daily[:, index[rp]] >= rk)
        rows.append({"trigger": tname, "response": rname, "data": data, "model": model})
    out["rows"] = rows
    return out


def observations_frame(s) -> pd.DataFrame:
    """ICEWS21 in the observations-v1 shape (month, source, target, days_rung1..6): distinct
    coded days per rung, state actors on both ends, every directed dyad and month present."""
    acts = icews.read_acts(EVENTS, s.ladder, list(s.actors))
    acts = acts.assign(month=[f"{d.year:04d}-{d.month:02d}" for d in acts.date])
    _, labels = icews.month_index(s.start, s.n_days)
    rows = []
    for a, b in simulate.directed_pairs(s.actors):
        for m in labels:
            sel = acts[(acts.source == a) & (acts.target == b) & (acts.month == m)]
            rows.append({"month": m, "source": a, "target": b,
                         **{f"days_rung{r}": int(sel[sel.rung == r].date.nunique()) for r in range(1, 7)}})
    return pd.DataFrame(rows)


def counts_block(res: dict, reps: int) -> dict:
    """The counts target on the held-out months: origins 2021-06 … 2021-08, horizons 1–3."""
    from sim.events import observations
    from sim.forecast import counts

    s = settings_for(END, base=False)
    pairs = simulate.directed_pairs(s.actors)
    A, _, months = simulate.run_counts(s, reps, {})
    # the observations file as `triad import` writes it (wt-import), checked against our own count
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "sim", "import", "table", str(EVENTS), "--state-only", "--from", "2021-01-01",
               "--to", END, "--out", tmp]
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT),
                                                                                  "PATH": "/usr/bin:/bin"})
        if proc.returncode != 0:
            raise SystemExit(f"triad import: {proc.stderr[-800:]}")
        imported = observations.read(Path(tmp) / "observations.csv")
    obs = counts.observed_classes(imported, pairs, months)
    own = counts.observed_classes(observations_frame(s), pairs, months)
    df = counts.score(A, obs, bridge_of(res), np.array(res["data"]["days_in_month"]), pairs, months,
                      ["2021-06", "2021-07", "2021-08"], [1, 2, 3], SEED)
    return {"replicates": reps, "origins": ["2021-06", "2021-07", "2021-08"], "horizons": [1, 2, 3],
            "observations": "triad import table events.csv --state-only --from 2021-01-01 --to " + END,
            "import_equals_own_count": bool(np.array_equal(obs, own)),
            "summary": counts.skill(df), "per_class": {c: counts.skill(g) for c, g in df.groupby("rung_class")}}


def _cli(run_dir: Path, *overrides: str) -> dict:
    cmd = [sys.executable, "-m", "sim", f"hydra.run.dir={run_dir}", "report.enabled=false", "record.replicates=0",
           f"ensemble.seed={SEED}", *overrides]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT),
                                                                              "PATH": "/usr/bin:/bin"})
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(overrides)}: {proc.stderr[-800:]}")
    return json.loads((run_dir / "summary.json").read_text())


def _p5(summary: dict, scenario: str = "baseline") -> dict:
    block = summary["scenarios"][scenario]["IRN-ISR"]["p_rung_at_least"]["5"]
    return {k: block[k] for k in ("p", "lo", "hi")}


def headline_block(reps: int) -> dict:
    out: dict = {"replicates": reps, "seed": SEED}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        n = f"ensemble.replicates={reps}"
        base = _cli(tmp / "base", n)
        out["p_irn_isr_rung5_defaults"] = _p5(base)
        out["p_irn_isr_rung5_ordered_logit"] = _p5(_cli(tmp / "ol", n, "decisions=ordered_logit"))
        out["p_irn_isr_rung5_events_none"] = _p5(_cli(tmp / "none", n, "events=none"))
        stats = pd.read_parquet(tmp / "base" / "stats.parquet")
        net = stats[(stats.variable == "net_relation") & (stats.source == "AZE") & (stats.target == "IRN")]
        net = net.assign(month=pd.to_datetime(net.date).dt.strftime("%Y-%m"))
        monthly = net.groupby("month")["mean"].mean()
        out["aze_irn_net_relation_monthly"] = {m: float(v) for m, v in monthly.items() if m >= "2023-01"}
        cf = {}
        for label, extra in (("status_on", []), ("status_off", ["dynamics.status.grievance=0",
                                                               "dynamics.status.affinity=0",
                                                               *[f"decisions.rungs.{k}.rupture=0" for k in range(1, 7)]])):
            summ = _cli(tmp / f"cf_{label}", n, "experiment=no_embassy_attack", *extra)
            cf[label] = summ["counterfactuals"]["no_embassy_attack"]["effects"]["AZE-IRN"]
        out["no_embassy_attack"] = cf
        curve = []
        for h in (90, 180, 370, 730, 100000):
            summ = _cli(tmp / f"thaw_{h}", n, "experiment=no_embassy_attack", f"dynamics.status.reopen_half_life_days={h}")
            eff = summ["counterfactuals"]["no_embassy_attack"]["effects"]["AZE-IRN"]
            curve.append({"reopen_half_life_days": h, "tension": eff["tension"]})
        out["no_embassy_attack_thaw_curve"] = curve
    return out


def _f(x, nd=2):
    return "–" if x is None else f"{x:.{nd}f}"


def tables(res: dict) -> str:
    """The markdown tables docs/calibration.md quotes, from the results file."""
    out = []
    d = res["data"]
    pairs, months, D = d["pairs"], d["months"], np.array(d["dyad_days"])
    n_train = len(d["train_months"])
    b = d["bridge"]
    out.append("| rung class | m (coded days per incident) | k (NB size) | incidents |\n|---|---|---|---|")
    for c, name in enumerate(d["classes"]):
        out.append(f"| {name} | {b['m'][c]:.2f} | {b['k'][c]:.3g} | {b['incidents'][c]} |")
    out.append("")
    if "posterior" in res:
        p = res["posterior"]
        out.append("| parameter | prior | pre-issue-21 value | posterior median | 90 % interval | width / prior's 90 % |"
                   "\n|---|---|---|---|---|---|")
        for r in p["table"]:
            out.append(f"| `{r['parameter']}` | U[{r['prior'][0]:g}, {r['prior'][1]:g}] | {r['old_default']:g} | "
                       f"{r['median']:.3f} | [{r['q05']:.3f}, {r['q95']:.3f}] | {r['width_over_prior_width']:.2f} |")
        out.append("")
    if "predictive_check" in res:
        for label in ("old_defaults", "calibrated"):
            c = res["predictive_check"][label]
            lo, hi, mean = np.array(c["q05"]), np.array(c["q95"]), np.array(c["mean"])
            tot = "; ".join(f"{pair} {name}: {D[k, :, cl].sum()} vs {mean[k, :, cl].sum():.1f}"
                            for k, pair in enumerate(pairs) for cl, name in enumerate(d["classes"])
                            if D[k, :, cl].sum() or mean[k, :, cl].sum() >= 1.0)
            out.append(f"Jan–Aug totals, data vs simulated mean: {tot}\n")
            out.append(f"**{label}** ({c['replicates']} replicates): share of cells inside the 90 % interval: all "
                       f"{_f(c['share_inside_all'])}, fitted months {_f(c['share_inside_fitted_months'])}, held-out "
                       f"months {_f(c['share_inside_held_out_months'])} (held-out cells with data > 0: "
                       f"{_f(c['share_inside_held_out_nonzero_data'])})\n")
            out.append("| dyad | class | " + " | ".join(months) + " |\n|---|---|" + "---|" * len(months))
            for k, pair in enumerate(pairs):
                for cl, name in enumerate(d["classes"]):
                    if D[k, :, cl].sum() == 0 and hi[k, :, cl].max() == 0:
                        continue
                    cells = []
                    for n in range(len(months)):
                        mark = "" if lo[k, n, cl] <= D[k, n, cl] <= hi[k, n, cl] else " ✗"
                        cells.append(f"{D[k, n, cl]} [{lo[k, n, cl]:.0f}, {hi[k, n, cl]:.0f}]{mark}")
                    out.append(f"| {pair} | {name} | " + " | ".join(cells) + " |")
            out.append("")
        out.append(f"(months 1–{n_train} fitted, the rest held out; rows where data and interval are all 0 omitted)\n")
    if "replies" in res:
        out.append("| trigger → response (30 days) | data: triggers, after, before, base, excess | "
                   "model: triggers, after, before, base, excess |\n|---|---|---|")
        for r in res["replies"]["rows"]:
            cell = lambda x: (f"{x['triggers']}, {_f(x['after'])}, {_f(x['before'])}, {_f(x['base'])}, "  # noqa: E731
                              f"{_f(x['excess'], 3) if x['excess'] is not None else '–'}")
            out.append(f"| {r['trigger']} → {r['response']} | {cell(r['data'])} | {cell(r['model'])} |")
        out.append("")
    if "sbc" in res:
        sb = res["sbc"]
        out.append(f"SBC: {sb['trials']} trials, rank among {sb['draws']} thinned draws (0…{sb['draws']}), 4 bins\n")
        out.append("| parameter | rank histogram | χ² p | mean normalised rank (uniform 0.5) | sd (uniform 0.29) |"
                   "\n|---|---|---|---|---|")
        for name, v in sb["per_parameter"].items():
            out.append(f"| `{name}` | {v['histogram']} | {v['p_value']:.2f} | {v['mean_normalised_rank']:.2f} | "
                       f"{v['sd_normalised_rank']:.2f} |")
        out.append("")
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stages", default="data,fit,sbc,check,replies,counts,headline")
    ap.add_argument("--replicates", type=int, default=500)
    ap.add_argument("--sbc-trials", type=int, default=12)
    ap.add_argument("--tables", action="store_true", help="print the markdown tables of the results file and exit")
    a = ap.parse_args()
    if a.tables:
        print(tables(json.loads(OUT.read_text())))
        return
    res = json.loads(OUT.read_text()) if OUT.exists() else {}
    for stage in a.stages.split(","):
        t = time.time()
        if stage == "data":
            res["data"] = data_block(settings_for(END))
        elif stage == "fit":
            res["posterior"] = fit_block(res)
        elif stage == "sbc":
            res["sbc"] = sbc_block(res, a.sbc_trials)
        elif stage == "check":
            res["predictive_check"] = check_block(res, a.replicates)
        elif stage == "replies":
            res["replies"] = replies_block(res, a.replicates)
        elif stage == "counts":
            res["counts"] = counts_block(res, a.replicates)
        elif stage == "headline":
            res["headline"] = headline_block(a.replicates)
        else:
            raise SystemExit(f"--stages: unknown stage {stage!r}; allowed: data, fit, sbc, check, replies, counts, "
                             "headline")
        key = {"fit": "posterior", "check": "predictive_check"}.get(stage, stage)
        cmd = (f"PYTHONPATH=. python scripts/calibrate_icews.py --stages {stage} --replicates {a.replicates} "
               f"--sbc-trials {a.sbc_trials}")
        print(f"{stage}: {time.time() - t:.1f} s", flush=True)
        _write(key, res[key], stage, cmd, time.time() - t)


def _write(key: str, block: dict, stage: str, cmd: str, seconds: float) -> None:
    """Merge one stage's block into the results file (re-read first: stages may run in
    parallel processes), atomically."""
    res = json.loads(OUT.read_text()) if OUT.exists() else {}
    res[key] = block
    res.setdefault("commands", {})[stage] = cmd
    res.setdefault("seconds", {})[stage] = round(seconds, 1)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_suffix(f".{stage}.tmp")
    tmp.write_text(json.dumps(res, indent=1))
    tmp.replace(OUT)


if __name__ == "__main__":
    main()

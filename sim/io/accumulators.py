"""``accumulators.npz``: the exact integer state behind a run's statistics, so the jobs
that split one ensemble (``ensemble.chunks``) merge into exactly the one-process result."""
from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from sim.io.atomic import atomic_write_bytes
from sim.runs.paired import Moments, PairedMetric


def write_accumulators(path: Path, results: dict, paired: dict) -> None:
    """Histograms, sums, incidence, route counts and paired moments of every scenario."""
    arrays: dict[str, np.ndarray] = {}
    for name, r in results.items():
        if r.stats is not None:
            arrays[f"stats/{name}/hist"] = r.stats.hist
            arrays[f"stats/{name}/sums"] = r.stats.sums
            arrays[f"stats/{name}/reached"] = r.stats.reached
            arrays[f"stats/{name}/reached_endo"] = r.stats.reached_endo
            arrays[f"stats/{name}/n"] = np.array(r.stats.n)
        arrays[f"routes/{name}/counts"] = r.routes.counts
        arrays[f"routes/{name}/step_days"] = r.routes.step_days
        arrays[f"routes/{name}/n"] = np.array(r.routes.n)
        if r.routes.endogenous is not None:
            arrays[f"routes/{name}/counts_endogenous"] = r.routes.endogenous.counts
            arrays[f"routes/{name}/step_days_endogenous"] = r.routes.endogenous.step_days
    for name, pr in paired.items():
        if pr.daily is not None:
            arrays[f"effects/{name}/hist"] = pr.daily.hist
            arrays[f"effects/{name}/sums"] = pr.daily.sums
            arrays[f"effects/{name}/n"] = np.array(pr.daily.n)
        # the paired moments are Python integers that may pass 2^63: JSON text, not int64
        arrays[f"paired/{name}"] = np.array(json.dumps(paired_moments(pr)))
    buf = io.BytesIO()
    np.savez_compressed(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())


def paired_moments(pr) -> dict:
    """A pair's exact integer moments (per metric: n, Σx, Σx² of baseline, counterfactual,
    difference) and route counts, as plain JSON values."""
    def m(metric):  # with a posterior, a 4th entry: [draw, n, Σx, Σx²] of the difference per draw
        out = [[x.n, x.s1, x.s2] for x in (metric.base, metric.cf, metric.diff)]
        return out + [[[g, x.n, x.s1, x.s2] for g, x in sorted(metric.by_draw.items())]] if metric.by_draw else out

    return {
        "p": [[*key, m(metric)] for key, metric in sorted(pr.p.items())],
        "values": [[*key, m(metric)] for key, metric in sorted(pr.values.items())],
        "lagged": [[*key, m(metric)] for key, metric in sorted(pr.lagged.items())],
        "routes": [pr.route_base.tolist(), pr.route_cf.tolist(), pr.route_both.tolist()],
    }


def add_paired_moments(pr, data: dict) -> None:
    """Add moments saved by ``paired_moments`` into a PairResult (exact: integers)."""
    for store, rows in ((pr.p, data["p"]), (pr.values, data["values"]), (pr.lagged, data.get("lagged", []))):
        for *key, mom in rows:
            b, c, d = mom[:3]
            metric = PairedMetric(Moments(*b), Moments(*c), Moments(*d),
                                  {int(g): Moments(*x) for g, *x in (mom[3] if len(mom) > 3 else [])})
            key = tuple(key)
            if key in store:
                store[key].merge(metric)
            else:
                store[key] = metric
    base, cf, both = (np.array(x, dtype=np.int64) for x in data["routes"])
    if pr.route_base is None:
        pr.route_base, pr.route_cf, pr.route_both = base, cf, both
    else:
        pr.route_base += base
        pr.route_cf += cf
        pr.route_both += both


def read_accumulators(path: Path) -> dict[str, np.ndarray]:
    with np.load(path) as z:
        return {k: z[k] for k in z.files}

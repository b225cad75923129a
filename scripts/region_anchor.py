"""First anchoring of the region's pairs (actors=region) on ICEWS counts; rewrites the
generated block of conf/actors/region.yaml.

Method (docs/region.md, "How the pairs are anchored"): within ONE segment of the ICEWS
primary stream, Jan–Aug 2021 (complete, the densest and most recent; levels are never
compared across segments, whose density differs about 10x), for each unordered dyad:
  s_conflict = conflict records / all records (quad classes, both directions),
  s_coop     = cooperative records / all records,
with state actors on both ends (`state_both`; Hezbollah is non-state, so its dyads use `all`).
Relative rates only: the two triangle dyads whose initial states the model already fixes
(AZE-ISR, IRN-ISR) pin a straight line from each share to the dyad's initial hostility
(cooperation); every other pair is read off that line and clipped to [0.02, 0.9]. Dyads with
fewer than MIN_RECORDS records take their pair type's values (data too thin); the triangle's
own pairs keep the defaults; two pairs are set from dated facts after 2021 (LITERATURE).
Both directions of a dyad start equal. Then grievance and affinity of every new pair are the
closed-form values that make the initial state a fixed point of the deterministic drift
(affine part plus the balance terms at the initial state; decisions and noise excluded).

Usage: python scripts/region_anchor.py [--refine N] [--check]
  --refine N: N simulated iterations that also cancel the decisions' mean impulses (as
  scripts/anchor_equilibrium.py does for the triangle); --check: exit 1 if the initial
  states in the file differ from the data's.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
REGION = ROOT / "conf" / "actors" / "region.yaml"
DEFAULT = ROOT / "conf" / "dynamics" / "default.yaml"
ICEWS = ROOT.parent / "shared" / "data" / "icews" / "monthly_rungs.csv"
SEGMENT = ("2021-01", "2021-08")
MIN_RECORDS = 20
TRIANGLE = ("ISR", "AZE", "IRN")
PINS = ("AZE-ISR", "IRN-ISR")
# dyad -> (hostility, cooperation, reason): facts after the 2021 segment that the counts cannot see
LITERATURE = {
    "RUS-USA": (0.70, 0.10, "Russia's invasion of Ukraine (24 Feb 2022) and the sanctions that followed; "
                            "ICEWS 2021 predates it"),
    "ISR-TUR": (0.30, 0.35, "ambassadors restored in Aug 2022 (normalisation announced 17 Aug 2022); "
                            "the 2021 counts are of the freeze before it"),
}

# missions absent on the first day (2022-09-01); unlisted: embassy open, ambassador present
STATUS = {
    "ARM_AZE": "no diplomatic relations since independence",
    "AZE_ARM": "same",
    "IRN_USA": "no relations since 1980 (Swiss and Pakistani protecting powers)",
    "USA_IRN": "same",
}


def shares(path: Path = ICEWS) -> pd.DataFrame:
    d = pd.read_csv(path)
    d = d[(d.dataset == "PRIMARY_STREAM") & (d.month >= SEGMENT[0]) & (d.month <= SEGMENT[1])]
    hz = (d.source == "HZB") | (d.target == "HZB")
    d = d[(hz & (d.actor_filter == "all")) | (~hz & (d.actor_filter == "state_both"))]
    d = d.assign(dyad=["-".join(sorted(p)) for p in zip(d.source, d.target)])
    g = d.groupby("dyad")[["n_events", "verbal_coop", "material_coop", "verbal_conflict", "material_conflict"]].sum()
    g["s_conflict"] = (g.verbal_conflict + g.material_conflict) / g.n_events.where(g.n_events > 0)
    g["s_coop"] = (g.verbal_coop + g.material_coop) / g.n_events.where(g.n_events > 0)
    return g


def _line(x: tuple[float, float], y: tuple[float, float]):
    slope = (y[1] - y[0]) / (x[1] - x[0])
    return lambda v: float(np.clip(y[0] + slope * (v - x[0]), 0.02, 0.9))


def anchor(region: dict, default: dict, g: pd.DataFrame) -> tuple[dict, dict]:
    """(initial {hostility, cooperation}, reasons) for every ordered pair of the region."""
    actors = list(region["actors"])
    ini = default["initial"]
    mean = lambda var, dy: (ini[var]["_".join(dy.split("-"))] + ini[var]["_".join(dy.split("-")[::-1])]) / 2  # noqa: E731
    to_h = _line(tuple(g.s_conflict[p] for p in PINS), tuple(mean("hostility", p) for p in PINS))
    to_c = _line(tuple(g.s_coop[p] for p in PINS), tuple(mean("cooperation", p) for p in PINS))
    dy = region["dynamics"]
    types, by_type = dy["pair_types"], dy["by_type"]
    out = {"hostility": {}, "cooperation": {}}
    why = {}
    for i, a in enumerate(actors):
        for b in actors[i + 1:]:
            dyad = "-".join(sorted((a, b)))
            if a in TRIANGLE and b in TRIANGLE:
                continue
            n = int(g.n_events.get(dyad, 0))
            if dyad in LITERATURE:
                h, c, reason = LITERATURE[dyad]
            elif n >= MIN_RECORDS:
                h, c = to_h(g.s_conflict[dyad]), to_c(g.s_coop[dyad])
                reason = f"ICEWS 2021: {n} records, conflict share {g.s_conflict[dyad]:.2f}"
            else:
                t = types.get(f"{a}_{b}") or types.get(f"{b}_{a}") or types["default"]
                h, c = by_type[t]["initial"]["hostility"], by_type[t]["initial"]["cooperation"]
                reason = f"type {t}: ICEWS 2021 has {n} records (< {MIN_RECORDS})"
            for s, t_ in ((a, b), (b, a)):
                out["hostility"][f"{s}_{t_}"] = round(h, 3)
                out["cooperation"][f"{s}_{t_}"] = round(c, 3)
            why[dyad] = reason
    return out, why


def fixed_point(region: dict, default: dict, init: dict) -> tuple[dict, dict]:
    """Grievance and affinity of the new pairs: dz/dt = 0 at the initial state."""
    actors = list(region["actors"])
    N = len(actors)
    dy = {k: {**default[k], **region["dynamics"].get(k, {})} for k in
          ("reaction", "restraint", "balance", "cooperation_damping", "reciprocity", "decay", "hostility_drag")}
    H, C = np.zeros((N, N)), np.zeros((N, N))
    for i, a in enumerate(actors):
        for j, b in enumerate(actors):
            if i != j:
                key = f"{a}_{b}"
                H[i, j] = init["hostility"].get(key, default["initial"]["hostility"].get(key, 0.0))
                C[i, j] = init["cooperation"].get(key, default["initial"]["cooperation"].get(key, 0.0))
    w = default["balance_cases"]
    g, f = {}, {}
    for i, a in enumerate(actors):
        for j, b in enumerate(actors):
            if i == j or (a in TRIANGLE and b in TRIANGLE):
                continue
            m = [x for x in range(N) if x not in (i, j)]
            bal = dy["balance"][a] / len(m)  # the engine's mean over third parties
            bal_h = bal * sum(w["friend_of_enemy"] * H[i, x] * C[j, x] + w["enemy_of_friend"] * C[i, x] * H[j, x] for x in m)
            bal_c = bal * sum(w["enemy_of_enemy"] * H[i, x] * H[j, x] + w["friend_of_friend"] * C[i, x] * C[j, x] for x in m)
            g[f"{a}_{b}"] = round(dy["restraint"][a] * H[i, j] - dy["reaction"][a] * H[j, i]
                                  + dy["cooperation_damping"][a] * C[i, j] - bal_h, 6)
            f[f"{a}_{b}"] = round(dy["decay"][a] * C[i, j] - dy["reciprocity"][a] * C[j, i]
                                  + dy["hostility_drag"][a] * H[i, j] - bal_c, 6)
    return g, f


def refine(g: dict, f: dict, iterations: int, replicates: int = 200) -> tuple[dict, dict]:
    """The closed form ignores the decisions' impulses; as scripts/anchor_equilibrium.py does
    for the triangle, simulate a quiet year (events=none) and move each new pair's (g, f) by
    A·(mean − initial), damped, so the ensemble mean rests at the initial state. The
    triangle's pairs are left alone."""
    sys.path.insert(0, str(ROOT / "tests"))
    from conftest import deep_update, plain_cfg
    from sim.config.build import build_settings
    from sim.engine import dynamics as dyn
    from sim.engine.model import TriadModel
    from sim.engine.settings import Scenario

    for it in range(iterations):
        cfg = deep_update(plain_cfg(["actors=region", "events=none", "start=2020-01-01", "end=2020-12-31",
                                     "record.replicates=0"]), {"dynamics": {"grievance": g, "affinity": f}})
        s = build_settings(cfg)
        acc, n = np.zeros((2, len(s.actors), len(s.actors))), [0]

        def grab(t, m, acc=acc, n=n):
            if t >= 240:
                acc[:] += m.S.mean(axis=-1)
                n[0] += 1

        TriadModel(s, Scenario("b", ()), 0, replicates, [grab]).run()
        zbar, z0 = acc / n[0], np.stack([s.initial_hostility, s.initial_cooperation])
        A, _ = dyn.affine_system(s.params.drift)
        worst, at = 0.0, ""
        for p, (i, j) in enumerate(zip(*dyn.unordered_pairs(len(s.actors)))):
            a, b = s.actors[i], s.actors[j]
            if a in TRIANGLE and b in TRIANGLE:
                continue
            dz = np.array([zbar[0, i, j] - z0[0, i, j], zbar[0, j, i] - z0[0, j, i],
                           zbar[1, i, j] - z0[1, i, j], zbar[1, j, i] - z0[1, j, i]])
            if float(np.abs(dz).max()) > worst:
                worst, at = float(np.abs(dz).max()), f"{a}-{b}"
            db = 0.7 * (A[0, p] @ dz)
            g[f"{a}_{b}"] = round(g[f"{a}_{b}"] + float(db[0]), 6)
            g[f"{b}_{a}"] = round(g[f"{b}_{a}"] + float(db[1]), 6)
            f[f"{a}_{b}"] = round(f[f"{a}_{b}"] + float(db[2]), 6)
            f[f"{b}_{a}"] = round(f[f"{b}_{a}"] + float(db[3]), 6)
        print(f"iteration {it}: max |mean - initial| over new pairs = {worst:.4f} ({at})", file=sys.stderr)
    return g, f


def block(init: dict, why: dict, g: dict, f: dict) -> str:
    lines = ["  # BEGIN generated by scripts/region_anchor.py (do not edit by hand; rerun the script)"]
    lines += [f"  # {d}: {r}" for d, r in sorted(why.items())]
    lines += ["  initial:", "    status:"] + [f"      {k}: {{embassy: none, ambassador: none}}   # {r}"
                                               for k, r in STATUS.items()]
    lines += ["    hostility:"] + [f"      {k}: {v}" for k, v in init["hostility"].items()]
    lines += ["    cooperation:"] + [f"      {k}: {v}" for k, v in init["cooperation"].items()]
    lines += ["  grievance:"] + [f"    {k}: {v}" for k, v in g.items()]
    lines += ["  affinity:"] + [f"    {k}: {v}" for k, v in f.items()]
    return "\n".join(lines + ["  # END generated"])


def main() -> int:
    text = REGION.read_text("utf-8")
    head = re.split(r"\n  # BEGIN generated.*", text, flags=re.S)[0]
    region, default = yaml.safe_load(head), yaml.safe_load(DEFAULT.read_text("utf-8"))
    init, why = anchor(region, default, shares())
    g, f = fixed_point(region, default, init)
    if "--check" in sys.argv:  # the data-anchored initial states are current (the refined rates are not re-run)
        return int(any(f"      {k}: {v}\n" not in text for var in init.values() for k, v in var.items()))
    n_iter = int(sys.argv[sys.argv.index("--refine") + 1]) if "--refine" in sys.argv else 0
    if n_iter:
        REGION.write_text(head.rstrip("\n") + "\n" + block(init, why, g, f) + "\n", "utf-8")  # refine reads it
        g, f = refine(g, f, n_iter)
    new = head.rstrip("\n") + "\n" + block(init, why, g, f) + "\n"
    REGION.write_text(new, "utf-8")
    print(f"wrote {REGION.relative_to(ROOT)} ({len(why)} dyads)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

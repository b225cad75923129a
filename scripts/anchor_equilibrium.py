"""Choose grievance and affinity so the initial state is the ensemble's resting point.

With no exogenous events (but decisions, noise and balance on), the drift of each pair's
mean state is pushed to zero at the configured initial values: repeatedly simulate,
measure the mean state late in a quiet year, and move b by A·(z̄ − z₀), the change that
shifts the affine fixed point back to z₀. Prints the YAML for conf/dynamics/default.yaml.

Usage: python scripts/anchor_equilibrium.py [hydra overrides...]
"""
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import deep_update, plain_cfg  # noqa: E402
from sim.config.build import build_settings  # noqa: E402
from sim.engine import dynamics as dyn  # noqa: E402
from sim.engine.model import TriadModel  # noqa: E402
from sim.engine.settings import Scenario  # noqa: E402

cfg = plain_cfg(["events=none", "start=2020-01-01", "end=2020-12-31", "record.replicates=0", *sys.argv[1:]])
actors = list(cfg["actors"])
N = len(actors)
for it in range(12):
    s = build_settings(cfg)
    acc = np.zeros((2, N, N))
    n = 0

    def grab(t, m):
        global acc, n
        if t >= 240:
            acc += m.S.mean(axis=-1)
            n += 1

    TriadModel(s, Scenario("b", ()), 0, 500, [grab]).run()
    zbar = acc / n
    z0 = np.stack([s.initial_hostility, s.initial_cooperation])
    A, _ = dyn.affine_system(s.params.drift)
    I, J = dyn.unordered_pairs(N)
    g = np.array([[cfg["dynamics"]["grievance"].get(f"{a}_{b}", 0.0) if a != b else 0 for b in actors] for a in actors])
    f = np.array([[cfg["dynamics"]["affinity"].get(f"{a}_{b}", 0.0) if a != b else 0 for b in actors] for a in actors])
    for p, (i, j) in enumerate(zip(I, J)):
        dz = np.array([zbar[0, i, j] - z0[0, i, j], zbar[0, j, i] - z0[0, j, i],
                       zbar[1, i, j] - z0[1, i, j], zbar[1, j, i] - z0[1, j, i]])
        db = 0.7 * (A[0, p] @ dz)  # damped: decisions add feedback the affine A does not see
        g[i, j] += db[0]; g[j, i] += db[1]; f[i, j] += db[2]; f[j, i] += db[3]
    dev = np.abs(zbar - z0)
    w = np.unravel_index(np.argmax(dev), dev.shape)
    print(f"iteration {it}: max |mean - initial| = {dev.max():.4f} at {'HC'[w[0]]} {actors[w[1]]}->{actors[w[2]]}", file=sys.stderr)
    cfg = deep_update(cfg, {"dynamics": {
        "grievance": {f"{a}_{b}": round(float(g[i, j]), 5) for i, a in enumerate(actors) for j, b in enumerate(actors) if i != j},
        "affinity": {f"{a}_{b}": round(float(f[i, j]), 5) for i, a in enumerate(actors) for j, b in enumerate(actors) if i != j},
    }})
print("grievance:")
for k, v in cfg["dynamics"]["grievance"].items():
    print(f"  {k}: {v}")
print("affinity:")
for k, v in cfg["dynamics"]["affinity"].items():
    print(f"  {k}: {v}")

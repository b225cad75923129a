"""A plain scalar Mesa implementation of the triad model: the reference for the
differential test and the baseline for the speed benchmark.

This is the model as a Mesa user would write it without vectorising anything: one
``mesa.Model`` per replicate, one ``mesa.Agent`` per state, the state held in nested
Python lists of floats, and a day loop with the same phase order as ``sim/model.py``:

1. parameter switches dated today take effect;
2. the day's random numbers (noise and decision uniforms for every ordered pair);
3. exogenous events realised today apply their impulses, in event-id order; then H, C
   and P are clipped to [0, 1];
4. every agent decides its hostile rung and cooperative level toward each other actor;
5. the endogenous acts apply their impulses;
6. ladder bookkeeping: dyad-day rung, war streak, highest rung so far;
7. drift: exact affine step, plus balance terms evaluated before it, plus noise; clip;
8. provocation decays by one day of its half-life.

It shares nothing with the engine but the validated ``Settings`` (parameters) and, when
asked, the engine's random numbers for one replicate (``EngineDraws``), which is what the
differential test feeds it. By default each replicate has its own numpy ``Generator``
(``OwnDraws``), which is the honest baseline for speed.
"""
from __future__ import annotations

import math
import sys
from pathlib import Path

import mesa
import numpy as np
from scipy.linalg import expm

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.engine import cameo  # noqa: E402  (the CAMEO table is data, not engine logic)
from sim.engine.events import realise  # noqa: E402
from sim.engine.rng import Stream  # noqa: E402


# -- random numbers for one replicate ---------------------------------------------------
class OwnDraws:
    """Replicate ``r``'s numbers from its own generator (not the engine's streams)."""

    def __init__(self, settings, r: int):
        self.settings = settings
        self.rng = np.random.default_rng([settings.seed, r])

    def events(self, events) -> list[tuple[int, bool]]:
        """(day or -1, attributed) of every event: uniform in its window, anchors followed."""
        s, by_id, out = self.settings, {ev.id: ev for ev in events}, {}
        u = {ev.id: self.rng.random(3).tolist() for ev in events}  # (date, attribution, lag)

        def resolve(ev) -> int:
            if ev.id not in out:
                w_lo, w_hi = ((d - s.start).days + ev.shift_days for d in ev.window())
                a, b = max(w_lo, 0), min(w_hi, s.n_days - 1)
                u_date, u_attr, u_lag = u[ev.id]
                if a > b:
                    day = -1
                elif ev.anchor is None:
                    day = a + int(u_date * (b - a + 1))
                else:
                    base = resolve(by_id[ev.anchor])
                    lag = ev.lag_days[0] + int(u_lag * (ev.lag_days[1] - ev.lag_days[0] + 1))
                    day = min(max(base + lag, a), b) if base >= 0 else -1
                out[ev.id] = (day, day >= 0 and u_attr < ev.attribution)
            return out[ev.id][0]

        for ev in events:
            resolve(ev)
        return [out[ev.id] for ev in events]

    def day(self, K: int) -> tuple[list[float], list[float], list[float], list[float]]:
        """Normal noise for H and C, uniforms for the hostile and cooperative decisions."""
        z = self.rng.standard_normal(2 * K).tolist()
        u = self.rng.random(2 * K).tolist()
        return z[:K], z[K:], u[:K], u[K:]


class EngineDraws:
    """The engine's own numbers for replicate ``r`` (keyed streams, spec §6)."""

    def __init__(self, settings, r: int):
        self.settings, self.r = settings, r
        self.noise = Stream(settings.seed, "noise", r, r + 1)
        self.decide = Stream(settings.seed, "decide", r, r + 1)

    def events(self, events) -> list[tuple[int, bool]]:
        s = self.settings
        rl = realise(events, s.start, s.n_days, s.seed, self.r, self.r + 1)
        return [(int(rl.day[k, 0]), bool(rl.attributed[k, 0])) for k in range(len(events))]

    def day(self, K: int):
        z = self.noise.normal((2, K))[:, :, 0].tolist()
        u = self.decide.uniform((2, K))[:, :, 0].tolist()
        return z[0], z[1], u[0], u[1]


def logistic(u: float) -> float:
    return -math.inf if u == 0.0 else math.log(u) - math.log1p(-u)


def rung_of(code: str, roots: dict) -> int:
    """Longest configured CAMEO prefix wins; 0 if none matches."""
    for n in range(len(code), 0, -1):
        if code[:n] in roots:
            return roots[code[:n]]
    return 0


# -- the agents and the model -----------------------------------------------------------
class State(mesa.Agent):
    """One state; decides toward every other actor from its own row of H, C and P."""

    def __init__(self, model: "ScalarTriad", code: str, index: int):
        super().__init__(model)
        self.code, self.index = code, index

    def decide(self) -> None:
        m, d, i = self.model, self.model.dec, self.index
        for j in range(m.N):
            if j == i:
                continue
            y = d.hostility_weight * m.H[i][j] + d.provocation_weight * m.P[i][j] - d.cooperation_weight * m.C[i][j]
            y -= d.deterrence_weight * (m.cap[j] - m.cap[i])
            y += m.eps_h[i][j]
            m.rung[i][j] = sum(1 for c in m.thresholds if c < y)
            yc = d.coop_cooperation_weight * m.C[i][j] - d.coop_hostility_weight * m.H[i][j] + m.eps_c[i][j]
            m.level[i][j] = sum(1 for c in m.coop_thresholds if c < yc)


class ScalarTriad(mesa.Model):
    """One replicate of the N-actor model, scalar throughout."""

    def __init__(self, settings, draws, scenario=None, record: bool = False):
        super().__init__(seed=settings.seed)
        self.settings, self.draws, self.record = settings, draws, record
        actors = settings.actors
        N = self.N = len(actors)
        self.pairs = [(i, j) for i in range(N) for j in range(N) if i != j]  # row-major
        self.dyads = [(i, j) for i in range(N) for j in range(i + 1, N)]
        self.dyad_index = {}
        for d, (i, j) in enumerate(self.dyads):
            self.dyad_index[i, j] = self.dyad_index[j, i] = d
        names = sorted(f"{actors[i]}_{actors[j]}" for i, j in self.pairs)  # draw rows
        self.row = [names.index(f"{actors[i]}_{actors[j]}") for i, j in self.pairs]
        self.K = len(self.pairs)

        self.H = [[float(settings.initial_hostility[i, j]) for j in range(N)] for i in range(N)]
        self.C = [[float(settings.initial_cooperation[i, j]) for j in range(N)] for i in range(N)]
        self.P = [[0.0] * N for _ in range(N)]
        self.eps_h = [[-math.inf] * N for _ in range(N)]
        self.eps_c = [[-math.inf] * N for _ in range(N)]
        self.noise_h = [[0.0] * N for _ in range(N)]
        self.noise_c = [[0.0] * N for _ in range(N)]
        self.rung = [[0] * N for _ in range(N)]
        self.level = [[0] * N for _ in range(N)]
        D = len(self.dyads)
        self.dyad_rung, self.max_rung, self.streak = [0] * D, [0] * D, [0] * D

        lad = settings.ladder
        self.thresholds = [float(x) for x in lad.thresholds]
        self.coop_thresholds = [float(x) for x in lad.cooperative_thresholds]
        self.war_days = lad.war_sustained_days
        self.hostile_mag = [0.0] + [abs(cameo.lookup(c).goldstein) / 10 for c in lad.acts]
        self.coop_mag = [0.0] + [cameo.lookup(c).goldstein / 10 for c in lad.cooperative_acts]

        events = settings.events if scenario is None else scenario.events
        self.switches = {} if scenario is None else dict(scenario.switches)
        self.events_on: dict[int, list] = {}  # day -> events that happen and are attributed
        realised = sorted(zip(events, draws.events(events)), key=lambda x: x[0].id)  # a day's events in id order
        for ev, (day, attributed) in realised:
            if day >= 0 and attributed:
                rung = rung_of(ev.cameo, lad.roots) if ev.goldstein < 0 else 0
                self.events_on.setdefault(day, []).append(
                    (actors.index(ev.source), actors.index(ev.target), ev.goldstein, ev.scale, ev.mutual, rung))

        for k, code in enumerate(actors):
            State(self, code, k)
        self.day = 0
        self.history: list[tuple] = []
        self.use(settings.params)

    def use(self, p) -> None:
        """Take a parameter set: scalars, and the exact one-day step of every dyad."""
        self.p, self.dec = p, p.decisions
        self.cap = [float(x) for x in p.capability]
        dr = p.drift
        actor = lambda a, i: float(a[i, 0])  # noqa: E731  (config parameters are shared: Rp = 1)
        self.bal = [actor(dr.balance, i) for i in range(self.N)]
        self.has_balance = any(b != 0.0 for b in self.bal)
        self.Phi, self.phi = [], []
        for i, j in self.dyads:  # z = (H_ij, H_ji, C_ij, C_ji): dz/dt = A z + b
            A = [[-actor(dr.restraint, i), actor(dr.reaction, i), -actor(dr.cooperation_damping, i), 0.0],
                 [actor(dr.reaction, j), -actor(dr.restraint, j), 0.0, -actor(dr.cooperation_damping, j)],
                 [-actor(dr.hostility_drag, i), 0.0, -actor(dr.decay, i), actor(dr.reciprocity, i)],
                 [0.0, -actor(dr.hostility_drag, j), actor(dr.reciprocity, j), -actor(dr.decay, j)]]
            b = [float(dr.grievance[i, j, 0]), float(dr.grievance[j, i, 0]),
                 float(dr.affinity[i, j, 0]), float(dr.affinity[j, i, 0])]
            M = [row + [bk] for row, bk in zip(A, b)] + [[0.0] * 5]  # augmented: singular A is fine
            E = expm(np.array(M)).tolist()  # once per parameter set, never in the day loop
            self.Phi.append([row[:4] for row in E[:4]])
            self.phi.append([row[4] for row in E[:4]])
        self.keep = 0.5 ** (1.0 / self.dec.provocation_half_life_days)

    # -- one day ------------------------------------------------------------------------
    def step(self) -> None:
        t = self.day
        if t in self.switches:
            self.use(self.switches[t])
        zh, zc, uh, uc = self.draws.day(self.K)
        for k, (i, j) in enumerate(self.pairs):
            r = self.row[k]
            self.noise_h[i][j], self.noise_c[i][j] = zh[r], zc[r]
            self.eps_h[i][j], self.eps_c[i][j] = logistic(uh[r]), logistic(uc[r])
        self.dyad_rung = [0] * len(self.dyads)
        self.apply_events(t)
        if self.dec.enabled:
            self.agents.do("decide")
            self.apply_acts()
        else:
            self.rung = [[0] * self.N for _ in range(self.N)]
            self.level = [[0] * self.N for _ in range(self.N)]
        self.bookkeeping()
        self.drift()
        for row in self.P:
            for j in range(self.N):
                row[j] *= self.keep
        if self.record:
            self.history.append(([r[:] for r in self.H], [r[:] for r in self.C], [r[:] for r in self.P],
                                 self.dyad_rung[:], self.max_rung[:]))
        self.day += 1

    def run(self) -> "ScalarTriad":
        for _ in range(self.settings.n_days):
            self.step()
        return self

    def apply_events(self, t: int) -> None:
        p, H, C, P = self.p, self.H, self.C, self.P
        for s, g, w, scale, mutual, rung in self.events_on.get(t, ()):
            m = abs(w) / 10.0 * scale
            for a, b in ((s, g), (g, s)) if mutual else ((s, g),):
                if w < 0:
                    H[b][a] += p.impulse_hostility * m
                    P[b][a] += m
                    H[a][b] += p.impulse_commitment * m
                elif w > 0:
                    C[b][a] += p.impulse_cooperation * m
                    C[a][b] += p.impulse_commitment * m
            if rung > 0:
                d = self.dyad_index[s, g]
                self.dyad_rung[d] = max(self.dyad_rung[d], rung)
        if t in self.events_on:  # decisions read a state inside [0, 1]
            for X in (H, C, P):
                for row in X:
                    for j in range(self.N):
                        row[j] = min(max(row[j], 0.0), 1.0)

    def apply_acts(self) -> None:
        p, H, C, P, rung, level = self.p, self.H, self.C, self.P, self.rung, self.level
        hm, cm = self.hostile_mag, self.coop_mag
        for i, j in self.pairs:
            H[i][j] += p.impulse_commitment * hm[rung[i][j]] + p.impulse_hostility * hm[rung[j][i]]
            P[i][j] = min(max(P[i][j] + hm[rung[j][i]], 0.0), 1.0)
            C[i][j] += p.impulse_commitment * cm[level[i][j]] + p.impulse_cooperation * cm[level[j][i]]
        for d, (i, j) in enumerate(self.dyads):
            self.dyad_rung[d] = max(self.dyad_rung[d], rung[i][j], rung[j][i])

    def bookkeeping(self) -> None:
        for d in range(len(self.dyads)):
            self.streak[d] = self.streak[d] + 1 if self.dyad_rung[d] >= 5 else 0
            if self.streak[d] >= self.war_days:
                self.dyad_rung[d] = 6
            self.max_rung[d] = max(self.max_rung[d], self.dyad_rung[d])

    def drift(self) -> None:
        p, H, C, N = self.p, self.H, self.C, self.N
        if self.has_balance:  # on the state before the step: Σ_m C_jm H_im and Σ_m H_jm H_im
            dH = {(i, j): self.bal[i] * sum(H[i][m] * C[j][m] for m in range(N)) for i, j in self.pairs}
            dC = {(i, j): self.bal[i] * sum(H[i][m] * H[j][m] for m in range(N)) for i, j in self.pairs}
        for d, (i, j) in enumerate(self.dyads):
            z = (H[i][j], H[j][i], C[i][j], C[j][i])
            Phi, phi = self.Phi[d], self.phi[d]
            new = [sum(Phi[a][b] * z[b] for b in range(4)) + phi[a] for a in range(4)]
            H[i][j], H[j][i], C[i][j], C[j][i] = new
        for i, j in self.pairs:
            h, c = H[i][j], C[i][j]
            if self.has_balance:
                h += dH[i, j]
                c += dC[i, j]
            h += p.noise_hostility * self.noise_h[i][j]  # σ·√dt with dt = 1 day
            c += p.noise_cooperation * self.noise_c[i][j]
            H[i][j], C[i][j] = min(max(h, 0.0), 1.0), min(max(c, 0.0), 1.0)


def run_replicate(settings, r: int, draws: str = "own", scenario=None, record: bool = False) -> ScalarTriad:
    """Simulate replicate ``r`` over the whole horizon; ``draws`` is "own" or "engine"."""
    source = (OwnDraws if draws == "own" else EngineDraws)(settings, r)
    return ScalarTriad(settings, source, scenario, record).run()


def run_scalar(settings, replicates, draws: str = "own") -> list[ScalarTriad]:
    """Replicates one after another, as a Mesa user would loop over seeds."""
    return [run_replicate(settings, r, draws) for r in replicates]


if __name__ == "__main__":
    import time

    from hydra import compose, initialize_config_dir

    from sim.config.build import build_settings
    from sim.config.validate import validate

    with initialize_config_dir(config_dir=str(Path(__file__).resolve().parents[1] / "conf"), version_base="1.3"):
        s = build_settings(validate(compose(config_name="config")))
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    t0 = time.perf_counter()
    models = run_scalar(s, range(n))
    wall = time.perf_counter() - t0
    print(f"{n} replicates x {s.n_days} days in {wall:.2f} s: {n * s.n_days / wall:,.0f} replicate-days/s; "
          f"max rungs of replicate 0: {models[0].max_rung}")

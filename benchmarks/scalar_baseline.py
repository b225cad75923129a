"""A plain scalar Mesa implementation of the triad model: the reference for the
differential test and the baseline for the speed benchmark.

This is the model as a Mesa user would write it without vectorising anything: one
``mesa.Model`` per replicate, one ``mesa.Agent`` per state, the state held in nested
Python lists of floats, and a day loop with the same phase order as ``sim/model.py``:

1. parameter switches dated today take effect;
2. the day's random numbers (noise and decision uniforms for every ordered pair);
3. exogenous events realised today, in event-id order: their status changes (a dyad's
   rupture shifts its drift inputs until another event changes it), then their impulses
   (events of one occasion with their bounded joint magnitude); then H, C and P are
   clipped to [0, 1];
4. every agent decides its hostile rung and cooperative level toward each other actor, by
   its rule: ordered logit, or reciprocal (rung hazards plus the memory of received acts,
   drawn as competing risks with the same uniform);
5. the endogenous acts apply their impulses; each agent settles and adds to its traces;
6. ladder bookkeeping: dyad-day rung, war streak, highest rung so far;
7. drift: exact affine step (plus the status offset), plus balance terms evaluated
   before it, plus noise; clip;
8. provocation decays by one day of its half-life; the traces decay by one day.

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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from scalar_draws import EngineDraws, OwnDraws  # noqa: E402
from scalar_events import THAW, changes, logistic, occasion_magnitudes, rung_of, rupture, status_direction  # noqa: E402

from sim.engine import cameo  # noqa: E402  (the CAMEO table is data, not engine logic)


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
            if d.rules[i] == "reciprocal":
                m.rung[i][j] = self.reciprocal(j)
                yc = d.coop_cooperation_weight * m.C[i][j] - d.coop_hostility_weight * m.H[i][j] + m.eps_c[i][j]
                m.level[i][j] = sum(1 for c in m.coop_thresholds if c < yc)
                continue
            y = d.hostility_weight * m.H[i][j] + d.provocation_weight * m.P[i][j] - d.cooperation_weight * m.C[i][j]
            y -= d.deterrence_weight * (m.cap[j] - m.cap[i])
            y += m.eps_h[i][j]
            m.rung[i][j] = sum(1 for c in m.thresholds if c < y)
            yc = d.coop_cooperation_weight * m.C[i][j] - d.coop_hostility_weight * m.H[i][j] + m.eps_c[i][j]
            m.level[i][j] = sum(1 for c in m.coop_thresholds if c < yc)


    def reciprocal(self, j: int) -> int:
        """Competing rung hazards plus the memory of j's acts, one uniform (as the engine)."""
        m, d, i = self.model, self.model.dec, self.index
        h, c, p, gap = m.H[i][j], m.C[i][j], m.P[i][j], m.cap[j] - m.cap[i]
        mem, msum = [0.0] * 6, 0.0
        has = any(x != 0.0 for x in m.M[i][j])
        if has:
            g = math.exp(-m.mem_det * gap)
            for n in range(6):
                msum += m.acol[n] * m.M[i][j][n]
            msum *= g
            for k in range(6):
                s = 0.0
                for n in range(6):
                    s += m.alpha[k][n] * m.M[i][j][n]
                mem[k] = g * s
        rate = [float(x) for x in d.rung_rate[:, 0]]
        beta, gamma, psi, delta, eta = ([float(x) for x in a[:, 0]] for a in (
            d.rung_hostility, d.rung_provocation, d.rung_cooperation, d.rung_deterrence, d.rung_rupture))
        dr = m.drho[m.dyad_index[i, j]]  # the dyad's diplomatic rupture
        x = min(beta) * (h - 1.0) + max(gamma) * p - min(psi) * c
        x -= (min(delta) if gap >= 0.0 else max(delta)) * gap
        if dr != 0.0:
            x += (max(eta) if dr >= 0.0 else min(eta)) * dr
        bound = 1.0 / (1.0 - x) if x < 0.5 else math.exp(x)
        u = m.u_h[i][j]
        rsum = 0.0
        for v in rate:
            rsum += v
        if u < 1.0 - (rsum * bound + msum):  # the engine's exact fast path: no act
            return 0
        lam, total = [], 0.0
        for k in range(6):
            y = beta[k] * (h - 1.0) + gamma[k] * p - psi[k] * c
            y -= delta[k] * gap
            if dr != 0.0:
                y += eta[k] * dr
            lam.append(rate[k] * math.exp(y) + mem[k] if has else rate[k] * math.exp(y))
            total += lam[k]
        if total <= 0.0:
            return 0
        e = math.exp(-total)
        if u < e:
            return 0
        t = 1.0
        for k in range(5, -1, -1):
            t -= lam[k] / total * (1.0 - e)
            if u >= t:
                return k + 1
        return next((k + 1 for k in range(6) if lam[k] > 0.0), 0)

    def receive(self) -> None:
        m, i = self.model, self.index
        if not m.uses_memory:
            return
        for j in range(m.N):
            if j == i:
                continue
            for n in range(m.rung[i][j]):  # my act settles what I received at or below its rung
                m.M[i][j][n] *= 1.0 - m.dec.memory_discharge
        for j in range(m.N):  # then what I received (all discharges first), and the cross-target channel
            if j == i or m.rung[j][i] == 0:
                continue
            m.M[i][j][m.rung[j][i] - 1] += 1.0
            w = float(m.dec.memory_cross_target)
            if w > 0.0:
                for a in range(m.N):
                    if a not in (i, j):
                        m.M[i][a][m.rung[j][i] - 1] += w * 0.5 * (m.C[j][a] + m.C[a][j]) * m.H[i][a]

    def forget(self) -> None:
        m = self.model
        if m.uses_memory:
            for row in m.M[self.index]:
                for n in range(6):
                    row[n] *= m.mem_keep


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
        self.u_h = [[0.0] * N for _ in range(N)]
        self.M = [[[0.0] * 6 for _ in range(N)] for _ in range(N)]  # traces: receiver, source, rung
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
        # the status-aware menu (issue 21): a dyad without relations has its own acts
        self.hostile_mag_norel = [0.0] + [abs(cameo.lookup(c).goldstein) / 10 for c in lad.acts_for(False)]
        self.coop_mag = [0.0] + [cameo.lookup(c).goldstein / 10 for c in lad.cooperative_acts]

        events = settings.events if scenario is None else scenario.events
        self.switches = {} if scenario is None else dict(scenario.switches)
        self.events_on: dict[int, list] = {}  # day -> events that happen and are attributed
        self.ids_on: dict[int, list] = {}  # day -> their ids, same order (the thaw's draws are keyed by id)
        self.draws = draws
        self.reopen: dict[tuple, int] = {}  # (holder, host, key) -> day a downgraded status returns to normal
        realised = sorted(zip(events, draws.events(events)), key=lambda x: x[0].id)  # a day's events in id order
        occ = []  # acts of occasions: (key, channel, day, raw magnitude)
        for ev, (day, attributed) in realised:
            if day >= 0 and attributed and ev.occasion is not None and ev.goldstein != 0:
                pairs = [(ev.source, ev.target), (ev.target, ev.source)] if ev.mutual else [(ev.source, ev.target)]
                for n, (x, y) in enumerate(pairs):
                    occ.append(((ev.id, n), (ev.occasion, x, y, ev.goldstein > 0), day,
                                ev.scale * abs(ev.goldstein) / 10.0))
        shares = occasion_magnitudes(occ, *settings.occasion)
        for ev, (day, attributed) in realised:
            if day >= 0 and attributed:
                rung = rung_of(ev.cameo, lad.roots) if ev.goldstein < 0 else 0
                mags = None if ev.occasion is None else [shares.get((ev.id, n), 0.0) for n in range(2)]
                self.events_on.setdefault(day, []).append(
                    (actors.index(ev.source), actors.index(ev.target), ev.goldstein, ev.scale, ev.mutual, rung,
                     mags, changes(ev, actors)))
                self.ids_on.setdefault(day, []).append(ev.id)
        # diplomatic status of each mission (i's in j): key -> code; each dyad's rupture since day 0
        codes = settings.initial_status
        self.status = {(i, j): {k: int(codes[i, j, n]) if codes is not None else [1, 1, 0][n]
                                for n, k in enumerate(("embassy", "ambassador", "staff"))}
                       for i in range(N) for j in range(N) if i != j}
        self.rho0 = [rupture(self.status, i, j) for i, j in self.dyads]
        self.drho = [0.0] * len(self.dyads)

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
        # the mean over the N−2 third parties, as the engine (sim/engine/model.py)
        self.bal = [actor(dr.balance, i) / max(self.N - 2, 1) for i in range(self.N)]
        self.has_balance = any(b != 0.0 for b in self.bal)
        self.w_ff, self.w_ef, self.w_fe, self.w_ee = (float(x) for x in (p.balance_ff, p.balance_ef, p.balance_fe,
                                                                         p.balance_ee))
        self.Phi, self.phi, self.status_dir = [], [], []
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
            self.status_dir.append(status_direction(A, float(p.status_grievance), float(p.status_affinity)))
        self.keep = 0.5 ** (1.0 / self.dec.provocation_half_life_days)
        d = self.dec
        self.uses_memory = "reciprocal" in d.rules
        self.mem_keep = 0.5 ** (1.0 / d.memory_half_life_days)
        self.mem_det = float(d.memory_deterrence_weight)
        spread = (d.memory_spread_down, d.memory_spread_same, d.memory_spread_up)
        self.alpha = [[0.0] * 6 for _ in range(6)]  # α[k][m]: rung-(k+1) replies per unit rung-(m+1) trace
        for n in range(6):
            cells = [(n + s, w) for s, w in zip((-1, 0, 1), spread) if 0 <= n + s < 5]
            total = sum(w for _, w in cells)
            for k, w in cells:
                if total > 0:
                    self.alpha[k][n] = (1.0 - self.mem_keep) * float(d.memory_excitation[n, 0]) * (w / total)
        self.acol = [0.0] * 6  # replies per unit of each trace (column sums of α)
        for n in range(6):
            for k in range(6):
                self.acol[n] += self.alpha[k][n]

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
            self.u_h[i][j] = uh[r]
        self.dyad_rung = [0] * len(self.dyads)
        self.thaw(t)
        self.apply_events(t)
        if self.dec.enabled:
            self.agents.do("decide")
            self.apply_acts()
            self.agents.do("receive")
        else:
            self.rung = [[0] * self.N for _ in range(self.N)]
            self.level = [[0] * self.N for _ in range(self.N)]
        self.bookkeeping()
        self.drift()
        for row in self.P:
            for j in range(self.N):
                row[j] *= self.keep
        self.agents.do("forget")
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
        today = self.events_on.get(t, ())
        for eid, (*_, status) in zip(self.ids_on.get(t, ()), today):  # statuses persist until changed or thawed
            for i, j, key, code in status:
                self.status[i, j][key] = code
                if key in THAW and code == THAW[key][0]:
                    self.reopen[i, j, key] = t + self.draws.thaw(eid, float(p.status_reopen_half_life_days))
                else:
                    self.reopen.pop((i, j, key), None)
            if status:
                d = self.dyad_index[status[0][0], status[0][1]]
                i, j = self.dyads[d]
                self.drho[d] = min(max(rupture(self.status, i, j) - self.rho0[d], -1.0), 1.0)
        for s, g, w, scale, mutual, rung, mags, _ in today:
            m = abs(w) / 10.0 * scale
            for n, (a, b) in enumerate(((s, g), (g, s)) if mutual else ((s, g),)):
                if mags is not None:
                    m = mags[n]
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
        if self.uses_memory:  # traces: all discharges, then the increments (an occasion's act: its share),
            # after the impulses (the cross-target channel reads the cooperation they left, as the engine)
            acts = [(a, b, rung, scale if mags is None else mags[n] * (10.0 / abs(w)))
                    for s, g, w, scale, mutual, rung, mags, _ in today if rung > 0
                    for n, (a, b) in enumerate(((s, g), (g, s)) if mutual else ((s, g),))]
            for a, b, rung, _ in acts:
                for n in range(rung):
                    self.M[a][b][n] *= 1.0 - self.dec.memory_discharge
            cross = float(self.dec.memory_cross_target)
            for a, b, rung, scale in acts:
                self.M[b][a][rung - 1] += scale
                if cross > 0.0:
                    for x in range(self.N):
                        if x not in (a, b):
                            self.M[b][x][rung - 1] += cross * 0.5 * (C[a][x] + C[x][a]) * H[b][x] * scale
        if t in self.events_on:  # decisions read a state inside [0, 1]
            for X in (H, C, P):
                for row in X:
                    for j in range(self.N):
                        row[j] = min(max(row[j], 0.0), 1.0)

    def thaw(self, t: int) -> None:
        """Downgraded statuses due today return to normal (issue 21), before the day's events."""
        for (i, j, key), due in sorted(self.reopen.items()):
            if due <= t:
                self.status[i, j][key] = THAW[key][1]
                del self.reopen[i, j, key]
                d = self.dyad_index[i, j]
                a, b = self.dyads[d]
                self.drho[d] = min(max(rupture(self.status, a, b) - self.rho0[d], -1.0), 1.0)

    def apply_acts(self) -> None:
        p, H, C, P, rung, level = self.p, self.H, self.C, self.P, self.rung, self.level
        cm = self.coop_mag
        for i, j in self.pairs:
            norel = self.status[i, j]["embassy"] == 0 and self.status[j, i]["embassy"] == 0
            hm = self.hostile_mag_norel if norel else self.hostile_mag
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
        if self.has_balance:  # Heider's four cases, on the state before the step
            ff, ef, fe, ee = self.w_ff, self.w_ef, self.w_fe, self.w_ee
            dH = {(i, j): self.bal[i] * sum(fe * H[i][m] * C[j][m] + ef * C[i][m] * H[j][m] for m in range(N))
                  for i, j in self.pairs}
            dC = {(i, j): self.bal[i] * sum(ee * H[i][m] * H[j][m] + ff * C[i][m] * C[j][m] for m in range(N))
                  for i, j in self.pairs}
        for d, (i, j) in enumerate(self.dyads):
            z = (H[i][j], H[j][i], C[i][j], C[j][i])
            Phi, phi = self.Phi[d], self.phi[d]
            new = [sum(Phi[a][b] * z[b] for b in range(4)) + phi[a] for a in range(4)]
            if self.drho[d] != 0.0:
                new = [new[a] + self.status_dir[d][a] * self.drho[d] for a in range(4)]
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

"""The Mesa model: wiring, the day loop and the application of events.

One ``TriadModel`` advances a block of R replicates together: the state arrays carry a
trailing replicate axis and each ``StateAgent`` decides for all of them at once.

Phase order within day t (``step``):

1. parameter switches dated t take effect (counterfactual ``set``): the model rebuilds its
   arrays and ``self.agents.do("use", params)`` hands each agent its rule's new parameters;
2. the day's random numbers are drawn (always the same shapes: common random numbers);
3. exogenous events realised on day t, in event-id order, in the replicates that attribute
   them: their status changes (a dyad's rupture Δρ shifts its drift inputs until another
   event changes it), then their impulses (events of one occasion with their bounded joint
   magnitude); the state is clipped to [0, 1]; hostile events on the ladder discharge
   their sources' memory traces, then add to their targets' traces;
4. ``self.agents.do("decide")``: every agent's rule (``sim.engine.rules``) writes its hostile
   rung and cooperative level toward every other actor from the state after 3
   (synchronous: all read the same state; agents write disjoint rows);
5. the endogenous acts apply their impulses (provocation is clipped to [0, 1]); then
   ``self.agents.do("receive")``: each agent settles the traces its acts answered and adds
   the acts it received today;
6. ladder bookkeeping, twice: over any act (the dyad-day rung is the highest act either
   way, exogenous or endogenous) and over endogenous acts only (provenance): the war
   streak, the highest rung and the first day of each rung so far;
7. drift over the day: the exact affine step (with the status offsets Ψ Δb), plus the
   balance terms evaluated on the state before it, plus noise σ·√dt; values are clipped
   to [0, 1];
8. provocation decays by one day of its half-life; ``self.agents.do("forget")``: the
   memory traces decay by one day of theirs;
9. observers record day t: the recorded state of a date is the state at its end.

Steps 4, 5, 7 and 8 are compiled kernels (the agents' rules in ``sim.engine.rules``,
``dynamics.apply_acts``, ``memory.receive_row``, ``dynamics.drift``, ``memory.forget_row``: lazy decay)
that loop over the replicates. Agents are stepped in their insertion order (actor order);
each writes only its own rows, so the order does not change any number.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from sim.engine import dynamics as dyn
from sim.engine import memory
from sim.engine.agents import StateAgent
from sim.engine.events import event_rung, realise, status_changes, status_weights
from sim.engine.ladder import N_RUNGS
from sim.engine.mesa_compat import forget_model, mesa
from sim.engine.replicate_params import localise
from sim.engine.rng import Stream
from sim.engine.settings import ModelParams, Scenario, Settings

Observer = Callable[[int, "TriadModel"], None]


class TriadModel(mesa.Model):
    """R replicates of the N-actor triangle under one scenario.

    Args:
        settings: validated settings (actors, horizon, parameters, ladder, seed).
        scenario: the timeline and parameter switches to simulate.
        lo: first replicate id simulated (inclusive).
        hi: last replicate id simulated (exclusive).
        observers: callables ``f(day, model)`` run at the end of every day.
    """

    # Mesa 3.5's Model has a ``scenario`` property for its own Scenario class (its setter
    # writes ``scenario.model``, which our frozen Scenario refuses); a plain class attribute
    # shadows it, so ``self.scenario`` is ours on Mesa 3.3 and 3.5 alike
    scenario = None

    def __init__(self, settings: Settings, scenario: Scenario, lo: int, hi: int,
                 observers: Sequence[Observer] = ()):
        super().__init__(rng=settings.seed)  # sim.engine.mesa_compat: same seeding on Mesa 3.3 and 3.5
        self.settings, self.scenario = settings, scenario
        self.lo, self.hi, self.R = lo, hi, hi - lo
        self.ladder = settings.ladder
        self.observers = list(observers)
        N = self.N = len(settings.actors)
        for k, (c, n) in enumerate(zip(settings.actors, settings.names)):
            StateAgent(self, c, n, k)  # lives in self.agents (Mesa's AgentSet), in actor order

        self.S = np.zeros((2, N, N, self.R))
        self.S[0] = settings.initial_hostility[:, :, None]
        self.S[1] = settings.initial_cooperation[:, :, None]
        self.P = np.zeros((N, N, self.R))
        self._dH, self._dC = np.zeros((N, N, self.R)), np.zeros((N, N, self.R))  # balance-term buffers

        self.Io, self.Jo = dyn.ordered_pairs(N)
        self.Id, self.Jd = dyn.unordered_pairs(N)
        # Draw rows follow the sorted pair names, so reordering actors permutes results:
        # draw_row_of[i, j] is the row of the day's draws that belongs to pair (i, j).
        names = [f"{settings.actors[i]}_{settings.actors[j]}" for i, j in zip(self.Io, self.Jo)]
        canon = sorted(names)
        self.draw_row_of = np.full((N, N), -1, dtype=np.int64)
        self.draw_row_of[self.Io, self.Jo] = [canon.index(n) for n in names]
        self._K = len(names)
        self.noise_stream = Stream(settings.seed, "noise", lo, hi)
        self.decide_stream = Stream(settings.seed, "decide", lo, hi)

        # traces of received acts, in units of each receiver's clock (sim/engine/memory.py)
        self.M = np.zeros((N, N, memory.N_TRACE, self.R))
        self.clock = np.ones((N, self.R))
        self.hostile_rung = np.zeros((N, N, self.R), dtype=np.int8)
        self.coop_level = np.zeros((N, N, self.R), dtype=np.int8)
        n_dyads = len(self.Id)
        # the ladder twice: over any act, and over endogenous acts only (provenance, "_endo")
        self.dyad_rung = np.zeros((n_dyads, self.R), dtype=np.int8)
        self.dyad_rung_endo = np.zeros((n_dyads, self.R), dtype=np.int8)
        self.max_rung = np.zeros((n_dyads, self.R), dtype=np.int8)
        self.max_rung_endo = np.zeros((n_dyads, self.R), dtype=np.int8)
        self.strike_streak = np.zeros((n_dyads, self.R), dtype=np.int32)
        self.strike_streak_endo = np.zeros((n_dyads, self.R), dtype=np.int32)
        # first day each dyad reached at least rung k (-1: not yet), k = 0..6
        self.first_reach = np.full((N_RUNGS + 1, n_dyads, self.R), -1, dtype=np.int32)
        self.first_reach_endo = np.full((N_RUNGS + 1, n_dyads, self.R), -1, dtype=np.int32)
        self.dyad_of = np.full((N, N), -1)
        self.dyad_of[self.Id, self.Jd] = np.arange(n_dyads)
        self.dyad_of[self.Jd, self.Id] = np.arange(n_dyads)

        # diplomatic status of every mission (i's in j) and each dyad's rupture since day 0
        init = settings.initial_status
        init = np.zeros((N, N, 3), dtype=np.int8) + np.array([1, 1, 0], dtype=np.int8) if init is None else init
        self.status = np.repeat(np.asarray(init, dtype=np.int8)[..., None], self.R, axis=3)
        self.status_w = status_weights()
        self.rho0 = self._rho(np.arange(n_dyads))
        self.drho = np.zeros((n_dyads, self.R))
        self.status_off = np.zeros((n_dyads, 4, self.R))
        self.use_status = False  # no rupture yet: the drift skips the offsets
        self.event_status = [status_changes(e, settings.actors) for e in scenario.events]
        self.realised = realise(scenario.events, settings.start, settings.n_days, settings.seed, lo, hi,
                                settings.occasion)
        self.event_rungs = np.array([event_rung(e, self.ladder) for e in scenario.events], dtype=np.int8)
        self.today_events: list[tuple[int, np.ndarray]] = []  # (event index, replicate mask)
        local = lambda p: localise(p, settings.actors, settings.replicate_values, lo, hi)  # noqa: E731
        self.switches = {day: local(p) for day, p in scenario.switches}
        self.day = 0
        self._use(local(settings.params))

    # -- parameters -------------------------------------------------------------------
    def _use(self, params: ModelParams) -> None:
        """Put a parameter set in force; every number becomes an array holding one value,
        or one per replicate, as the compiled kernels expect."""
        vec = lambda x: np.atleast_1d(np.asarray(x, dtype=float))  # noqa: E731
        self.params = params
        d = self.decisions = params.decisions
        cap = np.asarray(params.capability, dtype=float)
        self.capability = cap[:, None] if cap.ndim == 1 else cap
        A, b = dyn.affine_system(params.drift)
        self.Phi, self.phi = dyn.exact_step(A, b)
        Psi = dyn.status_step(A)  # (P, 4, 4, Rp): one day's response to a constant input shift
        kh, kc = vec(params.status_grievance), vec(params.status_affinity)
        self.status_dir = (Psi[:, :, 0] + Psi[:, :, 1]) * kh - (Psi[:, :, 2] + Psi[:, :, 3]) * kc  # (P, 4, Rp)
        if self.use_status:
            self.status_off[:] = self.status_dir * self.drho[:, None, :]
        self.balance = np.ascontiguousarray(params.drift.balance, dtype=float)
        cases = [vec(x) for x in (params.balance_ff, params.balance_ef, params.balance_fe, params.balance_ee)]
        self.balance_cases = np.stack([np.broadcast_to(c, (max(len(c) for c in cases),)) for c in cases])
        self.provocation_keep = vec(0.5 ** (1.0 / np.asarray(d.provocation_half_life_days, dtype=float)))
        self.impulse = tuple(vec(x) for x in (params.impulse_hostility, params.impulse_cooperation,
                                              params.impulse_commitment))
        self.sigma = (vec(params.noise_hostility), vec(params.noise_cooperation))
        self.hostile_mag = self.ladder.act_magnitude
        self.coop_mag = self.ladder.cooperative_magnitude
        self.memory_keep = vec(0.5 ** (1.0 / np.asarray(d.memory_half_life_days, dtype=float)))
        self.discharge = vec(d.memory_discharge)
        self.agents.do("use", params)  # each agent takes its rule with the new parameters
        self.uses_memory = any(a.rule.uses_memory for a in self.agents)

    # -- one day ----------------------------------------------------------------------
    def step(self) -> None:
        t = self.day
        if t in self.switches:
            self._use(self.switches[t])
        self._draw()
        self.dyad_rung[:] = 0
        self.dyad_rung_endo[:] = 0
        self._apply_events(t)
        if self.decisions.enabled:
            self.agents.do("decide")
            self._apply_acts()
        else:
            self.hostile_rung[:] = 0
            self.coop_level[:] = 0
        self.agents.do("receive")
        self._ladder_bookkeeping()
        dyn.drift(self.S[0], self.S[1], self.P, self.Phi, self.phi, self.Id, self.Jd, self.balance,
                  self.balance_cases, self.noise,
                  self.draw_row_of, self.sigma[0], self.sigma[1], self.provocation_keep,
                  self._dH, self._dC, self.status_off, self.use_status)  # and P decays
        self.agents.do("forget")
        for observe in self.observers:
            observe(t, self)
        self.day += 1

    def run(self) -> "TriadModel":
        """Simulate every day of the horizon."""
        for _ in range(self.settings.n_days):
            self.step()
        return self

    def release(self) -> None:
        """Let go of this model once its chunk is done.

        Mesa 3.3 keeps every model that created an agent in the class-level
        ``Agent._ids`` (mesa#3179, fixed upstream after 3.3), so without this each chunk's
        arrays would stay alive and memory would grow with the number of replicates.
        """
        forget_model(self)

    def _draw(self) -> None:
        """(2, K, R) normals (H, C noise) and uniforms (hostile, cooperative latent noise),
        rows in sorted-pair-name order."""
        self.noise = self.noise_stream.normal((2, self._K))
        self.u = self.decide_stream.uniform((2, self._K))

    def _apply_events(self, t: int) -> None:
        self.today_events = []
        p, rl = self.params, self.realised
        H, C, P = self.S[0], self.S[1], self.P
        traced = []  # (source, target, rung, mask, weight) of the day's hostile acts on the ladder
        for k in rl.by_day.get(t, ()):
            ev = rl.events[k]
            mask = (rl.day[k] == t) & rl.attributed[k]
            if not mask.any():
                continue
            self.today_events.append((k, mask))
            if self.event_status[k]:
                self._change_status(self.event_status[k], mask)
            mag = rl.magnitude.get(k)
            m = mask * (abs(ev.goldstein) / 10.0 * ev.scale)
            s, g = self.settings.actors.index(ev.source), self.settings.actors.index(ev.target)
            for n, (a, b) in enumerate(((s, g), (g, s)) if ev.mutual else ((s, g),)):
                if mag is not None:  # an occasion's act: its share of the bounded joint magnitude
                    m = mask * mag[n]
                if ev.goldstein < 0:
                    H[b, a] += p.impulse_hostility * m
                    P[b, a] += m
                    H[a, b] += p.impulse_commitment * m
                elif ev.goldstein > 0:
                    C[b, a] += p.impulse_cooperation * m
                    C[a, b] += p.impulse_commitment * m
            if self.event_rungs[k] > 0:  # trace weight: scale, or the occasion's share of the act
                weight = [ev.scale, ev.scale] if mag is None else list(mag * (10.0 / abs(ev.goldstein)))
                traced += [(a, b, int(self.event_rungs[k]), mask, weight[n])
                           for n, (a, b) in enumerate(((s, g), (g, s)) if ev.mutual else ((s, g),))]
                d = self.dyad_of[s, g]
                np.maximum(self.dyad_rung[d], np.where(mask, self.event_rungs[k], 0), out=self.dyad_rung[d])
        if traced and self.uses_memory:
            memory.record_exogenous(self.M, self.clock, traced, self.discharge)
        if self.today_events:  # decisions read a state inside [0, 1]
            np.clip(self.S, 0.0, 1.0, out=self.S)
            np.clip(P, 0.0, 1.0, out=P)

    def _rho(self, dyads: np.ndarray) -> np.ndarray:
        """Rupture index of the dyads (D, R): the status weights of both missions summed."""
        i, j = self.Id[dyads], self.Jd[dyads]
        w, keys = self.status_w, np.arange(self.status.shape[2])[:, None]
        return (w[keys, self.status[i, j]].sum(axis=1) + w[keys, self.status[j, i]].sum(axis=1))

    def _change_status(self, changes, mask: np.ndarray) -> None:
        """Set the event's statuses in ``mask``'s replicates; recompute the touched dyads'
        rupture Δρ (clipped to [−1, 1]) and drift offsets. Nothing else ever changes them."""
        touched = set()
        for i, j, key, code in changes:
            self.status[i, j, key][mask] = code
            touched.add(int(self.dyad_of[i, j]))
        d = np.array(sorted(touched))
        self.drho[d] = np.clip(self._rho(d) - self.rho0[d], -1.0, 1.0)
        self.status_off[d] = self.status_dir[d] * self.drho[d][:, None, :]
        self.use_status = bool(np.any(self.drho != 0.0))

    def _apply_acts(self) -> None:
        ih, ic, icom = self.impulse
        dyn.apply_acts(self.S[0], self.S[1], self.P, self.hostile_rung, self.coop_level, self.hostile_mag,
                       self.coop_mag, ih, ic, icom, self.Id, self.Jd, self.dyad_rung, self.dyad_rung_endo)

    def _ladder_bookkeeping(self) -> None:
        self._ladder(self.dyad_rung, self.strike_streak, self.max_rung, self.first_reach)
        self._ladder(self.dyad_rung_endo, self.strike_streak_endo, self.max_rung_endo, self.first_reach_endo)

    def _ladder(self, dyad_rung, streak, max_rung, first_reach) -> None:
        """Streak of strike days, war, highest rung and first reach of one ladder, in place."""
        strike = dyad_rung >= 5
        streak[:] = np.where(strike, streak + 1, 0)
        war = streak >= self.ladder.war_sustained_days
        if war.any():
            dyad_rung[war] = 6
        up = dyad_rung > max_rung
        if up.any():
            np.maximum(max_rung, dyad_rung, out=max_rung)
            for k in range(1, N_RUNGS + 1):
                new = up & (max_rung >= k) & (first_reach[k] < 0)
                first_reach[k][new] = self.day

    # -- derived views ----------------------------------------------------------------
    def tension(self) -> np.ndarray:
        """(H_ab + H_ba)/2 per unordered dyad a<b: (D, R)."""
        H = self.S[0]
        return 0.5 * (H[self.Id, self.Jd] + H[self.Jd, self.Id])

    def net_relation(self) -> np.ndarray:
        C = self.S[1]
        return 0.5 * (C[self.Id, self.Jd] + C[self.Jd, self.Id]) - self.tension()

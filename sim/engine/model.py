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

Steps 4–8 are compiled kernels (the agents' rules in ``sim.engine.rules``,
``dynamics.apply_acts``, ``memory.receive_row``, ``bookkeeping.ladder_day``, ``dynamics.drift``,
``memory.forget_row``: lazy decay) that loop over the replicates; their arguments are named
groups (``sim/engine/kernel_args.py``). Agents are stepped in their insertion order (actor order);
each writes only its own rows, so the order does not change any number.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from sim.engine import attribution, memory
from sim.engine import dynamics as dyn
from sim.engine import status as st_k
from sim.engine.agents import StateAgent
from sim.engine.bookkeeping import ladder_day
from sim.engine.events import NEVER, THAW, event_rung, realise, status_changes, status_weights, thaw_delays
from sim.engine.kernel_args import DayState, DriftState, DriftStep
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
        self.rho0 = np.empty((n_dyads, self.R))
        st_k.rupture(self.status, self.status_w, self.Id, self.Jd, self.rho0)
        self.drho = np.zeros((n_dyads, self.R))
        self.status_off = np.zeros((n_dyads, 4, self.R))
        self.use_status = False  # no rupture yet: the drift skips the offsets
        # dyads without diplomatic relations (both embassies `none`): their acts come from the
        # ladder's status-aware menu (a state cannot break relations it does not have)
        self.norel = (self.status[self.Id, self.Jd, 0] == 0) & (self.status[self.Jd, self.Id, 0] == 0)
        # thaw (issue 21): the day each downgraded status returns to normal (NEVER: none pending)
        self.reopen = np.full(self.status.shape, NEVER, dtype=np.int64)
        self.reopen_next = np.full(self.status.shape[:3], NEVER, dtype=np.int64)  # per row of reopen
        self.next_reopen = NEVER
        self.thaw_to = st_k.codes_after_thaw(THAW, self.status.shape[2])
        self.event_status = [status_changes(e, settings.actors) for e in scenario.events]
        self.realised = realise(scenario.events, settings.start, settings.n_days, settings.seed, lo, hi,
                                settings.occasion)
        self.event_rungs = np.array([event_rung(e, self.ladder) for e in scenario.events], dtype=np.int8)
        self.today_events: list[tuple[int, np.ndarray]] = []  # (event index, replicate mask)
        local = lambda p: localise(p, settings.actors, settings.replicate_values, lo, hi)  # noqa: E731
        self.switches = {day: local(p) for day, p in scenario.switches}
        self.links = attribution.links(settings.attribution)  # proxies' acts counted for patrons
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
        # balance acts on the MEAN over the N−2 third parties (the sum for N = 3): without it
        # every added actor would raise the structural pressure, and at N = 8 the balance
        # loop outgrows net restraint (docs/ODD.md, "Beyond three actors")
        self.balance = np.ascontiguousarray(np.asarray(params.drift.balance, dtype=float) / max(self.N - 2, 1))
        cases = [vec(x) for x in (params.balance_ff, params.balance_ef, params.balance_fe, params.balance_ee)]
        self.balance_cases = np.stack([np.broadcast_to(c, (max(len(c) for c in cases),)) for c in cases])
        self.provocation_keep = vec(0.5 ** (1.0 / np.asarray(d.provocation_half_life_days, dtype=float)))
        self.impulse = tuple(vec(x) for x in (params.impulse_hostility, params.impulse_cooperation,
                                              params.impulse_commitment))
        self.sigma = (vec(params.noise_hostility), vec(params.noise_cooperation))
        self.hostile_mag = self.ladder.act_magnitude
        self.norel_delta = self.ladder.act_magnitude_without_relations - self.hostile_mag  # (7,), mostly 0
        self.coop_mag = self.ladder.cooperative_magnitude
        self.memory_keep = vec(0.5 ** (1.0 / np.asarray(d.memory_half_life_days, dtype=float)))
        self.drift_step = DriftStep(Phi=self.Phi, phi=self.phi, Id=self.Id, Jd=self.Jd, bal=self.balance,
                                    cases=self.balance_cases, row_of=self.draw_row_of, sig_h=self.sigma[0],
                                    sig_c=self.sigma[1], keep=self.provocation_keep)
        self.discharge = vec(d.memory_discharge)
        self.cross = vec(d.memory_cross_target)
        self.use_cross = bool(np.any(self.cross > 0.0)) and self.N > 2
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
        if t >= self.next_reopen:
            self._thaw(t)
        self._apply_events(t)
        if self.decisions.enabled:
            self.agents.do("decide")
            self._apply_acts()
        else:
            self.hostile_rung[:] = 0
            self.coop_level[:] = 0
        self.agents.do("receive")
        if self.links and self.uses_memory and self.decisions.enabled:
            attribution.spill_traces(self.M, self.clock, self.hostile_rung, self.links)
        self._ladder_bookkeeping()
        dyn.drift(DriftState(H=self.S[0], C=self.S[1], P=self.P, noise=self.noise, dH=self._dH, dC=self._dC,
                             off=self.status_off, use_off=self.use_status), self.drift_step)  # and P decays
        self.agents.do("forget")
        for observe in self.observers:
            observe(t, self)
        self.day += 1

    def day_state(self) -> DayState:
        """The arrays the decision rules read, as they are now (sim/engine/kernel_args.py)."""
        return DayState(H=self.S[0], C=self.S[1], P=self.P, cap=self.capability, u=self.u, row_of=self.draw_row_of,
                        M=self.M, clock=self.clock, drho=self.drho, dyad_of=self.dyad_of,
                        use_status=self.use_status)

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
        """The day's exogenous events, in the replicates that realise and attribute them.
        Updates touch only those replicates (index arrays): the others would only add 0
        and clip values already inside [0, 1], which changes no number."""
        self.today_events = []
        p, rl = self.params, self.realised
        H, C, P = self.S[0], self.S[1], self.P
        pick = lambda x, idx: x[idx] if np.ndim(x) and np.shape(x)[0] > 1 else x  # noqa: E731
        traced = []  # (source, target, rung, replicates, weight) of the day's hostile acts on the ladder
        spilled = []  # (patron, target, rung, mask, weight): a proxy's acts counted for its patron
        hit = []
        for k in rl.by_day.get(t, ()):
            ev = rl.events[k]
            mask = (rl.day[k] == t) & rl.attributed[k]
            idx = np.flatnonzero(mask)
            if not idx.size:
                continue
            hit.append(idx)
            self.today_events.append((k, mask))
            if self.event_status[k]:
                self._change_status(self.event_status[k], mask, ev.id, t)
            mag = rl.magnitude.get(k)
            m = abs(ev.goldstein) / 10.0 * ev.scale
            ih, ic, icom = (pick(x, idx) for x in (p.impulse_hostility, p.impulse_cooperation,
                                                    p.impulse_commitment))
            s, g = self.settings.actors.index(ev.source), self.settings.actors.index(ev.target)
            for n, (a, b) in enumerate(((s, g), (g, s)) if ev.mutual else ((s, g),)):
                if mag is not None:  # an occasion's act: its share of the bounded joint magnitude
                    m = mag[n][idx]
                if ev.goldstein < 0:
                    H[b, a, idx] += ih * m
                    P[b, a, idx] += m
                    H[a, b, idx] += icom * m
                    if self.links and self.event_rungs[k] > 0:
                        m_full = np.zeros(mask.shape)
                        m_full[idx] = m
                        w_act = ev.scale if mag is None else mag[n] * (10.0 / abs(ev.goldstein))
                        spilled += [(q, g_, int(self.event_rungs[k]), mask, w * w_act) for q, g_, w in
                                    attribution.spill_event(H, P, self.links, a, b, m_full, self.impulse[0])]
                elif ev.goldstein > 0:
                    C[b, a, idx] += ic * m
                    C[a, b, idx] += icom * m
            if self.event_rungs[k] > 0:  # trace weight: scale, or the occasion's share of the act
                weight = [ev.scale, ev.scale] if mag is None else [w[idx] for w in mag * (10.0 / abs(ev.goldstein))]
                traced += [(a, b, int(self.event_rungs[k]), idx, weight[n])
                           for n, (a, b) in enumerate(((s, g), (g, s)) if ev.mutual else ((s, g),))]
                d = self.dyad_of[s, g]
                self.dyad_rung[d, idx] = np.maximum(self.dyad_rung[d, idx], self.event_rungs[k])
        if traced and self.uses_memory:
            memory.record_exogenous(self.M, self.clock, traced, self.discharge,
                                    self.cross if self.use_cross else None, C, H)
        if spilled and self.uses_memory:  # increments only: the patron did not act, nothing is discharged
            for q, g_, k_, mask, w in spilled:
                self.M[g_, q, k_ - 1] += np.where(mask, w / self.clock[g_], 0.0)
        if hit:  # decisions read a state inside [0, 1]
            idx = np.unique(np.concatenate(hit))
            self.S[..., idx] = np.clip(self.S[..., idx], 0.0, 1.0)
            P[:, :, idx] = np.clip(P[:, :, idx], 0.0, 1.0)

    def _change_status(self, changes, mask: np.ndarray, event_id: str, t: int) -> None:
        """Set the event's statuses in ``mask``'s replicates; a downgrade (``THAW``) gets the day
        it returns to normal, any other value cancels a pending return. Recompute the touched
        dyads' rupture Δρ (clipped to [−1, 1]) and drift offsets. Only events and the thaw
        change statuses."""
        changed = np.zeros((len(self.Id), self.R), dtype=np.bool_)
        h = float(np.atleast_1d(self.params.status_reopen_half_life_days)[0])
        for i, j, key, code in changes:
            self.status[i, j, key][mask] = code
            if key in THAW and code == THAW[key][0]:
                due = t + thaw_delays(self.settings.seed, event_id, self.lo, self.hi, h)
                self.reopen[i, j, key][mask] = due[mask]
            else:
                self.reopen[i, j, key][mask] = NEVER
            self.reopen_next[i, j, key] = self.reopen[i, j, key].min()
            changed[self.dyad_of[i, j]] |= mask
        self.next_reopen = int(self.reopen_next.min())
        self._status_changed(changed)

    def _thaw(self, t: int) -> None:
        """Downgraded statuses due today return to normal (before the day's events)."""
        changed = np.zeros((len(self.Id), self.R), dtype=np.bool_)
        self.next_reopen = int(st_k.thaw(t, self.status, self.reopen, self.reopen_next, self.thaw_to, NEVER,
                                         self.dyad_of, changed))
        self._status_changed(changed)

    def _status_changed(self, changed: np.ndarray) -> None:
        self.use_status = bool(st_k.refresh(changed, self.status, self.status_w, self.Id, self.Jd, self.rho0,
                                            self.status_dir, self.norel, self.drho, self.status_off))

    def _apply_acts(self) -> None:
        ih, ic, icom = self.impulse
        dyn.apply_acts(self.S[0], self.S[1], self.P, self.hostile_rung, self.coop_level, self.hostile_mag,
                       self.coop_mag, ih, ic, icom, self.Id, self.Jd, self.dyad_rung, self.dyad_rung_endo)
        if self.norel_delta.any():  # the impulse difference of the status-aware menu's acts
            st_k.norel_impulses(self.S[0], self.P, self.hostile_rung, self.norel, self.norel_delta, ih, icom,
                                self.Id, self.Jd)
        if self.links:
            attribution.spill_acts(self.S[0], self.P, self.hostile_rung, self.hostile_mag, self.links, ih)

    def _ladder_bookkeeping(self) -> None:
        self._ladder(self.dyad_rung, self.strike_streak, self.max_rung, self.first_reach)
        self._ladder(self.dyad_rung_endo, self.strike_streak_endo, self.max_rung_endo, self.first_reach_endo)

    def _ladder(self, dyad_rung, streak, max_rung, first_reach) -> None:
        """Streak of strike days, war, highest rung and first reach of one ladder, in place."""
        ladder_day(dyad_rung, streak, max_rung, first_reach, self.ladder.war_sustained_days, self.day)

    # -- derived views ----------------------------------------------------------------
    def tension(self) -> np.ndarray:
        """(H_ab + H_ba)/2 per unordered dyad a<b: (D, R)."""
        H = self.S[0]
        return 0.5 * (H[self.Id, self.Jd] + H[self.Jd, self.Id])

    def net_relation(self) -> np.ndarray:
        C = self.S[1]
        return 0.5 * (C[self.Id, self.Jd] + C[self.Jd, self.Id]) - self.tension()

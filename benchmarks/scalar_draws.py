"""Random numbers for one replicate of the scalar baseline (``scalar_baseline.py``): its own
generator (the honest speed baseline) or the engine's keyed streams (the differential test)."""
from __future__ import annotations

import numpy as np

from sim.engine.events import realise, thaw_delays
from sim.engine.rng import Stream


# -- random numbers for one replicate ---------------------------------------------------
class OwnDraws:
    """Replicate ``r``'s numbers from its own generator (not the engine's streams)."""

    def __init__(self, settings, r: int):
        self.settings = settings
        self.rng = np.random.default_rng([settings.seed, r])
        self._thaw: dict[str, int] = {}

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
                elif ev.anchor is not None and ev.anchor in by_id:
                    base = resolve(by_id[ev.anchor])
                    l_lo, l_hi = max(ev.lag_days[0], a - base), min(ev.lag_days[1], b - base)
                    if base < 0:
                        day = -1
                    elif l_lo <= l_hi:  # a lag that keeps the event in its window (truncated)
                        day = base + l_lo + int(u_lag * (l_hi - l_lo + 1))
                    else:
                        day = a if base + ev.lag_days[1] < a else b
                elif ev.after is not None and ev.after in by_id:
                    first = resolve(by_id[ev.after])
                    first = a if first < 0 else max(first, a)
                    day = first + int(u_date * (b - first + 1)) if first <= b else b
                else:
                    day = a + int(u_date * (b - a + 1))
                out[ev.id] = (day, day >= 0 and u_attr < ev.attribution)
            return out[ev.id][0]

        for ev in events:
            resolve(ev)
        return [out[ev.id] for ev in events]

    def thaw(self, event_id: str, half_life: float) -> int:
        """Days until the statuses the event downgraded return to normal (geometric, ≥ 1)."""
        if event_id not in self._thaw:
            keep = 0.5 ** (1.0 / half_life)
            u = self.rng.random()
            self._thaw[event_id] = 2**40 if keep >= 1.0 else int(min(1 + np.floor(np.log1p(-u) / np.log(keep)), 2**40))
        return self._thaw[event_id]

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

    def thaw(self, event_id: str, half_life: float) -> int:
        return int(thaw_delays(self.settings.seed, event_id, self.r, self.r + 1, half_life)[0])

    def day(self, K: int):
        z = self.noise.normal((2, K))[:, :, 0].tolist()
        u = self.decide.uniform((2, K))[:, :, 0].tolist()
        return z[0], z[1], u[0], u[1]

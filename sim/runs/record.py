"""Whole-trajectory recording for the first ``record.replicates`` replicates."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from sim.engine import cameo


def _strings(values, codes: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values[codes]`` as pandas' string column: the few distinct strings converted once and
    taken by code (a column of a million Python strings converts at a tenth of the speed)."""
    return pd.array(list(values), dtype=pd.Series(list(values[:1])).dtype).take(codes)


class Recorder:
    """Keeps H and C of replicates ``lo .. lo+m-1`` every day, and every act they see."""

    def __init__(self, settings, lo: int, m: int, trajectories: bool = True, actions: bool = True):
        self.settings, self.lo, self.m = settings, lo, m
        N = len(settings.actors)
        self.keep_traj, self.keep_actions = trajectories, actions
        self.H = np.zeros((settings.n_days, N, N, m)) if trajectories else None
        self.C = np.zeros((settings.n_days, N, N, m)) if trajectories else None
        self._acts: list[tuple] = []  # (day, rep[], src[], tgt[], origin, event_id, cameo, goldstein, rung, status)

    def observe(self, t: int, model) -> None:
        m = self.m
        if self.keep_traj:
            self.H[t] = model.S[0, :, :, :m]
            self.C[t] = model.S[1, :, :, :m]
        if not self.keep_actions:
            return
        actors = self.settings.actors
        for k, mask in model.today_events:
            ev = model.realised.events[k]
            reps = np.nonzero(mask[:m])[0]
            if reps.size == 0:
                continue
            s, g = actors.index(ev.source), actors.index(ev.target)
            status = json.dumps(dict(ev.status), sort_keys=True) if ev.status else None
            for n, (a, b) in enumerate(((s, g), (g, s)) if ev.mutual else ((s, g),)):
                self._acts.append((t, reps, a, b, "exogenous", ev.id, ev.cameo, ev.goldstein,
                                   int(model.event_rungs[k]), status if n == 0 else None))
        lad = model.ladder
        for level_arr, hostile in ((model.hostile_rung, True), (model.coop_level, False)):
            i, j, r = np.nonzero(level_arr[:, :, :m])
            if i.size == 0:
                continue
            lv = level_arr[i, j, r]
            # the status-aware menu: a dyad without relations has its own hostile acts (ladder)
            rel = ~model.norel[model.dyad_of[i, j], r] if hostile else np.ones(i.size, dtype=bool)
            for level in np.unique(lv):
                for relations in (True, False):
                    sel = (lv == level) & (rel == relations)
                    if not sel.any():
                        continue
                    code = (lad.acts_for(relations) if hostile else lad.cooperative_acts)[level - 1]
                    self._acts.append((t, r[sel], i[sel], j[sel], "endogenous", None, code,
                                       cameo.lookup(code).goldstein, int(level) if hostile else 0, None))

    def trajectories(self, scenario: str) -> pd.DataFrame:
        s = self.settings
        N, m, D = len(s.actors), self.m, s.n_days
        Io, Jo = np.nonzero(~np.eye(N, dtype=bool))
        dates = s.dates
        # replicate-major, so chunks concatenate in replicate order
        r_idx, d_idx, p_idx = np.meshgrid(np.arange(m), np.arange(D), np.arange(len(Io)), indexing="ij")
        d_idx, p_idx, r_idx = d_idx.ravel(), p_idx.ravel(), r_idx.ravel()
        return pd.DataFrame({
            "scenario": _strings([scenario], np.zeros(len(r_idx), dtype=np.int64)),
            "replicate": (self.lo + r_idx).astype(np.int64),
            "date": dates[d_idx].astype("datetime64[ns]"),
            "source": _strings(s.actors, Io[p_idx]),
            "target": _strings(s.actors, Jo[p_idx]),
            "hostility": self.H[d_idx, Io[p_idx], Jo[p_idx], r_idx],
            "cooperation": self.C[d_idx, Io[p_idx], Jo[p_idx], r_idx],
        })

    def actions(self, scenario: str) -> pd.DataFrame:
        s = self.settings
        names = ("replicate", "day", "source", "target", "origin", "event_id", "cameo", "goldstein", "rung", "status")
        actors = np.array(s.actors)
        acts = self._acts
        if not acts:
            df = pd.DataFrame({k: pd.Series(dtype=object) for k in names})
        else:
            # per-entry values repeated over each entry's replicates (one take per column)
            sizes = np.array([len(x[1]) for x in acts], dtype=np.int64)
            entry = np.repeat(np.arange(len(acts)), sizes)
            per_entry = lambda col, dtype: np.array([x[col] for x in acts], dtype=dtype)[entry]  # noqa: E731
            pairs = lambda col: np.concatenate([np.broadcast_to(x[col], (len(x[1]),)) for x in acts])  # noqa: E731
            df = pd.DataFrame({
                "replicate": self.lo + np.concatenate([np.asarray(x[1], dtype=np.int64) for x in acts]),
                "day": per_entry(0, np.int64), "source": actors[pairs(2)], "target": actors[pairs(3)],
                "origin": per_entry(4, object), "event_id": per_entry(5, object), "cameo": per_entry(6, object),
                "goldstein": per_entry(7, float), "rung": per_entry(8, np.int64), "status": per_entry(9, object)})
        df["date"] = (s.dates[df["day"].astype(np.int64).to_numpy()]).astype("datetime64[ns]") if len(df) else pd.Series(dtype="datetime64[ns]")
        df.insert(0, "scenario", scenario)
        df = df.sort_values(["replicate", "day", "origin", "source", "target", "rung"], kind="stable")
        return df[["scenario", "replicate", "date", "source", "target", "origin", "event_id", "cameo", "goldstein", "rung",
                   "status"]].reset_index(drop=True)

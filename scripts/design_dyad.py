"""Section 8 of scripts/design_rates.py: a mini simulation of one dyad under the proposed
reciprocal rule (docs/design/escalation.md §3.4), to check the defaults before the engine has
them: two directions, memory traces with discharge, one categorical draw per direction and
day, impulses on hostility and provocation, a Richardson pair anchored so that the no-event
mean hostility stays at its initial value (cooperation frozen, no balance), the war rule.
Indicative only; the engine's numbers are to be measured.
"""
from __future__ import annotations

import numpy as np
from design_rates import (
    COMMIT,
    DISCHARGE,
    HALF_LIFE,
    IMPULSE_H,
    MAG,
    MEM_DETERRENCE,
    P_HALF,
    K,
    alpha_matrix,
    base_hazards,
)


def section_minisim(dyn, cap, R: int) -> None:
    print("\n## 8. Mini dyad simulation, no events, 639 days (indicative; crude feedback)\n")
    rng = np.random.default_rng(7)
    alpha = alpha_matrix()
    q, pk = 2.0 ** (-1.0 / HALF_LIFE), 0.5 ** (1.0 / P_HALF)
    H0, C0 = dyn["initial"]["hostility"], dyn["initial"]["cooperation"]
    res, fixed = {}, {}
    for a, b in (("AZE", "IRN"), ("AZE", "ISR"), ("IRN", "ISR")):
        # resting-point anchoring, as scripts/anchor_equilibrium.py does for the engine: move
        # the affine fixed point until the no-event mean hostility stays at its initial value
        zs = np.array([H0[f"{a}_{b}"], H0[f"{b}_{a}"]])
        for _ in range(6):
            hbar = _simulate_pair(a, b, dyn, cap, H0, C0, alpha, q, pk, 2000, np.random.default_rng(1),
                                  fixed=zs, mean_h=True)
            zs = zs + 0.8 * (np.array([H0[f"{a}_{b}"], H0[f"{b}_{a}"]]) - hbar)
        fixed[(a, b)] = zs
        res[f"{a}-{b}"] = _simulate_pair(a, b, dyn, cap, H0, C0, alpha, q, pk, R, rng, fixed=zs)
        print(f"  {a}-{b}: anchored fixed point of (H_{a}{b}, H_{b}{a}) {np.round(zs, 3).tolist()} "
              f"for initial {[H0[f'{a}_{b}'], H0[f'{b}_{a}']]}")
    print("dyad | P(rung >= k by 2024-05-31), k = 1..6 | mean acts/yr a->b, b->a (rung 1..5)")
    for name, (p, counts) in res.items():
        print(f"  {name} | " + " ".join(f"{x:.3f}" for x in p) + " | "
              + " / ".join(",".join(f"{c:.2g}" for c in cc) for cc in counts))
    # injected strike: IRN hits AZE with a rung-5 act on day 100
    zs = fixed[("AZE", "IRN")]
    base = _simulate_pair("AZE", "IRN", dyn, cap, H0, C0, alpha, q, pk, R, np.random.default_rng(8),
                          fixed=zs, inject=None, reply_window=(100, 130))
    inj = _simulate_pair("AZE", "IRN", dyn, cap, H0, C0, alpha, q, pk, R, np.random.default_rng(8),
                         fixed=zs, inject=100, reply_window=(100, 130))
    print(f"  injected IRN rung-5 act on AZE (day 100): P(AZE replies at rung >= 4 toward IRN within 30 days)"
          f" = {inj:.3f} against {base:.4f} without it")


def _simulate_pair(a, b, dyn, cap, H0, C0, alpha, q, pk, R, rng, fixed, inject=None, reply_window=None,
                   mean_h=False):
    """Two directions of one dyad: hostility (Richardson pair around the ``fixed`` point,
    cooperation frozen at its initial value), provocation, traces, draws, war rule."""
    ab, ba = f"{a}_{b}", f"{b}_{a}"
    h0 = np.array([H0[ab], H0[ba]])
    zs = np.asarray(fixed)
    hsum, hn = np.zeros(2), 0
    c0 = np.array([C0[ab], C0[ba]])
    gap = np.array([cap[b] - cap[a], cap[a] - cap[b]])
    gmem = np.exp(-MEM_DETERRENCE * gap)
    Ar = np.array([[-dyn["restraint"][a], dyn["reaction"][a]], [dyn["reaction"][b], -dyn["restraint"][b]]])
    w, V = np.linalg.eig(Ar)
    Phi = (V @ np.diag(np.exp(w)) @ np.linalg.inv(V)).real
    H = np.repeat(h0[:, None], R, axis=1)
    P = np.zeros((2, R))
    M = np.zeros((2, K, R))  # M[x]: trace of acts received by x from the other
    streak = np.zeros(R, dtype=int)
    first = np.full((K + 1, R), -1)
    counts = np.zeros((2, K))
    replied = np.zeros(R, dtype=bool)
    days = 639
    for t in range(days):
        u = rng.random((2, R))
        if inject is not None and t == inject:  # b (IRN) strikes a (AZE), exogenous, before decisions
            M[0, 4] += 1.0
            H[0] += IMPULSE_H * MAG[5]
            P[0] = np.minimum(P[0] + MAG[5], 1.0)
        rung = np.zeros((2, R), dtype=int)
        for x in range(2):
            lam = base_hazards(H[x], P[x], c0[x], gap[x]) + gmem[x] * (alpha @ M[x])
            Lam = lam.sum(axis=0)
            act = u[x] >= np.exp(-Lam)
            if act.any():
                p = lam[:, act] / Lam[act] * (1.0 - np.exp(-Lam[act]))
                upper = 1.0 - np.cumsum(p[::-1], axis=0)[::-1]
                rung[x, act] = K - np.argmax((u[x, act][None, :] >= upper)[::-1], axis=0)
        if reply_window is not None and reply_window[0] <= t <= reply_window[1]:
            replied |= rung[0] >= 4
        for x in range(2):  # discharge: an act settles what the actor received at or below its rung
            k = rung[x]
            for r in range(1, K + 1):
                M[x, r - 1] *= np.where(k >= r, 1.0 - DISCHARGE, 1.0)
        for x in range(2):
            y = 1 - x
            k = rung[x]
            m = MAG[k]
            H[y] += IMPULSE_H * m
            H[x] += COMMIT * m
            P[y] = np.minimum(P[y] + m, 1.0)
            for r in range(1, K + 1):
                M[y, r - 1] += k == r
                counts[x, r - 1] += np.sum(k == r)
        dr = np.maximum(rung[0], rung[1])
        streak = np.where(dr >= 5, streak + 1, 0)
        dr = np.where(streak >= 3, 6, dr)
        for r in range(1, K + 1):
            new = (dr >= r) & (first[r] < 0)
            first[r][new] = t
        z = H - zs[:, None]
        H = np.clip(zs[:, None] + Phi @ z + 0.01 * rng.standard_normal((2, R)), 0.0, 1.0)
        P *= pk
        M *= q
        if t >= 240:
            hsum += H.mean(axis=1)
            hn += 1
    if mean_h:
        return hsum / hn
    if reply_window is not None:
        return replied.mean()
    return [np.mean(first[r] >= 0) for r in range(1, K + 1)], counts / R / (days / 365)

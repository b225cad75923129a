"""Numbers behind docs/design/escalation.md (issue 12): a pure-numpy prototype, no engine.

Sections (each prints a table the design doc quotes):
  1. rung hazards: daily and yearly rates per rung, at rest (each directed pair's initial
     state) and at maximum pressure, with the Hawkes (memory) term after one received act;
  2. the reply-probability formula of the exponential-kernel Hawkes term, checked by
     simulation against the closed form, and the memory half-life;
  3. GDELT daily dyad scores: what the shipped file can say about conflict frequencies;
  4. MID 4.3 (optional, `--mid DIR` with MIDA/MIDB csv and MIDIP dta): hostility levels,
     reciprocation, reply delays and reply levels;
  5. occasions: the bounded joint impulse of k acts;
  6. realised days of the "last year" chain (accusation -> exercises): today's clipping
     against the proposed truncated lag over the whole year (spin-up);
  7. diplomatic status: how far a status change moves a dyad's resting point;
  8. a mini dyad simulation (two directions, traces, hazards, crude hostility feedback)
     for P(rung >= k by the horizon) with no events, and the injected-strike reply test.
Sections 4 and 8 live in design_mid.py and design_dyad.py (same folder).

Usage: python scripts/design_rates.py [--mid DIR] [--replicates R]
MID 4.3 (Correlates of War, correlatesofwar.org/data-sets/mids) was read from the git blobs of
GitHub brickleq/CoW at commit 00a2e67 ("Resources/MID 4.3/MIDA 4.3.csv", "MIDB 4.3.csv",
"MIDIP 4.3.dta"), saved as MIDA.csv, MIDB.csv, MIDIP.dta.
Reads conf/dynamics/default.yaml and conf/actors/default.yaml (initial state, drift,
capability) and sim/data/gdelt_dyads_daily.csv. Deterministic (fixed seeds).
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import math
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parents[1]
GDELT = ROOT / "sim" / "data" / "gdelt_dyads_daily.csv"  # the shipped copy of ../shared/data

# ---------------------------------------------------------------------------------------
# Proposed defaults (decisions.rungs.K.*, decisions.memory.*): the design doc's tables.
# rate: daily hazard at H = 1, P = 0, C = 0, equal capability, status as at the start.
RUNGS = {  # k: (rate/day, hostility β, provocation γ, cooperation ψ, deterrence δ, rupture η)
    1: (0.030, 2.0, 1.0, 5.0, 0.0, 0.5),
    2: (0.0012, 3.0, 1.0, 5.0, 0.0, 0.5),
    3: (0.0030, 3.0, 1.0, 3.0, 1.0, 0.3),
    4: (0.0060, 3.0, 1.0, 6.0, 2.0, 0.3),
    5: (0.00040, 5.0, 1.0, 6.0, 2.0, 0.5),
    6: (0.000010, 8.0, 1.0, 6.0, 2.0, 0.5),
}
HALF_LIFE = 30.0  # decisions.memory.half_life_days
EXCITATION = {1: 0.5, 2: 0.7, 3: 0.4, 4: 0.4, 5: 0.6, 6: 0.0}  # expected direct replies per act
SPREAD = {-1: 0.2, 0: 0.6, 1: 0.2}  # share of replies one rung below / same / above
MEM_DETERRENCE = 1.0  # decisions.memory.deterrence_weight
DISCHARGE = 1.0  # decisions.memory.discharge
MAG = np.array([0.0, 0.2, 0.4, 0.72, 0.9, 1.0, 1.0])  # |Goldstein|/10 of the ladder's acts
IMPULSE_H, COMMIT = 0.15, 0.03
P_HALF = 14.0
K = 6


def spread_matrix() -> np.ndarray:
    """kappa[k-1, m-1]: share of the replies to a received rung-m act that come at rung k
    (neighbours only; rung 0 and replies at rung 6 do not exist, so the shares of an edge
    column are renormalised)."""
    kap = np.zeros((K, K))
    for m in range(1, K + 1):
        for d, s in SPREAD.items():
            k = m + d
            if 1 <= k <= 5:
                kap[k - 1, m - 1] = s
        if kap[:, m - 1].sum() > 0:
            kap[:, m - 1] /= kap[:, m - 1].sum()
    return kap


def alpha_matrix(h: float = HALF_LIFE) -> np.ndarray:
    """alpha[k-1, m-1] per day: a received rung-m act adds alpha·2^(-s/h) to the rung-k hazard
    s days later, so that its total over s = 0, 1, ... is n_m·kappa[k, m]."""
    n = np.array([EXCITATION[m] for m in range(1, K + 1)])
    return spread_matrix() * n[None, :] * (1.0 - 2.0 ** (-1.0 / h))


def base_hazards(H, P, C, gap, drho=0.0) -> np.ndarray:
    """(6, ...) daily base hazards lambda0_k = rate_k·exp(β(H-1) + γP - ψC - δ·gap + η·Δρ)."""
    out = []
    for k in range(1, K + 1):
        mu, b, g, psi, dl, eta = RUNGS[k]
        out.append(mu * np.exp(b * (np.asarray(H) - 1) + g * P - psi * C - dl * gap + eta * drho))
    return np.array(out)


def load_conf():
    dyn = yaml.safe_load((ROOT / "conf/dynamics/default.yaml").read_text())
    act = yaml.safe_load((ROOT / "conf/actors/default.yaml").read_text())
    return dyn, {a: v["capability"] for a, v in act.items()}


# ---------------------------------------------------------------------------------------
def section_rates(dyn, cap) -> None:
    print("\n## 1. Rung hazards (per directed pair and day)\n")
    print("Parameters: rung | rate/day at H=1 | β hostility | γ provocation | ψ cooperation | δ deterrence | η rupture | n excitation")
    for k in range(1, K + 1):
        mu, b, g, psi, dl, eta = RUNGS[k]
        print(f"  {k} | {mu:.6f} | {b} | {g} | {psi} | {dl} | {eta} | {EXCITATION[k]}")
    print("\nMaximum pressure: H=1, P=1, C=0, Δρ=1 (every status ruptured), equal capability;"
          " 'after a strike' adds the memory term the day a rung-5 act is received (g=1).")
    hz_max = base_hazards(1.0, 1.0, 0.0, 0.0, 1.0)
    alpha = alpha_matrix()
    after = hz_max + alpha[:, 4]
    print("rung | max pressure /day | /year | P(>=1 in a year) | + fresh rung-5 act /day")
    for k in range(K):
        lam = hz_max[k]
        print(f"  {k + 1} | {lam:.2e} | {365 * lam:.3g} | {1 - math.exp(-365 * lam):.3f} | {after[k]:.2e}")
    H0, C0 = dyn["initial"]["hostility"], dyn["initial"]["cooperation"]
    print("\nAt rest (each directed pair's initial state, P=0, Δρ=0): daily rate | yearly rate")
    print("pair | " + " | ".join(f"r{k}" for k in range(1, K + 1)))
    for pair in ("IRN_ISR", "ISR_IRN", "IRN_AZE", "AZE_IRN", "ISR_AZE", "AZE_ISR"):
        i, j = pair.split("_")
        lam = base_hazards(H0[pair], 0.0, C0[pair], cap[j] - cap[i])
        cells = " | ".join(f"{x:.1e} ({365 * x:.2g}/y)" for x in lam)
        print(f"  {pair} | {cells}")
    # the act loop of spec §2 linearised at the initial state (docs/ODD.md "weak loops"):
    # S_i = d E[act magnitude of i toward j]/dH_ij = Σ_k β_k λ_k m_k; the target's effective
    # reaction becomes k + impulse·S, the actor's restraint a − commitment·S.
    print("\nAct loop at rest (linearised): S = Σ β_k λ_k m_k per day; Richardson margin ab/kl"
          " with k_eff = reaction_j + 0.15·S_i, a_eff = restraint_i − 0.03·S_i (today's rule: 1.14 for IRN-ISR)")
    for a, b in (("IRN", "ISR"), ("IRN", "AZE"), ("AZE", "ISR")):
        S = {}
        for x, y in ((a, b), (b, a)):
            lam = base_hazards(H0[f"{x}_{y}"], 0.0, C0[f"{x}_{y}"], cap[y] - cap[x])
            S[x] = float(sum(RUNGS[k][1] * lam[k - 1] * MAG[k] for k in range(1, K + 1)))
        ka = dyn["reaction"][a] + IMPULSE_H * S[b]
        kb = dyn["reaction"][b] + IMPULSE_H * S[a]
        aa = dyn["restraint"][a] - COMMIT * S[a]
        ab_ = dyn["restraint"][b] - COMMIT * S[b]
        print(f"  {a}-{b}: S_{a} = {S[a]:.4f}, S_{b} = {S[b]:.4f}; margin {aa * ab_ / (ka * kb):.2f}")
    # stationary (mean-field, linear Hawkes without discharge): Λ_i = λ0_i + g_ij N Λ_j
    print("\nStationary yearly rates with the memory term (linear Hawkes mean field, no discharge,"
          " state frozen at the initial point): Λ = (I - B)^-1 λ0")
    N = spread_matrix() * np.array([EXCITATION[m] for m in range(1, K + 1)])[None, :]
    for a, b in (("IRN", "ISR"), ("IRN", "AZE"), ("AZE", "ISR")):
        ab, ba = f"{a}_{b}", f"{b}_{a}"
        l_ab = base_hazards(H0[ab], 0.0, C0[ab], cap[b] - cap[a])
        l_ba = base_hazards(H0[ba], 0.0, C0[ba], cap[a] - cap[b])
        g_ab = math.exp(-MEM_DETERRENCE * (cap[b] - cap[a]))
        g_ba = 1.0 / g_ab
        Bm = np.block([[np.zeros((K, K)), g_ab * N], [g_ba * N, np.zeros((K, K))]])
        lam = np.linalg.solve(np.eye(2 * K) - Bm, np.concatenate([l_ab, l_ba]))
        rho = max(abs(np.linalg.eigvals(Bm)))
        print(f"  {ab}: " + ", ".join(f"{365 * x:.3g}" for x in lam[:K]) + f"   {ba}: "
              + ", ".join(f"{365 * x:.3g}" for x in lam[K:]) + f"   (branching ρ={rho:.2f}, g={g_ab:.2f}/{g_ba:.2f})")


# ---------------------------------------------------------------------------------------
def section_reply(R: int) -> None:
    print("\n## 2. Reply probability after one received act (base rates 0), by simulation\n")
    rng = np.random.default_rng(12)
    h, m, g = HALF_LIFE, 5, math.exp(-MEM_DETERRENCE * 0.2)  # IRN hit by ISR: g = e^-0.2
    alpha = alpha_matrix(h)
    q = 2.0 ** (-1.0 / h)
    days = 366
    M = np.zeros(R)
    M[:] = 1.0  # the act is received on day 0, before the decisions of day 0
    first = np.full(R, -1)
    rung = np.zeros(R, dtype=int)
    for s in range(days):
        lam = g * alpha[:, m - 1][:, None] * M[None, :]  # (6, R)
        Lam = lam.sum(axis=0)
        u = rng.random(R)
        act = (u >= np.exp(-Lam)) & (first < 0)
        # top-down categorical: rung 6 at the top of [0, 1)
        p = lam / np.where(Lam > 0, Lam, 1.0) * (1.0 - np.exp(-Lam))
        upper = 1.0 - np.cumsum(p[::-1], axis=0)[::-1]  # lower edge of rung k's interval
        k = np.where(act, K - np.argmax((u[None, :] >= upper)[::-1], axis=0), 0)
        rung[act] = k[act]
        first[act] = s
        M *= q
    c = g * EXCITATION[m]  # every excited rung (4 and 5) counts: K-set = all replies
    print("t days | simulated P(reply at rung >= 4 by day t) | closed form 1-exp(-g·n·(1-q^(t+1)))"
          " | continuous 1-exp(-g·n·(1-2^(-t/h)))")
    for t in (0, 7, 14, 30, 60, 90, 180, 365):
        sim = np.mean((first >= 0) & (first <= t))
        se = math.sqrt(sim * (1 - sim) / R)
        exact = 1 - math.exp(-c * (1 - q ** (t + 1)))
        cont = 1 - math.exp(-c * (1 - 2 ** (-t / h)))
        print(f"  {t:3d} | {sim:.4f} ± {1.96 * se:.4f} | {exact:.4f} | {cont:.4f}")
    rr = rung[first >= 0]
    print(f"reply rungs: 4: {np.mean(rr == 4):.3f}, 5: {np.mean(rr == 5):.3f} (spread: 0.25 / 0.75)")
    d = first[first >= 0]
    print(f"median delay of replies within a year: {np.median(d):.0f} days; mean {d.mean():.1f}")
    print(f"memory: after h={h} days the trace is {q ** h:.12f} of its value (exactly 1/2); "
          f"after 90 days {q ** 90:.4f}")


# ---------------------------------------------------------------------------------------
def section_gdelt() -> None:
    print("\n## 3. GDELT daily dyad scores (what the shipped file holds)\n")
    rows = list(csv.reader(l for l in GDELT.read_text().splitlines() if not l.startswith("#")))
    head, data = rows[0], rows[1:]
    print(f"columns: {head}; {len(data)} days present of "
          f"{(dt.date.fromisoformat(data[-1][0]) - dt.date.fromisoformat(data[0][0])).days + 1}")
    print("One volume-weighted net Goldstein score per dyad-day: no event counts, no quad classes.")
    print("dyad | year | days | share score<0 | share score<=-20 | share score==0 | median")
    years = np.array([int(r[0][:4]) for r in data])
    for c, name in enumerate(head[1:], start=1):
        x = np.array([float(r[c]) for r in data])
        for y in (2021, 2022, 2023):
            v = x[years == y]
            print(f"  {name} | {y} | {v.size} | {np.mean(v < 0):.2f} | {np.mean(v <= -20):.2f} | "
                  f"{np.mean(v == 0):.2f} | {np.median(v):+.1f}")


# ---------------------------------------------------------------------------------------
def occasion_impulse(m, share=0.5, cap=1.0) -> float:
    m = np.sort(np.asarray(m, dtype=float))[::-1]
    return float(min(cap, np.sum(m * share ** np.arange(m.size))))


def section_occasions() -> None:
    print("\n## 5. Occasions: strongest act + share^n of the others, capped\n")
    for k in (1, 2, 3, 5, 10, 100):
        print(f"  k={k:3d} identical praise acts (0.34): {occasion_impulse([0.34] * k):.4f} "
              f"(bound 0.34/(1-0.5) = 0.68; sum {0.34 * k:.2f})")
    visit_aze = [0.8, 0.34, 0.28, 0.04]
    visit_isr = [0.8, 0.34, 0.19]
    print(f"  Herzog visit today, AZE->ISR channel: sum {sum(visit_aze):.2f} -> occasion {occasion_impulse(visit_aze):.3f}")
    visit_aze2 = [0.52, 0.34, 0.28, 0.04]
    visit_isr2 = [0.52, 0.34, 0.19]
    print(f"  with the health plan at +5.2: AZE->ISR {sum(visit_aze2):.2f} -> {occasion_impulse(visit_aze2):.3f};"
          f" ISR->AZE {sum(visit_isr2):.2f} -> {occasion_impulse(visit_isr2):.3f} (today {sum(visit_isr):.2f})")
    print(f"  arrests + expulsion (AZE->IRN) today 0.5+0.5 = 1.00; recoded (accuse 0.2, expel 0.5) -> "
          f"{occasion_impulse([0.5, 0.2]):.2f}")


# ---------------------------------------------------------------------------------------
def section_days() -> None:
    print("\n## 6. Realised days of the 'last year' chain (100 000 draws)\n")
    rng = np.random.default_rng(3)
    R = 100_000
    start, y0 = dt.date(2022, 9, 1), dt.date(2022, 1, 1)
    end_y = dt.date(2022, 12, 31)
    a, b = (start - start).days, (end_y - start).days
    u_d, u_l = rng.random(R), rng.random(R)
    acc = a + np.floor(u_d * (b - a + 1)).astype(int)
    ex = np.clip(acc + 1 + np.floor(u_l * 60).astype(int), a, b)
    print(f"  today (window ∩ horizon, clip): exercises on 31 Dec {np.mean(ex == b):.1%}; "
          "by month Sep..Dec " + ", ".join(f"{np.mean((ex >= s) & (ex < e)):.3f}" for s, e in ((0, 30), (30, 61), (61, 91), (91, 122))))
    # proposal: spin-up from 1 Jan 2022, so the whole year is simulated; the root is uniform
    # over its window (its day depends on its own draw only: common random numbers hold);
    # the dependent's lag is uniform over the lags that keep it inside its window, and it
    # takes the window's last day only when no lag fits (the root on the window's last day)
    A_, B_ = (y0 - start).days, b
    acc2 = A_ + np.floor(u_d * (B_ - A_ + 1)).astype(int)
    hi = np.minimum(60, B_ - acc2)  # largest lag that stays inside 2022
    ex2 = np.where(hi >= 1, acc2 + 1 + np.floor(u_l * np.maximum(hi, 1)).astype(int), B_)
    in_h = ex2 >= 0
    print(f"  proposed (whole 2022, truncated lag): exercises inside the horizon {in_h.mean():.1%}; "
          f"on 31 Dec {np.mean(ex2 == B_):.2%} (a uniform day: {1 / 365:.2%}); "
          f"largest share of one day {np.bincount(ex2 - A_).max() / R:.2%}")
    print(f"  accusation inside the horizon {np.mean(acc2 >= 0):.1%}")
    # ordering constraint: arrests after the Tel Aviv opening, both in March
    op = np.floor(rng.random(R) * 31).astype(int)
    ar = op + np.floor(rng.random(R) * (31 - op)).astype(int)
    print(f"  'after' constraint in one month (opening uniform in March, arrests uniform on [opening, 31]): "
          f"arrests on 31 March {np.mean(ar == 30):.1%}, before the opening {np.mean(ar < op):.0%}")


# ---------------------------------------------------------------------------------------
def section_status(dyn) -> None:
    print("\n## 7. Diplomatic status: shift of the affine resting point per unit of Δρ\n")
    kH, kC = 0.0007, 0.0007  # dynamics.status.grievance / .affinity (per day per unit Δρ)
    article = {("AZE", "IRN"): 1.0, ("AZE", "ISR"): -0.3, ("IRN", "ISR"): 0.0}
    for i, j in (("AZE", "IRN"), ("AZE", "ISR"), ("IRN", "ISR")):
        g = lambda key, a: dyn[key][a]  # noqa: E731
        A = np.array([
            [-g("restraint", i), g("reaction", i), -g("cooperation_damping", i), 0],
            [g("reaction", j), -g("restraint", j), 0, -g("cooperation_damping", j)],
            [-g("hostility_drag", i), 0, -g("decay", i), g("reciprocity", i)],
            [0, -g("hostility_drag", j), g("reciprocity", j), -g("decay", j)]])
        db = np.array([kH, kH, -kC, -kC])
        dz = -np.linalg.solve(A, db)
        dten = (dz[0] + dz[1]) / 2
        dnet = (dz[2] + dz[3]) / 2 - dten
        x = article[(i, j)]
        print(f"  {i}-{j}: per unit Δρ: ΔH = ({dz[0]:+.3f}, {dz[1]:+.3f}), ΔC = ({dz[2]:+.3f}, {dz[3]:+.3f}); "
              f"tension {dten:+.3f}, net relation {dnet:+.3f}; slowest time constant "
              f"{-1 / max(np.linalg.eigvals(A).real):.0f} days; article's Δρ {x:+.1f}: tension "
              f"{x * dten:+.3f}, net relation {x * dnet:+.3f}")
    print("  Δρ of the article's changes: AZE-IRN +0.4 +0.2 (AZE's embassy suspended, ambassador recalled)"
          " +0.2 +0.2 (staff reduced both ways) = +1.0; AZE-ISR -0.3 (AZE's embassy none -> open)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mid", type=Path, default=None, help="folder with MIDA.csv, MIDB.csv, MIDIP.dta (MID 4.3)")
    ap.add_argument("--replicates", type=int, default=20000)
    args = ap.parse_args()
    dyn, cap = load_conf()
    section_rates(dyn, cap)
    section_reply(args.replicates * 20)
    section_gdelt()
    if args.mid is not None:
        from design_mid import section_mid  # scripts/ is on sys.path when run as a script
        section_mid(args.mid)
    section_occasions()
    section_days()
    section_status(dyn)
    from design_dyad import section_minisim
    section_minisim(dyn, cap, args.replicates)


if __name__ == "__main__":
    main()

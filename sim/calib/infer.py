"""The posterior of the escalation layer's rates on coded counts, and its simulation-based
calibration (Talts et al. 2018).

Parameters θ (prior uniform on the box ``LO``…``HI``, truncated to cascades that die out: the
network branching ratio with the cross-target channel < 1): log10 multipliers of the base rates
of rung class 1 (``decisions.rungs.1.rate``), 2–3 (rungs 2 and 3) and 4–5 (rungs 4 and 5), a
multiplier of every memory excitation ``decisions.memory.excitation.*`` (the reply strength)
and ``decisions.memory.cross_target`` (replies toward the actor's partners).
Rung 6 and every sensitivity keep their values; dyads differ by their state (H, C, P,
capability), not by free per-dyad rates.

Likelihood of the coded dyad-days D of every (directed pair, month, class) cell: the model's
act-days A of ``reps`` replicates at θ (common random numbers, so deterministic in θ) through
the fixed observation model (``sim.calib.bridge``), per cell a predictive mixture
p(D | θ) = [Σ_r P(D | A_r) + a·q(D)] / (reps + a) with a small weight a on a broad reference
pmf q (a geometric law with mean two incidents' worth of days) so that a count no replicate
reaches is unlikely, not impossible; cells are multiplied (a composite likelihood: the
months' dependence through the memory is ignored, which the SBC check below would expose).
Sampler: emcee's affine-invariant ensemble, vectorised (all walkers one ensemble), seeded.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.calib.bridge import Bridge
from sim.calib.simulate import run_counts
from sim.engine.settings import Settings

NAMES = ("log10_rate_mult_1", "log10_rate_mult_2_3", "log10_rate_mult_4_5", "excitation_mult", "cross_target")
LO = np.array([-1.0, -1.0, -1.0, 0.0, 0.0])
HI = np.array([1.5, 1.5, 1.5, 1.6, 1.0])  # excitation ×1.6: the pairs' branching ratio 0.556 → 0.89 < 1
RUNG_CLASS = (0, 1, 1, 2, 2)  # rungs 1..5 → θ index
PSEUDO = 0.5


@dataclass(frozen=True)
class Sampler:
    walkers: int = 12
    steps: int = 60
    burn: int = 20
    reps: int = 16


def base_values(settings: Settings) -> tuple[np.ndarray, np.ndarray]:
    d = settings.params.decisions
    rate = np.asarray(d.rung_rate, dtype=float).reshape(6, -1)[:, 0]
    exc = np.asarray(d.memory_excitation, dtype=float).reshape(6, -1)[:, 0]
    return rate, exc


def values_of(theta: np.ndarray, settings: Settings, reps: int) -> dict[str, np.ndarray]:
    """Per-replicate parameter values of θ (n, 4), each θ repeated ``reps`` times."""
    rate, exc = base_values(settings)
    th = np.repeat(np.atleast_2d(theta), reps, axis=0)
    out = {f"decisions.rungs.{k}.rate": rate[k - 1] * 10.0 ** th[:, RUNG_CLASS[k - 1]] for k in range(1, 6)}
    out.update({f"decisions.memory.excitation.{m}": exc[m - 1] * th[:, 3] for m in range(1, 7)})
    out["decisions.memory.cross_target"] = th[:, 4]
    return out


def stable(theta: np.ndarray, settings: Settings) -> np.ndarray:
    """(n,) True where the network branching ratio (``sim.config.branching``) is < 1."""
    from sim.config.branching import network_ratio

    out = []
    for th in np.atleast_2d(theta):
        p = settings.params
        for path, v in defaults_of(th, settings).items():
            p = p.with_entry(*_entry(path, settings), v)
        out.append(network_ratio(p, settings.actors) < 1.0)
    return np.array(out)


def _entry(path: str, settings: Settings):
    from sim import params as table

    row, key = table.lookup(path, settings.actors)
    return row.target.removeprefix("params."), row.index(key, settings.actors)


def prior_draws(n: int, settings: Settings, rng: np.random.Generator) -> np.ndarray:
    """``n`` draws of the truncated prior (rejection)."""
    out = np.empty((0, len(NAMES)))
    while len(out) < n:
        x = LO + (HI - LO) * rng.random((2 * n, len(NAMES)))
        out = np.vstack([out, x[stable(x, settings)]])
    return out[:n]


def defaults_of(theta: np.ndarray, settings: Settings) -> dict[str, float]:
    """The parameter values θ stands for (the calibrated defaults, for a single θ)."""
    return {k: float(v[0]) for k, v in values_of(np.asarray(theta)[None], settings, 1).items()}


def _reference(bridge: Bridge, dmax: int) -> np.ndarray:
    mu = 2.0 * bridge.m
    rho = mu / (1.0 + mu)
    return (1 - rho)[:, None] * rho[:, None] ** np.arange(dmax + 1)[None]


def cell_pmf(D: np.ndarray, A: np.ndarray, bridge: Bridge, cap: np.ndarray) -> np.ndarray:
    """P(D | A_r) for A (..., reps, pairs, months, 3) and D (pairs, months, 3)."""
    out = np.empty(A.shape)
    capm = np.broadcast_to(cap[None, :], D.shape[:2])
    for c in range(3):
        a = A[..., c]
        d = np.broadcast_to(D[..., c], a.shape)
        out[..., c] = np.exp(bridge.logpmf(d, a, c, np.broadcast_to(capm, a.shape)))
    return out


def loglik(A: np.ndarray, D: np.ndarray, bridge: Bridge, cap: np.ndarray) -> np.ndarray:
    """Composite log-likelihood of D for each θ: A (n, reps, pairs, months, 3) → (n,)."""
    P = cell_pmf(D, A, bridge, cap)
    q = _reference(bridge, int(max(D.max(), 1)))
    qd = np.stack([q[c][D[..., c]] for c in range(3)], axis=-1)
    mix = (P.sum(axis=1) + PSEUDO * qd[None]) / (A.shape[1] + PSEUDO)
    return np.log(mix).reshape(A.shape[0], -1).sum(axis=1)


def simulate_acts(theta: np.ndarray, settings: Settings, reps: int) -> np.ndarray:
    """A (n, reps, pairs, months, 3) at θ (n, 4), common random numbers across θ."""
    n = theta.shape[0]
    counts, _, _ = run_counts(settings, n * reps, values_of(theta, settings, reps), crn_reps=reps)
    return counts.reshape((n, reps) + counts.shape[1:])


def fit(settings: Settings, D: np.ndarray, bridge: Bridge, cap: np.ndarray, sampler: Sampler, seed: int) -> dict:
    """emcee over θ; ``settings`` spans exactly the fitted months (D's months)."""
    import emcee

    rng = np.random.default_rng(seed)
    k, W = len(NAMES), sampler.walkers

    def logpost(theta):
        theta = np.atleast_2d(theta)
        inside = np.all((theta >= LO) & (theta <= HI), axis=1)
        inside[inside] = stable(theta[inside], settings)
        lp = np.full(theta.shape[0], -np.inf)
        if inside.any():
            A = simulate_acts(theta[inside], settings, sampler.reps)
            lp[inside] = loglik(A, D, bridge, cap)
        return lp

    p0 = prior_draws(W, settings, rng)
    es = emcee.EnsembleSampler(W, k, logpost, vectorize=True)
    es.random_state = np.random.RandomState(int(rng.integers(2**31))).get_state()
    es.run_mcmc(p0, sampler.steps, progress=False)
    chain = es.get_chain()  # (steps, W, k)
    kept = chain[sampler.burn:].reshape(-1, k)
    return {"chain": chain, "draws": kept, "log_prob": es.get_log_prob()[sampler.burn:].reshape(-1),
            "acceptance": float(np.mean(es.acceptance_fraction))}


def thin(draws: np.ndarray, n: int) -> np.ndarray:
    """``n`` draws evenly spaced over the kept chain (steps × walkers, step-major)."""
    idx = np.linspace(0, len(draws) - 1, n).round().astype(int)
    return draws[idx]


def sbc(settings: Settings, bridge: Bridge, cap: np.ndarray, sampler: Sampler, trials: int, draws: int,
        seed: int) -> dict:
    """Simulation-based calibration: θ* from the prior, data from the model at θ* (one
    replicate of another seed, through the observation model), the same fit; the rank of
    θ*_j among ``draws`` thinned posterior draws is uniform on 0…draws if the inference is
    calibrated. Returns the ranks and a χ² test of uniformity over 4 bins per parameter."""
    from scipy import stats

    rng = np.random.default_rng(seed)
    truth = prior_draws(trials, settings, rng)
    data_settings = replace(settings, seed=settings.seed + 1_000_003)  # independent of the fit's CRN
    counts, _, _ = run_counts(data_settings, trials, values_of(truth, settings, 1))
    ranks = np.zeros((trials, len(NAMES)), dtype=int)
    for t in range(trials):
        D = np.stack([bridge.sample(counts[t, ..., c], c, rng, cap[None, :]) for c in range(3)], axis=-1)
        post = thin(fit(settings, D, bridge, cap, sampler, seed + 1 + t)["draws"], draws)
        ranks[t] = (post < truth[t]).sum(axis=0)
    bins = 4
    edges = np.linspace(0, draws + 1, bins + 1)
    out = {"trials": trials, "draws": draws, "truth": truth.tolist(), "ranks": ranks.tolist(), "per_parameter": {}}
    for j, name in enumerate(NAMES):
        h, _ = np.histogram(ranks[:, j], bins=edges)
        chi = stats.chisquare(h)
        u = ranks[:, j] / draws
        out["per_parameter"][name] = {"histogram": h.tolist(), "chi2": float(chi.statistic),
                                      "p_value": float(chi.pvalue), "mean_normalised_rank": float(u.mean()),
                                      "sd_normalised_rank": float(u.std(ddof=1))}
    return out

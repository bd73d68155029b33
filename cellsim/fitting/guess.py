"""Automatic initial guesses for circuit fits, from the data.

The circuit's top-level series terms are recognised where possible as *separable*: their
impedance is a known coefficient times a basis function of a few non-linear parameters,

    R              -> R * 1                      p(R,C)   -> R / (1 + j w tau),  C = tau/R
    L              -> L * j w                    p(R,CPE) -> R / (1 + (j w tau)^n), Q = tau^n/R
    C              -> (1/C) / (j w)              K        -> R / (1 + j w tau)
    CPE            -> (1/Q) (j w)^-n             Zarc     -> R / (1 + (j w tau)^g)
    W              -> A_W (1 - j)/sqrt(w)        G        -> R_G / sqrt(1 + j w t_G)
    Wo, Ws, Zd     -> Z0 * coth or tanh(sqrt(j w tau))/sqrt(j w tau)

Many candidate sets of the non-linear parameters (time constants log-uniform over one
decade beyond the measured range, exponents uniform) are drawn; for each the coefficients
follow from a weighted linear least-squares solve with non-negativity (variable projection),
so that resistances, the high-frequency intercept and arc sizes come from the data rather
than from a default. Terms that are not separable (nested parallels, elements with fixed
parameters) are sampled around scales set by the data (|Z|, the frequency range). The
candidates are ranked by their weighted cost with the full circuit, and the best few
distinct ones are returned as starting points for the non-linear fit.

The projection runs compiled, one sample at a time
(:func:`cellsim.fitting._kernels.separable_fit`; :func:`_basis` and
:func:`_linear_coefficients` are its NumPy reference). Its residual is the full circuit's
(opaque terms are subtracted from the target first), so the circuit itself is evaluated only
for candidates a bound or range clipped and for the returned ones. The number of samples
(:func:`default_samples`) is 100 per sampled non-linear quantity when every term is
separable, the former ~2e5 / n_freq (200..1500) when parameters are sampled directly.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import InputError

__all__ = ["auto_guesses", "data_scales", "default_samples"]


def data_scales(frequency: np.ndarray, z: np.ndarray) -> dict:
    """Characteristic scales of a spectrum.

    Returns
    -------
    dict
        ``z_scale`` (max |Z|) [ohm], ``r_hf`` (real part at the highest frequency) [ohm],
        ``r_lf`` (real part at the lowest frequency) [ohm], ``w_min``, ``w_max`` [rad/s],
        ``apex_w`` (angular frequencies of local maxima of -Z'') [rad/s].
    """
    w = 2 * np.pi * np.asarray(frequency, dtype=float)
    order = np.argsort(w)
    ws, zs = w[order], z[order]
    mz = -zs.imag
    apex = [ws[i] for i in range(1, ws.size - 1) if mz[i] > 0 and mz[i] >= mz[i - 1] and mz[i] >= mz[i + 1]]
    return {"z_scale": float(np.max(np.abs(z))), "r_hf": float(zs[-1].real), "r_lf": float(zs[0].real),
            "w_min": float(ws[0]), "w_max": float(ws[-1]), "apex_w": apex}


class _Term:
    """One top-level series term."""

    def __init__(self, kind: str, idx: list[int], nl: list[str]):
        self.kind = kind      # separable kind or "opaque"
        self.idx = idx        # circuit parameter indices of this term
        self.nl = nl          # names of the sampled non-linear quantities


def _classify(node, circuit, fixed_mask) -> _Term:
    from ..circuits.parser import Element, Parallel

    names = circuit.parameter_names
    owner = circuit.parameter_elements

    def idx_of(el_name):
        return [i for i, o in enumerate(owner) if o == el_name]

    if isinstance(node, Element):
        idx = idx_of(node.name)
        kind = node.prefix
        if kind in ("R", "L", "C", "W", "CPE", "Wo", "Ws", "Zd", "G", "K", "Zarc") and not fixed_mask[idx].any():
            nl = {"CPE": ["n_series"], "Wo": ["tau_d"], "Ws": ["tau_d"], "Zd": ["tau_d"], "G": ["tau_d"],
                  "K": ["tau"], "Zarc": ["tau", "n"]}.get(kind, [])
            return _Term(kind, idx, nl)
        return _Term("opaque", idx, [])
    if isinstance(node, Parallel) and len(node.children) == 2 and all(isinstance(c, Element) for c in node.children):
        prefixes = sorted(c.prefix for c in node.children)
        byp = {c.prefix: c.name for c in node.children}
        if prefixes in (["C", "R"], ["CPE", "R"]):
            r_idx = idx_of(byp["R"])
            other = idx_of(byp["C"] if "C" in byp else byp["CPE"])
            if not fixed_mask[r_idx + other].any():
                if "C" in byp:
                    return _Term("RC", r_idx + other, ["tau"])
                return _Term("RQ", r_idx + other, ["tau", "n"])
    # anything else: all its parameters sampled
    from ..circuits.parser import iter_elements

    idx = []
    for el in iter_elements(node):
        idx += idx_of(el.name)
    del names
    return _Term("opaque", idx, [])


def _jw_pow(w: np.ndarray, tau, n: np.ndarray) -> np.ndarray:
    """(j w tau)^n for (S,) tau and n, shape (S, N): (w tau)^n (cos(n pi/2) + j sin(n pi/2))."""
    tau = np.broadcast_to(np.asarray(tau, dtype=float), n.shape)
    mag = np.exp(n[:, None] * np.log(w[None, :] * tau[:, None]))
    return mag * np.cos(0.5 * np.pi * n)[:, None] + 1j * (mag * np.sin(0.5 * np.pi * n)[:, None])


def _basis(term: _Term, w: np.ndarray, s: dict) -> np.ndarray:
    """Basis function (S, N) of a separable term (coefficient 1)."""
    jw = 1j * w[None, :]
    k = term.kind
    if k == "R":
        return np.ones_like(jw) * np.ones((s["_S"], 1))
    if k == "L":
        return jw * np.ones((s["_S"], 1))
    if k == "C":
        return (1.0 / jw) * np.ones((s["_S"], 1))
    if k == "W":
        return ((1 - 1j) / np.sqrt(w))[None, :] * np.ones((s["_S"], 1))
    if k == "CPE":
        return _jw_pow(w, 1.0, -s["n_series"])
    if k in ("Wo", "Ws", "Zd"):
        x = np.sqrt(jw * s["tau_d"][:, None])
        return 1.0 / (x * np.tanh(x)) if k == "Wo" else np.tanh(x) / x
    if k == "G":
        return 1.0 / np.sqrt(1 + jw * s["tau_d"][:, None])
    if k in ("K", "RC"):
        return 1.0 / (1 + jw * s["tau"][:, None])
    if k in ("Zarc", "RQ"):
        return 1.0 / (1 + _jw_pow(w, s["tau"], s["n"]))
    raise AssertionError(k)  # pragma: no cover


def _to_params(term: _Term, coef: np.ndarray, s: dict, out: np.ndarray) -> None:
    """Write the circuit parameters of a separable term into ``out`` (S, n_params)."""
    k, i = term.kind, term.idx
    if k in ("R", "L", "W"):
        out[:, i[0]] = coef
    elif k == "C":
        out[:, i[0]] = 1.0 / coef
    elif k == "CPE":
        out[:, i[0]] = 1.0 / coef
        out[:, i[1]] = s["n_series"]
    elif k in ("Wo", "Ws", "Zd", "G"):
        out[:, i[0]] = coef
        out[:, i[1]] = s["tau_d"]
    elif k == "K":
        out[:, i[0]] = coef
        out[:, i[1]] = s["tau"]
    elif k == "Zarc":
        out[:, i[0]] = coef
        out[:, i[1]] = s["tau"]
        out[:, i[2]] = s["n"]
    elif k == "RC":
        out[:, i[0]] = coef
        out[:, i[1]] = s["tau"] / coef
    elif k == "RQ":
        out[:, i[0]] = coef
        out[:, i[1]] = s["tau"] ** s["n"] / coef
        out[:, i[2]] = s["n"]


def _sample_opaque(circuit, idx: list[int], S: int, sc: dict, rng) -> np.ndarray:
    """Log-uniform samples (S, len(idx)) for parameters of non-separable terms, by unit."""
    units = circuit.parameter_units
    kinds = circuit.parameter_kinds
    labels = circuit.parameter_labels
    zs = sc["z_scale"]
    lw = rng.uniform(np.log(sc["w_min"]), np.log(sc["w_max"]), size=S)
    out = np.empty((S, len(idx)))
    for c, i in enumerate(idx):
        u = units[i]
        spread = rng.uniform(-1.5, 1.5, size=S) * math.log(10)
        if kinds[i] == "exponent":
            out[:, c] = rng.uniform(0.5, 1.0, size=S)
            continue
        if u == "ohm":
            base = np.log(zs)
        elif u == "F":
            base = -lw - np.log(zs)
        elif u == "H":
            base = np.log(zs) - lw
        elif u == "s":
            base = -lw
        elif u.startswith("ohm^-1 s^"):
            base = -np.log(zs) - 0.8 * lw
        elif u == "ohm s^-1/2":
            base = np.log(zs) + 0.5 * lw
        elif labels[i] in ("phi",):
            base = np.zeros(S)
        else:
            base = np.zeros(S)
        out[:, c] = np.exp(base + spread)
    return out


def _linear_coefficients(B: np.ndarray, target: np.ndarray, wr: np.ndarray, wi: np.ndarray,
                         z_scale: float) -> np.ndarray:
    """Non-negative weighted least-squares coefficients of the separable terms, per sample.

    ``B`` (S, N, m) holds each term's impedance per unit coefficient, ``target`` (S, N) the
    impedance left to explain. Up to three active-set passes switch off the terms whose
    coefficient comes out <= 0; a switched-off term gets a tiny positive coefficient.
    """
    S = B.shape[0]
    A = np.concatenate([B.real * wr[None, :, None], B.imag * wi[None, :, None]], axis=1)  # (S, 2N, m)
    b = np.concatenate([target.real * wr, target.imag * wi], axis=1)  # (S, 2N)
    m = A.shape[2]
    active = np.ones((S, m), dtype=bool)
    coef = np.zeros((S, m))
    ata_full = A.transpose(0, 2, 1) @ A                    # (S, m, m)
    atb_full = (A.transpose(0, 2, 1) @ b[..., None])[..., 0]  # (S, m)
    eye = np.eye(m)[None]
    rows = np.arange(S)
    for _ in range(3):
        # normal equations restricted to the active columns (rows/columns of inactive ones zeroed)
        act = active[rows]
        mask2 = act[:, :, None] & act[:, None, :]
        ata = ata_full[rows] * mask2
        atb = atb_full[rows] * act
        ridge = 1e-12 * np.trace(ata, axis1=1, axis2=2)[:, None, None] * eye + eye * (~act)[:, :, None]
        coef[rows] = np.linalg.solve(ata + ridge, atb[..., None])[..., 0]
        neg = (coef[rows] <= 0) & act
        if not neg.any():
            break
        active[rows] &= ~neg
        rows = rows[neg.any(axis=1)]
    # tiny positive coefficient where a term was switched off
    colscale = np.max(np.abs(B), axis=1)  # (S, m)
    tiny = 1e-6 * z_scale / np.maximum(colscale, 1e-300)
    coef = np.where(coef > 0, coef, tiny)
    return coef


_BASIS_OF = {"R": "BASIS_R", "L": "BASIS_L", "C": "BASIS_C", "W": "BASIS_W", "CPE": "BASIS_CPE", "Wo": "BASIS_WO",
             "Ws": "BASIS_WS", "Zd": "BASIS_WS", "G": "BASIS_G", "K": "BASIS_DEBYE", "RC": "BASIS_DEBYE",
             "Zarc": "BASIS_COLE", "RQ": "BASIS_COLE"}


def _needs_log(terms: list[_Term]) -> bool:
    return any(t.kind in ("CPE", "Zarc", "RQ") for t in terms)


def _circuit_cost(circuit, f: np.ndarray, z: np.ndarray, params: np.ndarray, wr: np.ndarray,
                  wi: np.ndarray) -> np.ndarray:
    """Weighted chi^2 of parameter sets (rows) with the full circuit."""
    zc = circuit.impedance(f, np.ascontiguousarray(params), check=False, parallel=False)
    d = zc - z[None, :]
    return np.sum((d.real * wr) ** 2 + (d.imag * wi) ** 2, axis=1)


def _opaque_target(circuit, children, terms: list[_Term], params: np.ndarray, f: np.ndarray,
                   z: np.ndarray) -> np.ndarray:
    """The impedance the separable terms must explain: z minus the opaque terms (sampled or fixed).

    One row (1, N) without opaque terms, else one row per sample (S, N).
    """
    if not any(t.kind == "opaque" for t in terms):
        return z[None, :]
    from ..circuits import Circuit

    target = z[None, :] * np.ones((params.shape[0], 1))
    for t, ch in zip(terms, children):
        if t.kind != "opaque":
            continue
        sub = Circuit(ch)
        sub_idx = [circuit.index(nm) for nm in sub.parameter_names]
        target = target - sub.impedance(f, np.ascontiguousarray(params[:, sub_idx]), check=False, parallel=False)
    return target


def _separable_coefficients(terms: list[_Term], samples: list[dict], w: np.ndarray, target: np.ndarray, wr_wi,
                            z_scale: float, needs_log: bool) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (S, m) of the separable terms and the weighted cost (S,) of each sample, by the
    compiled variable projection :func:`cellsim.fitting._kernels.separable_fit` (the NumPy
    reference is :func:`_basis` with :func:`_linear_coefficients`)."""
    from . import _kernels as K

    S, m = samples[0]["_S"], len(terms)
    tau, n = np.ones((S, m)), np.zeros((S, m))
    for j, s in enumerate(samples):
        for key, arr in s.items():
            if key in ("tau", "tau_d"):
                tau[:, j] = arr
            elif key in ("n", "n_series"):
                n[:, j] = arr
    kinds = np.array([getattr(K, _BASIS_OF[t.kind]) for t in terms], dtype=np.int64)
    logw = np.log(w) if needs_log else np.zeros_like(w)
    wr, wi = wr_wi
    coef, cost = np.empty((S, m)), np.empty(S)
    K.separable_fit(kinds, w, logw, tau, n, np.ascontiguousarray(target.real), np.ascontiguousarray(target.imag),
                    np.ascontiguousarray(wr, dtype=float), np.ascontiguousarray(wi, dtype=float), float(z_scale),
                    coef, cost)
    return coef, cost


def _distinct_best(params: np.ndarray, cost: np.ndarray, order: np.ndarray, logm: np.ndarray,
                   n_best: int) -> list[int]:
    """Up to ``n_best`` candidates, cheapest first, each differing from those chosen before it by
    more than 10 % in some log-parameter (by 0.1 in a linear one)."""
    chosen: list[int] = []
    for i in order:
        if not np.isfinite(cost[i]):
            break
        pi = params[i]
        if all(np.max(np.abs(np.where(logm, np.log(pi) - np.log(params[j]), pi - params[j]))) > 0.1
               for j in chosen):
            chosen.append(int(i))
        if len(chosen) >= n_best:
            break
    if not chosen:
        chosen = [int(order[0])]
    return chosen


def default_samples(terms: list[_Term], fixed_mask: np.ndarray, n_freq: int) -> int:
    """Number of random candidates of :func:`auto_guesses`.

    With variable projection only the non-linear quantities of the separable terms are
    sampled (time constants, exponents: d of them), the coefficients are solved for; 100 d
    samples (at least 200) reach the optimum of every benchmark and real spectrum that 1500
    reach (``benchmarks/circuit_fitting.py``, ``../shared/data/eis``). Parameters of opaque
    terms (nested parallels, fixed parts) are sampled directly, linear ones included, and
    keep the former budget of about 2e5 / n_freq samples (200..1500).
    """
    budget = int(np.clip(200000 // max(n_freq, 1), 200, 1500))
    if any(t.kind == "opaque" and not fixed_mask[t.idx].all() for t in terms):
        return budget
    d = sum(len(t.nl) for t in terms)
    return min(budget, max(200, 100 * d))


def auto_guesses(circuit, frequency, z, sigma_re, sigma_im, fixed: dict | None = None,
                 bounds: tuple[np.ndarray, np.ndarray] | None = None, n_samples: int | None = None,
                 n_best: int = 6, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Candidate starting points for fitting ``circuit`` to the data.

    Parameters
    ----------
    circuit : cellsim.circuits.Circuit
    frequency : numpy.ndarray
        [Hz].
    z : numpy.ndarray
        Complex impedance [ohm].
    sigma_re, sigma_im : numpy.ndarray
        Standard deviations of the real and imaginary parts [ohm] (the fit's weighting).
    fixed : dict, optional
        name -> value of parameters held fixed (candidates carry these values).
    bounds : (lower, upper), optional
        Natural-unit bounds per parameter; candidates are clipped into them.
    n_samples : int, optional
        Number of random candidates. Default (:func:`default_samples`): 100 per sampled
        non-linear quantity (200 at least) when every term is separable, about 2e5 / n_freq
        (200..1500) when some parameters are sampled directly (opaque terms); never more
        than the latter.
    n_best : int
        Number of distinct best candidates returned.
    seed : int
        Seed of the random generator (results are reproducible).

    Returns
    -------
    params : numpy.ndarray
        (n_best, n_params) candidate parameter sets, best first.
    costs : numpy.ndarray
        Their weighted sums of squared residuals.
    """
    from ..circuits.parser import Series

    fixed = dict(fixed or {})
    n = circuit.n_params
    names = circuit.parameter_names
    fixed_mask = np.zeros(n, dtype=bool)
    fixed_vals = np.zeros(n)
    for name, v in fixed.items():
        j = circuit.index(name)
        fixed_mask[j] = True
        fixed_vals[j] = v
    f = np.asarray(frequency, dtype=float)
    w = 2 * np.pi * f
    N = f.size
    tree = circuit.tree
    children = tree.children if isinstance(tree, Series) else (tree,)
    terms = [_classify(ch, circuit, fixed_mask) for ch in children]
    S = int(n_samples) if n_samples is not None else default_samples(terms, fixed_mask, N)
    rng = np.random.default_rng(seed)
    sc = data_scales(f, z)

    # non-linear samples (drawn term by term, in the order of the terms)
    lt_lo, lt_hi = np.log(0.3 / sc["w_max"]), np.log(3.0 / sc["w_min"])
    params = np.tile(fixed_vals, (S, 1))
    sep_terms, samples = [], []
    for t in terms:
        if t.kind == "opaque":
            free = [i for i in t.idx if not fixed_mask[i]]
            if free:
                params[:, free] = _sample_opaque(circuit, free, S, sc, rng)
            continue
        s = {"_S": S}
        for q in t.nl:
            if q == "tau":
                s[q] = np.exp(rng.uniform(lt_lo, lt_hi, size=S))
            elif q == "tau_d":
                s[q] = np.exp(rng.uniform(np.log(0.1 / sc["w_max"]), np.log(10.0 / sc["w_min"]), size=S))
            elif q == "n":
                s[q] = rng.uniform(0.6, 1.0, size=S)
            elif q == "n_series":
                s[q] = rng.uniform(0.4, 1.0, size=S)
        sep_terms.append(t)
        samples.append(s)
    target = _opaque_target(circuit, children, terms, params, f, z)
    cost = np.full(S, np.nan)
    if sep_terms:
        coef, cost = _separable_coefficients(sep_terms, samples, w, target, wr_wi=(1.0 / sigma_re, 1.0 / sigma_im),
                                             z_scale=sc["z_scale"], needs_log=_needs_log(sep_terms))
        for j, (t, s) in enumerate(zip(sep_terms, samples)):
            _to_params(t, coef[:, j], s, params)
    kinds = circuit.parameter_kinds
    exp_mask = np.array([k == "exponent" for k in kinds])
    raw = params.copy()
    params[:, fixed_mask] = fixed_vals[fixed_mask]
    if bounds is not None:
        lo, hi = bounds
        params = np.clip(params, np.where(np.isfinite(lo), lo, -np.inf), np.where(np.isfinite(hi), hi, np.inf))
    params[:, exp_mask] = np.clip(params[:, exp_mask], 1e-6, 1.0)
    params[:, ~exp_mask] = np.clip(params[:, ~exp_mask], 1e-300, 1e300)
    ok = np.all(np.isfinite(params), axis=1)
    # the variable-projection residual is the full circuit's cost, except where a parameter was clipped
    moved = ~np.all((params == raw) | ~ok[:, None], axis=1) | ~np.isfinite(cost)
    params, cost, moved = params[ok], cost[ok], moved[ok]
    if params.shape[0] == 0:  # pragma: no cover - sampling always gives finite values
        raise InputError("guess", "none", "an explicit initial guess (automatic guessing failed)")
    wr, wi = 1.0 / sigma_re, 1.0 / sigma_im
    if moved.any():
        cost[moved] = _circuit_cost(circuit, f, z, params[moved], wr, wi)
    cost = np.where(np.isfinite(cost), cost, np.inf)
    order = np.argsort(cost)
    chosen = _distinct_best(params, cost, order, ~exp_mask, n_best)
    best = params[chosen]
    # the returned costs: chi^2 of the full circuit (equal to the projection's to rounding)
    best_cost = _circuit_cost(circuit, f, z, best, wr, wi)
    del names
    return best, np.where(np.isfinite(best_cost), best_cost, np.inf)


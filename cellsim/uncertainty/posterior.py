"""From a measured spectrum to a joint distribution of physical parameters, and back to sampling.

``cellsim validate MODEL DATA --posterior FILE.json`` fits the stack's uncertain circuit
parameters (:func:`cellsim.fitting.validate.validate_model`) and writes the *physical*
quantities it determines as a joint distribution:

* **CNLS** (default): the fit's values and their full covariance, propagated to the
  physical quantities to first order (``Sigma_q = J Sigma_c J^T`` with the diagonal Jacobian
  ``d ASR/dR = S``, ``d c/dC = 1/S``, ``d q/dQ = 1/S``, ``dn/dn = 1``,
  ``d sigma/dR = -sigma/R``);
* **MCMC** (``--mcmc``): an emcee ensemble over the free circuit parameters (flat prior in
  ln p within a factor 100 of the CNLS optimum; Gaussian likelihood of the weighted
  residuals with the noise scale fixed by the CNLS reduced chi^2), its chain mapped to the
  physical quantities, their mean and covariance written with the diagnostics: mean
  acceptance fraction, integrated autocorrelation time per parameter and the effective
  number of samples ``n_walkers n_kept / max tau``.

File (JSON, SI)::

    {"kind": "cellsim-posterior", "version": 1, "model": ..., "data": ..., "method": "cnls" | "mcmc",
     "parameters": [{"name": "charge_transfer.resistance", "kind": "interface", "property": "resistance",
                     "where": ["Li|UVEA-1", "UVEA-2|Li"], "unit": "ohm m2"}, ...],
     "names": [...], "mean": [...], "covariance": [[...]], "stderr": [...], "mcmc": {...}}

``cellsim uncertainty --from FILE.json`` samples these parameters jointly and the others
from their ranges. All the quantities are positive, so the joint draw is the multivariate
log-normal with the file's mean and covariance (moment-matched:
``Sigma_ln,ij = ln(1 + Sigma_ij/(m_i m_j))``, ``mu_ln = ln m - Sigma_ln,ii/2``), which keeps
every draw positive; for small relative errors it is the normal distribution.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import FileFormatError, InputError

_QUANTITY = {  # validate's quantity -> (kind, property)
    "asr": ("interface", "resistance"),
    "capacitance": ("interface", "capacitance"),
    "cpe_q": ("interface", "cpe_q"),
    "cpe_n": ("interface", "cpe_n"),
    "conductivity": ("material", "ionic_conductivity"),
    "grain_boundary_conductivity": ("material", "grain_boundary_conductivity"),
}


@dataclass(frozen=True)
class Posterior:
    """A joint (mean, covariance) distribution of named physical parameters [SI]."""

    parameters: tuple  # dicts: name, kind, property, where, unit
    mean: np.ndarray
    covariance: np.ndarray
    method: str = "cnls"
    model: str = ""
    data: str = ""
    mcmc: Mapping[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [p["name"] for p in self.parameters]

    @property
    def stderr(self) -> np.ndarray:
        return np.sqrt(np.diag(self.covariance))

    def describe(self) -> dict[str, Any]:
        return {"method": self.method, "model": self.model, "data": self.data, "names": self.names,
                "mean": self.mean.tolist(), "stderr": self.stderr.tolist()}

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "cellsim-posterior", "version": 1, "model": self.model, "data": self.data,
                "method": self.method, "parameters": [dict(p) for p in self.parameters], "names": self.names,
                "mean": self.mean.tolist(), "covariance": self.covariance.tolist(), "stderr": self.stderr.tolist(),
                "mcmc": dict(self.mcmc) or None}

    def write(self, path) -> Path:
        """Write the JSON file atomically (temporary file, then rename)."""
        path = Path(path)
        directory = path.parent if str(path.parent) else Path(".")
        if not directory.is_dir():
            raise InputError("--posterior", str(path), f"a file in an existing directory ({directory} does not exist)")
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(_clean(self.to_dict()), fh, indent=1)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return path

    @classmethod
    def read(cls, path) -> "Posterior":
        """Read and check a posterior file (FileFormatError / InputError naming the field)."""
        p = Path(path)
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise FileFormatError(str(path), f"cannot read: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise FileFormatError(str(path), f"not JSON: {exc.msg}", exc.lineno) from None
        if not isinstance(d, dict) or d.get("kind") != "cellsim-posterior":
            raise FileFormatError(str(path), "not a cellsim posterior file (kind = 'cellsim-posterior'; write one "
                                             "with cellsim validate MODEL DATA --posterior FILE.json)")
        params = d.get("parameters")
        if not isinstance(params, list) or not params or not all(isinstance(x, dict) and "name" in x for x in params):
            raise InputError("parameters", params, "a list of {name, kind, property, where}", str(path))
        k = len(params)
        try:
            mean = np.asarray(d["mean"], dtype=float)
            cov = np.asarray(d["covariance"], dtype=float)
        except (KeyError, TypeError, ValueError):
            raise InputError("mean/covariance", None, "numbers: mean[k] and covariance[k][k]", str(path)) from None
        if mean.shape != (k,) or cov.shape != (k, k):
            raise InputError("covariance", list(cov.shape), f"mean of {k} numbers and a {k} x {k} covariance", str(path))
        if not (np.all(np.isfinite(mean)) and np.all(mean > 0)):
            raise InputError("mean", mean.tolist(), "finite positive values", str(path))
        if not np.allclose(cov, cov.T, rtol=1e-9, atol=0) or np.any(np.linalg.eigvalsh(0.5 * (cov + cov.T)) < 0):
            raise InputError("covariance", "not symmetric positive semi-definite", "a covariance matrix", str(path))
        return cls(tuple(params), mean, 0.5 * (cov + cov.T), str(d.get("method", "cnls")), str(d.get("model", "")),
                   str(d.get("data", "")), d.get("mcmc") or {})

    # --- sampling ---------------------------------------------------------------------------------
    def _log_moments(self, idx: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
        m = self.mean[list(idx)]
        c = self.covariance[np.ix_(list(idx), list(idx))]
        cov_ln = np.log1p(c / np.outer(m, m))
        mu_ln = np.log(m) - 0.5 * np.diag(cov_ln)
        return mu_ln, cov_ln

    def transform(self, z: np.ndarray, names: Sequence[str]) -> np.ndarray:
        """Draws [SI] of ``names`` from standard-normal rows ``z`` (n x len(names))."""
        idx = [self.names.index(n) for n in names]
        mu, cov = self._log_moments(idx)
        w, v = np.linalg.eigh(cov)
        root = v * np.sqrt(np.clip(w, 0, None))  # cov = root root^T (works when singular)
        return np.exp(mu + np.asarray(z) @ root.T)

    def check_names(self, space) -> None:
        missing = [n for n in self.names if n not in space.names]
        if missing:
            raise InputError("--from", missing, "parameters of this model (" + ", ".join(space.names) + ")")

    def extend(self, space, stack):
        """``space`` with the posterior's parameters added where the model gives them no range."""
        from .ranges import stderr_range
        from .space import ParameterSpace, UncertainParameter

        from dataclasses import replace

        params = list(space.parameters)
        for p, m, s in zip(self.parameters, self.mean, self.stderr):
            rng = stderr_range(float(m), float(s), True, f"posterior ({self.method}) from {self.data}", p.get("unit", ""))
            if p["kind"] == "interface":
                targets = tuple((k, p["property"]) for k, itf in enumerate(stack.interfaces) if itf.name in p["where"])
            else:
                targets = tuple((stack.layer_index(w), "material", p["property"]) for w in p["where"])
            if not targets:
                raise InputError("--from", p["name"], f"a parameter of this model (no {p['where']} in {stack.name})")
            # the posterior takes over these targets from any range-sampled parameter
            kept = []
            for q in params:
                if q.kind == p["kind"]:
                    q = replace(q, targets=tuple(t for t in q.targets if t not in targets))
                if q.targets and q.name != p["name"]:
                    kept.append(q)
            params = kept + [UncertainParameter(p["name"], p["kind"], rng, float(m), p.get("unit", ""), "posterior",
                                                f"{self.method} posterior from {self.data}", targets)]
        return ParameterSpace(tuple(params))


def _clean(obj):
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, (np.floating, np.integer)):
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


# --- from a validation -----------------------------------------------------------------------------
def _parameter_entries(v) -> tuple[list[dict], list[str], np.ndarray]:
    """Physical parameters of a ValidationResult: entries, their circuit parameters, Jacobian diagonal."""
    stack = v.stack
    entries, circuit_names, jac = [], [], []
    for q in v.quantities:
        if q["quantity"] not in _QUANTITY:
            continue
        kind, prop = _QUANTITY[q["quantity"]]
        where = [w.strip() for w in q["where"].split(" = ")]
        if kind == "interface":
            kinds = {itf.kind for itf in stack.interfaces if itf.name in where}
            name = f"{sorted(kinds)[0]}.{prop}" if len(kinds) == 1 else f"{where[0]}.{prop}"
        else:
            layer = stack.layers[stack.layer_index(where[0])]
            if layer.composite is not None:
                continue  # an effective composite conductivity is not a material property
            name = f"{layer.material.name}.{prop}"
        if any(e["name"] == name for e in entries):  # untied interfaces of one kind: name each by place
            for e in entries:
                if e["name"] == name:
                    e["name"] = f"{'+'.join(e['where'])}.{prop}"
            name = f"{'+'.join(where)}.{prop}"
        entries.append({"name": name, "kind": kind, "property": prop, "where": where, "unit": q["unit"],
                        "quantity": q["quantity"], "circuit_parameter": q["parameter"]})
        circuit_names.append(q["parameter"])
        c, val = q["circuit_value"], q["value"]
        jac.append(-val / c if kind == "material" else val / c)
    return entries, circuit_names, np.asarray(jac)


def posterior_from_validation(v, data: str = "", model: str = "") -> Posterior:
    """CNLS posterior: the fitted physical quantities with their full covariance."""
    entries, cnames, jac = _parameter_entries(v)
    if not entries:
        raise InputError("--posterior", None, "a validation that fits at least one interface or material quantity")
    res = v.fit
    idx = [res.free_names.index(n) for n in cnames]
    cov_c = np.asarray(res.covariance)[np.ix_(idx, idx)]
    if not np.all(np.isfinite(cov_c)):
        raise InputError("--posterior", "covariance", "a fit whose parameters the data determine (finite covariance)")
    cov = cov_c * np.outer(jac, jac)
    mean = np.array([q_value(v, n) for n in cnames])
    return Posterior(tuple(entries), mean, cov, "cnls", model, data)


def q_value(v, circuit_name: str) -> float:
    for q in v.quantities:
        if q["parameter"] == circuit_name:
            return float(q["value"])
    raise KeyError(circuit_name)  # pragma: no cover


def posterior_mcmc(v, data: str = "", model: str = "", n_walkers: int | None = None, n_steps: int = 2000,
                   burn: int | None = None, seed: int = 0) -> Posterior:
    """emcee posterior of the free circuit parameters, mapped to the physical quantities.

    Parameters
    ----------
    v : ValidationResult
    n_walkers : int, optional
        Default ``max(2 k + 2, 16)`` for ``k`` free parameters.
    n_steps, burn : int
        Steps per walker and the discarded start (default ``n_steps // 4``).
    seed : int
    """
    import emcee

    from ..fitting.fit import weights

    entries, cnames, _ = _parameter_entries(v)
    if not entries:
        raise InputError("--mcmc", None, "a validation that fits at least one interface or material quantity")
    res = v.fit
    circuit = v.circuit
    f, z = np.asarray(v.frequency), np.asarray(v.z)
    sr, si = weights(z, res.weighting if res.weighting in ("modulus", "proportional", "unit") else "modulus")
    scale2 = max(float(res.reduced_chi2), 1e-300)  # noise scale: chi2/dof = 1 at the optimum
    free = list(res.free_names)
    k = len(free)
    base = np.asarray(res.values, dtype=float)
    names = list(res.names)
    # every circuit parameter that follows a free one (ties) takes its value
    follow = {}
    for grp in v.ties:
        for nm in grp[1:]:
            follow[names.index(nm)] = names.index(grp[0])
    free_idx = [names.index(n) for n in free]
    theta0 = np.log(np.asarray(res.free_values, dtype=float))
    lo, hi = theta0 - math.log(100.0), theta0 + math.log(100.0)

    def full(theta):  # (w, k) -> (w, n)
        p = np.tile(base, (theta.shape[0], 1))
        p[:, free_idx] = np.exp(theta)
        for i, j in follow.items():
            p[:, i] = p[:, j]
        return p

    def log_prob(theta):
        theta = np.atleast_2d(theta)
        out = np.full(theta.shape[0], -np.inf)
        ok = np.all((theta > lo) & (theta < hi), axis=1)
        if ok.any():
            zm = np.atleast_2d(circuit.impedance(f, full(theta[ok])))
            chi2 = np.sum(((zm.real - z.real) / sr) ** 2 + ((zm.imag - z.imag) / si) ** 2, axis=1)
            out[ok] = -0.5 * chi2 / scale2
        return out

    n_walkers = n_walkers or max(2 * k + 2, 16)
    burn = n_steps // 4 if burn is None else burn
    rng = np.random.default_rng(seed)
    sd = np.log1p(np.clip(np.asarray(res.stderr)[free_idx] / np.exp(theta0), 1e-6, 1.0))
    start = theta0 + 0.1 * sd * rng.standard_normal((n_walkers, k))
    sampler = emcee.EnsembleSampler(n_walkers, k, log_prob, vectorize=True)
    sampler.random_state = np.random.RandomState(seed).get_state()
    sampler.run_mcmc(start, n_steps, progress=False)
    chain = sampler.get_chain(discard=burn, flat=True)
    tau = sampler.get_autocorr_time(discard=burn, quiet=True)
    params = full(chain)
    S = v.stack.area
    qs = []
    for e in entries:
        c = params[:, names.index(e["circuit_parameter"])]
        if e["quantity"] == "asr":
            qs.append(c * S)
        elif e["quantity"] in ("capacitance", "cpe_q"):
            qs.append(c / S)
        elif e["quantity"] == "cpe_n":
            qs.append(c)
        else:
            layer = v.stack.layers[v.stack.layer_index(e["where"][0])]
            qs.append(layer.thickness / (c * S))
    qs = np.array(qs)
    n_kept = n_steps - burn
    diag = {"n_walkers": n_walkers, "n_steps": n_steps, "burn": burn,
            "acceptance_fraction": float(np.mean(sampler.acceptance_fraction)),
            "autocorr_time": {n: float(t) for n, t in zip(free, tau)},
            "effective_samples": float(n_walkers * n_kept / np.max(tau)),
            "converged": bool(n_kept > 50 * np.max(tau)),
            "note": "converged = chain longer than 50 integrated autocorrelation times (emcee's guideline)",
            "noise_scale_reduced_chi2": scale2,
            "quantiles": {e["name"]: {"q05": float(np.quantile(x, 0.05)), "median": float(np.median(x)),
                                      "q95": float(np.quantile(x, 0.95))} for e, x in zip(entries, qs)}}
    return Posterior(tuple(entries), qs.mean(axis=1), np.atleast_2d(np.cov(qs)), "mcmc", model, data, diag)

"""Propagation of parameter ranges to an output: design, run through the sweep machinery, statistics.

1. **Design.** ``n`` points of the unit hypercube from :mod:`scipy.stats.qmc` (scrambled
   Sobol' or Latin hypercube, seeded), one column per uncertain parameter, mapped to values
   by each range's inverse CDF (:meth:`~cellsim.uncertainty.ranges.Range.ppf`). Parameters
   given by a posterior (``uncertainty --from FILE.json``) take their columns from the
   multivariate normal ``mean + L Phi^-1(u)`` (``L`` the Cholesky factor of the covariance).
2. **Run.** The samples are the points of a :class:`Study`, run by
   :func:`cellsim.sweeps.run_sweep`: one committed SQLite row per sample (``--out``),
   ``--resume``, processes or Dask, and a tqdm bar.
3. **Statistics** (:func:`summarize`): median, 5 % and 95 % quantiles (linear interpolation,
   numpy's default), their standard errors from ``B = 1000`` bootstrap resamples (seeded),
   and ``p_exceeds = P(output >= target)`` with its binomial standard error
   ``sqrt(p (1 - p) / n)``.

CCD censoring: a sample that does not short within the protocol has a CCD above the
protocol's stop; it is stored at the stop with ``censored = 1``. It counts as exceeding any
target up to the stop (a target above the stop is refused), and a quantile that falls on a
censored sample is reported as a lower bound (``censored`` flags in the summary).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import CellsimError, InputError
from .outputs import OUTPUTS, column, evaluate

METHODS = ("sobol", "lhs")
#: Samples per committed chunk of the slow outputs (a killed run loses at most one chunk).
CHUNK = {"ccd": 4, "dcr": 64, "z_at": 64, "lifetime": 1}
N_BOOTSTRAP = 1000


# --- design ------------------------------------------------------------------------------------
def unit_design(n: int, d: int, method: str = "sobol", seed: int = 0) -> np.ndarray:
    """``n x d`` points in [0, 1)^d: scrambled Sobol' (``sobol``) or Latin hypercube (``lhs``)."""
    from scipy.stats import qmc

    if not (isinstance(n, int) and n >= 1):
        raise InputError("--samples", n, "an integer >= 1")
    if method not in METHODS:
        raise InputError("--method", method, "one of " + ", ".join(METHODS))
    if d == 0:
        return np.zeros((n, 0))
    if method == "sobol":
        eng = qmc.Sobol(d, scramble=True, seed=seed)
        with warnings.catch_warnings():  # balance properties need n = 2^m; any n is still a valid design
            warnings.simplefilter("ignore", UserWarning)
            return eng.random(n)
    return qmc.LatinHypercube(d, seed=seed).random(n)


def values_from_unit(space, u: np.ndarray, posterior=None) -> np.ndarray:
    """Map unit-cube points (columns in ``space.names`` order) to SI parameter values.

    Parameters in ``posterior`` (a :class:`~cellsim.uncertainty.posterior.Posterior`) are
    drawn jointly from it; the others through their ranges.
    """
    from scipy.special import ndtri

    u = np.asarray(u, dtype=float)
    x = np.empty_like(u)
    names = space.names
    post = [] if posterior is None else [n for n in posterior.names if n in names]
    for j, p in enumerate(space.parameters):
        if p.name not in post:
            x[:, j] = p.range.ppf(u[:, j])
    if post:
        cols = [names.index(n) for n in post]
        z = ndtri(np.clip(u[:, cols], 1e-12, 1 - 1e-12))
        x[:, cols] = posterior.transform(z, post)
    return x


# --- the study run by the sweep machinery -------------------------------------------------------
_CACHE: dict[str, Any] = {}


def _base(model_path: str, model_hash: str, spec_path: str = "", point: tuple = ()):
    key = (model_path, model_hash, spec_path, point)
    if key not in _CACHE:
        from ..models import load_model
        from ..shortcircuit.ccd import load_parameters

        _CACHE.clear()
        if spec_path:  # a point of a sweep spec (screening with intervals)
            from ..sweeps.runner import point_stack
            from ..sweeps.spec import load_spec

            stack = point_stack(load_spec(spec_path), dict(point))
        else:
            stack = load_model(model_path)
        _CACHE[key] = (stack, load_parameters())
    return _CACHE[key]


def _hash_file(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@dataclass(frozen=True)
class Study:
    """Samples of the uncertain parameters of one model, evaluated for one output.

    It has what :func:`cellsim.sweeps.run_sweep` and
    :class:`~cellsim.sweeps.store.ResultStore` need of a spec (``n_points``,
    ``compute_chunk``, ``result_columns``, hashes, ``describe``), so the sweep machinery
    runs it: one committed row per sample, resume, processes or Dask.
    """

    model_path: str
    model_hash: str
    output: str
    options: Mapping[str, Any]
    space: Any
    values: tuple  # n rows of len(space) SI values
    design: Mapping[str, Any] = field(default_factory=dict)
    name: str = "uncertainty"
    chunk_size: int | None = None
    plugins: tuple = ()
    text: str = ""
    spec_path: str = ""  # with point: the stack of one point of a sweep spec instead of the model
    point: tuple = ()

    @property
    def n_points(self) -> int:
        return len(self.values)

    @property
    def outputs(self) -> tuple:
        return (self.output,)

    @property
    def spec_hash(self) -> str:
        from ..paths import data_dir

        d = {"model": self.model_hash, "spec": self.spec_path, "point": list(self.point), "output": self.output,
             "options": dict(self.options), "names": list(self.space.names),
             "values": [list(r) for r in self.values],
             "shortcircuit": _hash_file(data_dir("parameters") / "shortcircuit.toml")}
        if self.output == "lifetime":
            d["lifetime"] = _hash_file(data_dir("parameters") / "lifetime.toml")
        blob = json.dumps(d, sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "model_path": self.model_path, "output": self.output, "n_points": self.n_points,
                "parameters": [p.to_dict() for p in self.space.parameters], "design": dict(self.design),
                "options": dict(self.options), "model_hash": self.model_hash}

    def result_columns(self) -> list[tuple[str, str, str, str]]:
        cols = [("point_id", "INTEGER", "", "sample number")]
        for p in self.space.parameters:
            cols.append((p.name, "REAL", p.unit, f"sampled {p.name} [{p.unit or '-'}] ({p.range.describe()})"))
        out = OUTPUTS[self.output]
        cols += [(column(self.output), "REAL", out[1], f"output {self.output} [{out[1]}]"),
                 ("censored", "INTEGER", "", "1: no short within the protocol (CCD above the stop)"),
                 ("status", "TEXT", "", "ok or error"), ("error", "TEXT", "", "error message"),
                 ("elapsed_s", "REAL", "s", "computation time of the sample"),
                 ("worker", "TEXT", "", "process or Dask worker that computed it"),
                 ("finished_at", "TEXT", "", "UTC time the computation finished")]
        return cols

    def _row(self, pid: int) -> dict[str, Any]:
        return {"point_id": int(pid), **{n: float(v) for n, v in zip(self.space.names, self.values[pid])}}

    def compute_chunk(self, ids: Sequence[int]) -> list[dict[str, Any]]:
        from ..sweeps.runner import _now, _worker_name
        from .space import apply, lifetime_values

        stack, prm = _base(self.model_path, self.model_hash, self.spec_path, self.point)
        if self.output == "ccd" and len(ids) > 1:
            return self._ccd_chunk(ids, stack, prm)
        rows = []
        for pid in ids:
            t0 = time.perf_counter()
            row = self._row(pid)
            try:
                vals = dict(zip(self.space.names, self.values[pid]))
                st, p = apply(stack, self.space, vals, prm)
                opts = self.options if self.output != "lifetime" else \
                    {**self.options, "lifetime_values": lifetime_values(self.space, vals)}
                value, censored = evaluate(self.output, st, p, opts)
                row.update({column(self.output): value, "censored": int(censored), "status": "ok", "error": None})
            except CellsimError as exc:
                row.update({column(self.output): None, "censored": None, "status": "error", "error": str(exc)})
            row.update(elapsed_s=time.perf_counter() - t0, worker=_worker_name(), finished_at=_now())
            rows.append(row)
        return rows

    def _ccd_chunk(self, ids: Sequence[int], stack, prm) -> list[dict[str, Any]]:
        """The CCD rows of a chunk in one batch (:func:`.outputs.evaluate_ccd_batch`: the compiled
        runs on one thread per core); ``elapsed_s`` of a sample is its share of the chunk's time."""
        from ..sweeps.runner import _now, _worker_name
        from .outputs import evaluate_ccd_batch
        from .space import apply

        t0 = time.perf_counter()
        rows, built = [], []
        for pid in ids:
            row = self._row(pid)
            try:
                built.append((row, apply(stack, self.space, dict(zip(self.space.names, self.values[pid])), prm)))
            except CellsimError as exc:
                row.update({column(self.output): None, "censored": None, "status": "error", "error": str(exc)})
            rows.append(row)
        results = evaluate_ccd_batch([st for _, (st, _) in built], [p for _, (_, p) in built], self.options)
        for (row, _), res in zip(built, results):
            if isinstance(res, CellsimError):
                row.update({column(self.output): None, "censored": None, "status": "error", "error": str(res)})
            else:
                row.update({column(self.output): res[0], "censored": int(res[1]), "status": "ok", "error": None})
        share = (time.perf_counter() - t0) / len(ids)
        worker, now = _worker_name(), _now()
        for row in rows:
            row.update(elapsed_s=share, worker=worker, finished_at=now)
        return rows

    def lost_rows(self, ids: Sequence[int], why: str) -> list[dict[str, Any]]:
        from ..sweeps.runner import _now

        return [{**self._row(pid), column(self.output): None, "censored": None, "status": "error", "error": why,
                 "elapsed_s": None, "worker": None, "finished_at": _now()} for pid in ids]


def build_study(model, output: str, values: np.ndarray, space, options: Mapping[str, Any],
                design: Mapping[str, Any] | None = None) -> Study:
    """A :class:`Study` of ``model`` (name or path) at the given sample values."""
    from ..models import resolve_model

    path = resolve_model(model).resolve()
    return Study(model_path=str(path), model_hash=_hash_file(path), output=output, options=dict(options),
                 space=space, values=tuple(tuple(float(x) for x in row) for row in np.asarray(values)),
                 design=dict(design or {}), chunk_size=CHUNK.get(output))


def run_study(study: Study, out=None, *, resume: bool = False, executor: str = "inprocess",
              workers: int | None = None, scheduler: str | None = None, progress: bool | None = None):
    """Run ``study`` through :func:`cellsim.sweeps.run_sweep`; ``(values, censored, errors, report)``.

    ``out`` is the SQLite file (a temporary one, deleted afterwards, when None).
    ``values`` and ``censored`` are in sample order (NaN / False for failed samples);
    ``errors`` maps sample number -> message.
    """
    import tempfile

    from ..sweeps.runner import run_sweep
    from ..sweeps.store import load_results

    tmp = None
    if out is None:
        tmp = tempfile.mkdtemp(prefix="cellsim-uncertainty-")
        out = os.path.join(tmp, "samples.sqlite")
    try:
        report = run_sweep(study, out, resume=resume, executor=executor, workers=workers, scheduler=scheduler,
                           progress=progress)
        df = load_results(out)
    finally:
        if tmp is not None:
            import shutil

            shutil.rmtree(tmp, ignore_errors=True)
    values = np.full(study.n_points, np.nan)
    censored = np.zeros(study.n_points, dtype=bool)
    errors = {}
    for _, r in df.iterrows():
        i = int(r["point_id"])
        if r["status"] == "ok":
            values[i] = float(r[column(study.output)])
            censored[i] = bool(r["censored"])
        else:
            errors[i] = str(r["error"])
    return values, censored, errors, report


# --- statistics ------------------------------------------------------------------------------
QUANTILES = {"median": 0.5, "q05": 0.05, "q95": 0.95}


def bootstrap_stderr(x: np.ndarray, q: float, n_boot: int = N_BOOTSTRAP, seed: int = 0) -> float:
    """Standard error of the ``q`` quantile of ``x`` from ``n_boot`` bootstrap resamples."""
    x = np.asarray(x, dtype=float)
    if x.size < 2:
        return math.nan
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, x.size, size=(n_boot, x.size))
    return float(np.std(np.quantile(x[idx], q, axis=1), ddof=1))


def summarize(values: np.ndarray, censored: np.ndarray | None = None, target: float | None = None,
              stop: float | None = None, seed: int = 0) -> dict[str, Any]:
    """Median, q05, q95 with bootstrap standard errors, and ``p_exceeds`` (see module docstring).

    Failed samples (NaN) are left out and counted in ``n_failed``.
    """
    v = np.asarray(values, dtype=float)
    c = np.zeros(v.shape, dtype=bool) if censored is None else np.asarray(censored, dtype=bool)
    ok = np.isfinite(v)
    x, cx = v[ok], c[ok]
    out: dict[str, Any] = {"samples": int(x.size), "n_failed": int((~ok).sum()), "n_censored": int(cx.sum())}
    if x.size == 0:
        raise CellsimError("no sample could be evaluated; see the errors in the results file (--out)")
    flags = {}
    for key, q in QUANTILES.items():
        val = float(np.quantile(x, q))
        out[key] = val
        out[f"{key}_stderr"] = bootstrap_stderr(x, q, seed=seed)
        # a quantile at or above the smallest censored value is only a lower bound
        flags[key] = bool(cx.any() and val >= x[cx].min())
    out["mean"] = float(np.mean(x))
    out["std"] = float(np.std(x, ddof=1)) if x.size > 1 else math.nan
    out["censored"] = flags
    if target is not None:
        if stop is not None and cx.any() and target > stop * (1 + 1e-12):
            raise InputError("--target", target, f"at most the protocol's stop ({stop:g} A/m2): samples without a "
                             f"short are only known to exceed the stop")
        p = float(np.mean(x >= target * (1 - 1e-12)))
        out["target"] = float(target)
        out["p_exceeds"] = p
        out["p_exceeds_stderr"] = math.sqrt(p * (1 - p) / x.size)
    return out


def propagate(model, output: str, *, samples: int = 64, seed: int = 0, method: str = "sobol",
              options: Mapping[str, Any] | None = None, target: float | None = None, posterior=None,
              out=None, resume: bool = False, executor: str = "inprocess", workers: int | None = None,
              scheduler: str | None = None, progress: bool | None = None, space=None) -> dict[str, Any]:
    """Propagate the model's parameter ranges to ``output``; the summary dict (SI values).

    Parameters
    ----------
    model : str or path
        Model name or TOML path.
    output : str
        One of :data:`cellsim.uncertainty.outputs.OUTPUTS`.
    samples, seed, method
        Design size, seed and ``sobol``/``lhs``.
    options : mapping
        ``protocol`` (keyword arguments of :class:`~cellsim.shortcircuit.ccd.StepUpProtocol`,
        SI) for ``ccd``; ``frequency`` [Hz] for ``z_at``; ``cycle`` (and ``calibration``) for
        ``lifetime`` (:func:`~cellsim.lifetime.refit.sample_lifetime`).
    target : float, optional
        Threshold of ``p_exceeds`` [SI].
    posterior : Posterior, optional
        Joint distribution of some parameters (:mod:`cellsim.uncertainty.posterior`).
    out, resume, executor, workers, scheduler, progress
        As in :func:`cellsim.sweeps.run_sweep`.
    space : ParameterSpace, optional
        Default: every parameter with a range (:func:`~cellsim.uncertainty.space.discover`),
        short-circuit ones only for ``ccd`` and ``lifetime``, lifetime ones for ``lifetime``.
    """
    from ..models import load_model
    from .outputs import check_output
    from .space import discover

    options = dict(options or {})
    check_output(output, options)
    if output == "ccd" and target is not None and target > options["protocol"]["stop"] * (1 + 1e-12):
        raise InputError("--target", target, f"at most the protocol's stop ({options['protocol']['stop']:g} A/m2): "
                         f"samples without a short are only known to exceed the stop")
    stack = load_model(model)
    if space is None:
        space = discover(stack, shortcircuit=output in ("ccd", "lifetime"), lifetime=(output == "lifetime"))
    if posterior is not None:
        space = posterior.extend(space, stack)
        posterior.check_names(space)
    u = unit_design(samples, len(space), method, seed)
    x = values_from_unit(space, u, posterior)
    design = {"method": method, "seed": seed, "samples": samples,
              "posterior": None if posterior is None else posterior.describe()}
    study = build_study(model, output, x, space, options, design)
    values, censored, errors, report = run_study(study, out, resume=resume, executor=executor, workers=workers,
                                                 scheduler=scheduler, progress=progress)
    stop = options["protocol"]["stop"] if output == "ccd" else None
    summary = summarize(values, censored, target, stop, seed)
    summary.update(output=output, unit=OUTPUTS[output][1], method=method, seed=seed, requested_samples=samples,
                   parameters=space.names, posterior=design["posterior"], elapsed_s=report.elapsed_s,
                   errors={str(k): v for k, v in list(errors.items())[:5]}, results=None if out is None else str(out))
    return summary

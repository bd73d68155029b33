"""Global sensitivity of an output to the uncertain parameters: Sobol' indices and Morris screening (SALib).

Both methods sample the unit hypercube (one column per parameter) and map it through each
parameter's range (:meth:`~cellsim.uncertainty.ranges.Range.ppf`), so the indices are with
respect to the distributions written in the parameter files.

**Sobol'** (Saltelli 2002/2010 estimators, ``SALib.analyze.sobol``): ``N (D + 2)`` model runs
for ``N`` base samples and ``D`` parameters; first-order ``S1_i = Var(E[Y|X_i]) / Var(Y)``
and total ``ST_i = E[Var(Y|X_~i)] / Var(Y)``, with bootstrap confidence half-widths
``S1_conf``/``ST_conf`` (95 %).

**Morris** (``SALib.analyze.morris``): ``N`` trajectories of ``D + 1`` runs on a 4-level
grid; ``mu_star`` (mean |elementary effect|) and ``sigma`` (their spread, non-linearity or
interaction). Effects are per unit change of the parameter's quantile, so parameters of
different units compare directly.

**Screening** (optional, ``screening=True`` / ``--screen``): a Morris design of
``trajectories`` (default 8) random one-at-a-time paths, ``8 (D + 1)`` runs, comes first; a
parameter none of whose elementary effects moves the output (relative 1e-12) is *inactive*
for that output (e.g. a permittivity for the CCD), is held at its value and reported with
indices 0. It is a heuristic: a parameter acting only in corners that no path visits would be
missed, so it is off by default (an earlier screen of one-at-a-time runs about the nominal
point missed the UVEA salt diffusivity, whose effect on the LATP sandwich's CCD needs a
lower contact resistance than the nominal one: ST = 0.41 +- 0.21 without screening).

Censored CCD samples (no short within the protocol) enter at the protocol's stop.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import CellsimError, InputError

SA_METHODS = ("sobol", "morris")


def _problem(names: Sequence[str]) -> dict:
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def _to_values(u: np.ndarray, ranges: Sequence) -> np.ndarray:
    x = np.empty_like(u)
    for j, r in enumerate(ranges):
        x[:, j] = r.ppf(u[:, j])
    return x


def sobol_analysis(names: Sequence[str], ranges: Sequence, evaluate: Callable[[np.ndarray], np.ndarray],
                   samples: int, seed: int = 0, conf_level: float = 0.95) -> dict[str, Any]:
    """First-order and total Sobol' indices of ``evaluate`` (rows of SI values -> outputs).

    Returns ``S1``, ``ST``, ``S1_conf``, ``ST_conf`` (name -> number), ``ranking`` (names by
    ``ST``, largest first) and ``runs``.
    """
    from SALib.analyze import sobol as sobol_an
    from SALib.sample import sobol as sobol_sa

    if not (isinstance(samples, int) and samples >= 2):
        raise InputError("--samples", samples, "an integer >= 2 (base samples of the Sobol' design)")
    problem = _problem(names)
    u = sobol_sa.sample(problem, samples, calc_second_order=False, seed=seed)
    y = np.asarray(evaluate(_to_values(u, ranges)), dtype=float)
    res = sobol_an.analyze(problem, y, calc_second_order=False, conf_level=conf_level, seed=seed)
    out = {k: {n: float(v) for n, v in zip(names, res[k])} for k in ("S1", "ST", "S1_conf", "ST_conf")}
    out["ranking"] = sorted(names, key=lambda n: -out["ST"][n])
    out["runs"] = int(len(y))
    out["variance"] = float(np.var(y))
    return out


def morris_analysis(names: Sequence[str], ranges: Sequence, evaluate: Callable[[np.ndarray], np.ndarray],
                    samples: int, seed: int = 0, levels: int = 4) -> dict[str, Any]:
    """Morris ``mu_star``, ``sigma``, ``mu_star_conf`` (name -> number) and a ranking by mu_star."""
    from SALib.analyze import morris as morris_an
    from SALib.sample import morris as morris_sa

    if not (isinstance(samples, int) and samples >= 2):
        raise InputError("--samples", samples, "an integer >= 2 (Morris trajectories)")
    problem = _problem(names)
    u = morris_sa.sample(problem, samples, num_levels=levels, seed=seed)
    y = np.asarray(evaluate(_to_values(u, ranges)), dtype=float)
    res = morris_an.analyze(problem, u, y, num_levels=levels, seed=seed)
    out = {k: {n: float(v) for n, v in zip(names, res[k])} for k in ("mu_star", "sigma", "mu_star_conf")}
    out["ranking"] = sorted(names, key=lambda n: -out["mu_star"][n])
    out["runs"] = int(len(y))
    return out


def _study_evaluator(model, output, space, options, out=None, run_kw: Mapping[str, Any] | None = None):
    from .propagate import build_study, run_study

    def evaluate(x: np.ndarray, out_file=None) -> np.ndarray:
        study = build_study(model, output, x, space, options, {"purpose": "sensitivity"})
        y, _, errors, _ = run_study(study, out_file, **dict(run_kw or {}))
        if errors:
            k, msg = next(iter(errors.items()))
            raise CellsimError(f"{len(errors)} of {len(y)} samples failed (sample {k}: {msg}); "
                               f"indices need every sample")
        return y

    return evaluate


def screen(model, output: str, space, options: Mapping[str, Any], run_kw=None, trajectories: int = 8,
           seed: int = 0) -> tuple[list[str], list[str]]:
    """``(active, inactive)`` parameter names from the elementary effects of a Morris design."""
    from SALib.sample import morris as morris_sa

    from .propagate import build_study, run_study

    names = space.names
    problem = _problem(names)
    u = morris_sa.sample(problem, trajectories, num_levels=4, seed=seed)
    x = _to_values(u, [p.range for p in space.parameters])
    study = build_study(model, output, x, space, options, {"purpose": "screening"})
    y, _, errors, _ = run_study(study, None, **dict(run_kw or {}))
    if errors:
        k, msg = next(iter(errors.items()))
        raise CellsimError(f"{len(errors)} screening samples failed (sample {k}: {msg})")
    scale = max(float(np.max(np.abs(y))), 1e-300)
    moved = np.zeros(len(names), dtype=bool)
    for r in range(1, len(y)):
        if r % (len(names) + 1) == 0:  # the first row of a new trajectory
            continue
        j = np.flatnonzero(u[r] != u[r - 1])
        if abs(y[r] - y[r - 1]) > 1e-12 * scale:
            moved[j] = True
    return [n for n, m in zip(names, moved) if m], [n for n, m in zip(names, moved) if not m]


def sensitivity(model, output: str, *, method: str = "sobol", samples: int = 64, seed: int = 0,
                options: Mapping[str, Any] | None = None, screening: bool = False, out=None,
                resume: bool = False, executor: str = "inprocess", workers: int | None = None, scheduler: str | None = None,
                progress: bool | None = None, space=None) -> dict[str, Any]:
    """Sobol' or Morris indices of a cellsim output over the model's uncertain parameters.

    Inactive parameters (see the module docstring) are reported with indices 0 and listed
    in ``inactive``. ``out`` keeps the main design's samples (SQLite); ``resume`` continues
    an interrupted run stored there.
    """
    from ..models import load_model
    from .outputs import check_output
    from .space import discover

    if method not in SA_METHODS:
        raise InputError("--method", method, "one of " + ", ".join(SA_METHODS))
    if not (isinstance(samples, int) and samples >= 2):
        raise InputError("--samples", samples, "an integer >= 2 (Sobol' base samples or Morris trajectories)")
    options = dict(options or {})
    check_output(output, options)
    if space is None:
        space = discover(load_model(model), shortcircuit=output in ("ccd", "lifetime"), lifetime=(output == "lifetime"))
    if len(space) == 0:
        raise InputError("model", str(model), "a model with at least one parameter that carries a range")
    run_kw = {"executor": executor, "workers": workers, "scheduler": scheduler, "progress": progress}
    active, inactive = screen(model, output, space, options, run_kw, seed=seed) if screening else (space.names, [])
    if not active:
        raise CellsimError(f"no parameter changes output {output!r} at the ends of its range")
    sub = space.subset(active)
    fixed = space.subset(inactive)
    full = space  # the study always carries every parameter: inactive ones at their values

    evaluate_full = _study_evaluator(model, output, full, options, run_kw={**run_kw, "resume": resume})

    def evaluate(x_active: np.ndarray) -> np.ndarray:
        x = np.empty((x_active.shape[0], len(full)))
        for j, n in enumerate(full.names):
            x[:, j] = x_active[:, active.index(n)] if n in active else fixed[n].value
        return evaluate_full(x, out)

    ranges = [p.range for p in sub.parameters]
    if method == "sobol":
        res = sobol_analysis(active, ranges, evaluate, samples, seed)
        for n in inactive:
            for k in ("S1", "ST", "S1_conf", "ST_conf"):
                res[k][n] = 0.0
    else:
        res = morris_analysis(active, ranges, evaluate, samples, seed)
        for n in inactive:
            for k in ("mu_star", "sigma", "mu_star_conf"):
                res[k][n] = 0.0
    res.update(method=method, output=output, samples=samples, seed=seed, active=active, inactive=inactive,
               screening_runs=8 * (len(space) + 1) if screening else 0)
    return res

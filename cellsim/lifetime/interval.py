"""Interval of a predicted lifetime from the parameter ranges (``cellsim cycle --interval N``).

The lifetime is an output of :mod:`cellsim.uncertainty` (``lifetime``, seconds): ``N``
quasi-random samples (scrambled Sobol') of every ranged parameter of the model, of
``parameters/shortcircuit.toml`` and of ``parameters/lifetime.toml`` are run through
:func:`~cellsim.lifetime.cycle.run_cycle` (time compression; in parallel with
``--processes``), and the 5 %, 50 % and 95 % quantiles are reported. A sample that survives
``until`` is *censored* there (its lifetime is only known to exceed it), as a CCD sample
without a short.

**The calibration is kept in every sample** when the model is the one the seed lifetime
calibrates (``li-uvea-latp-uvea-li``, :data:`~cellsim.lifetime.seed.SEED_LIFETIMES`) and
the cell is not overridden: instead of sampling ``sei_growth_constant`` over its range, each
sample re-fits it so that the sample itself lives the seed's 2500 h at 0.5 mA/cm2 with 1 h
steps (:func:`recalibrate_sei_growth`); the interval is then that of a *prediction
conditioned on the calibration*. For any other cell ``sei_growth_constant`` is sampled over
its range like the other parameters.
"""

from __future__ import annotations

import math

from ..errors import CellsimError, InputError

__all__ = ["recalibrate_sei_growth", "sample_lifetime", "lifetime_interval", "CALIBRATED"]

#: The parameter the seed lifetime calibrates (``parameters/lifetime.toml``).
CALIBRATED = "sei_growth_constant"
#: Relative tolerance of the per-sample re-fit of the calibrated lifetime.
RECALIBRATION_RTOL = 2e-3
MAX_REFITS = 6


def recalibrate_sei_growth(stack, parameters, shortcircuit, calibration) -> tuple[object, int]:
    """``parameters`` with k_SEI re-fitted so the cell lives ``calibration['target']`` [s].

    At the calibration protocol (``current`` [A/m2], ``step_time`` [s]) the SEI resistance is a
    function of ``k t`` alone (``delta^2 = delta0^2 + k t``) and the other slow resistances do
    not depend on k, so a lifetime set by the SEI scales as ``1/k``: the secant step
    ``k <- k t(k) / t_target`` is exact in that limit; it is repeated until the lifetime is
    within :data:`RECALIBRATION_RTOL` (a few runs).

    Returns
    -------
    (LifetimeParameters, runs)

    A sample that fails before the target by a mechanism k does not set (a short) contradicts
    the measured lifetime whatever k is: it is rejected (conditioning on the calibration).

    Raises
    ------
    CellsimError
        The sample cannot live the target at any k (it fails earlier by a mechanism that
        does not depend on k, e.g. a short), or the re-fit does not converge.
    """
    from .cycle import run_cycle

    target = float(calibration["target"])
    p = parameters
    for n in range(1, MAX_REFITS + 1):
        r = run_cycle(stack, calibration["current"], calibration["step_time"], 4.0 * target, parameters=p,
                      shortcircuit=shortcircuit)
        t = 4.0 * target if r.lifetime is None else r.lifetime
        if abs(t - target) <= RECALIBRATION_RTOL * target:
            return p, n
        if r.lifetime is not None and r.failure != "voltage_limit" and t < target:   # a later short: raise k
            raise CellsimError(f"sample cannot reproduce the calibration lifetime: it fails by {r.failure} at "
                               f"{t / 3600:.4g} h, which k_SEI does not set")
        p = p.with_values(**{CALIBRATED: p.sei_growth_constant * t / target})
    raise CellsimError(f"k_SEI re-fit did not converge in {MAX_REFITS} runs (last lifetime {t / 3600:.5g} h)")


def sample_lifetime(stack, shortcircuit, lifetime_values, options) -> tuple[float, bool]:
    """``(lifetime [s], censored)`` of one sample (the ``lifetime`` output of :mod:`cellsim.uncertainty`).

    ``options['cycle']``: ``current`` [A/m2], ``step_time`` [s], ``until`` [s] and
    ``voltage_limit`` [V] or None; ``options['calibration']`` (optional): ``current``,
    ``step_time``, ``target`` [s] of the seed lifetime k_SEI is re-fitted to.
    """
    from .cycle import run_cycle
    from .parameters import load_lifetime_parameters

    c = options["cycle"]
    lt = load_lifetime_parameters()
    if lifetime_values:
        lt = lt.with_values(**lifetime_values)
    if options.get("calibration"):
        lt, _ = recalibrate_sei_growth(stack, lt, shortcircuit, options["calibration"])
    r = run_cycle(stack, c["current"], c["step_time"], c["until"], voltage_limit=c.get("voltage_limit"),
                  parameters=lt, shortcircuit=shortcircuit)
    if r.lifetime is None:
        return float(c["until"]), True
    return float(r.lifetime), False


def _calibration_for(model_name: str, overridden: bool):
    """The seed lifetime k_SEI is re-fitted to for this model, or None (sampled over its range)."""
    from .seed import SEED_LIFETIMES

    if overridden:
        return None
    for s in SEED_LIFETIMES:
        if s.role == "calibration" and s.model == model_name:
            return {"current": s.current, "step_time": s.step_time, "target": s.lifetime}
    return None


def lifetime_interval(stack, model, current: float, step_time: float, until: float, *, voltage_limit=None,
                      samples: int = 32, seed: int = 0, overridden: bool = False, executor: str = "inprocess",
                      workers: int | None = None, progress: bool | None = False) -> dict:
    """5/50/95 % quantiles of the lifetime [s] over the parameter ranges (see the module docstring).

    Parameters
    ----------
    stack : Stack
        The loaded model (its name selects the calibration).
    model : str
        Model name or path (what the sample workers load).
    current, step_time, until, voltage_limit
        The protocol [A/m2, s, s, V or None], as :func:`~cellsim.lifetime.cycle.run_cycle`.
    samples, seed
        Size and seed of the Sobol' design.
    overridden : bool
        Cell overrides were given (the samples cannot then be run from the model file: refused).
    executor, workers, progress
        As :func:`cellsim.sweeps.run_sweep`.

    Returns
    -------
    dict
        The :func:`cellsim.uncertainty.propagate.propagate` summary plus ``calibration``
        (``per-sample re-fit`` or ``sampled over its range``).
    """
    from ..uncertainty.propagate import propagate
    from ..uncertainty.space import discover

    if overridden:
        raise InputError("--interval", "with cell overrides or --set", "the model's own file: the samples are drawn "
                         "from its ranges (edit a copy of the model TOML instead)")
    if not (isinstance(samples, int) and samples >= 2):
        raise InputError("--interval", samples, "an integer >= 2 (samples)")
    cal = _calibration_for(stack.name, overridden)
    space = discover(stack, shortcircuit=True, lifetime=True)
    if cal is not None:
        space = space.without([f"lifetime.{CALIBRATED}"])
    if voltage_limit is not None:
        space = space.without(["shortcircuit.voltage_limit"])
    opts = {"cycle": {"current": current, "step_time": step_time, "until": until, "voltage_limit": voltage_limit},
            "calibration": cal}
    res = propagate(model, "lifetime", samples=samples, seed=seed, options=opts, space=space, executor=executor,
                    workers=workers, progress=progress)
    res["calibration"] = "per-sample re-fit of sei_growth_constant to the seed's 2500 h at 0.5 mA/cm2" \
        if cal is not None else "sei_growth_constant sampled over its range"
    return res


def interval_keys(res: dict) -> dict:
    """JSON keys of an interval: ``lifetime_h_q05/_q50/_q95`` [h] (None if not finite) and their flags."""
    def h(v):
        return None if v is None or not math.isfinite(v) else v / 3600.0

    return {"lifetime_h_q05": h(res["q05"]), "lifetime_h_q50": h(res["median"]), "lifetime_h_q95": h(res["q95"]),
            "lifetime_interval": {"samples": res["samples"], "n_failed": res["n_failed"],
                                  "n_censored": res["n_censored"], "censored": res["censored"],
                                  "q05_stderr_h": h(res["q05_stderr"]), "q50_stderr_h": h(res["median_stderr"]),
                                  "q95_stderr_h": h(res["q95_stderr"]), "parameters": res["parameters"],
                                  "calibration": res["calibration"], "errors": res["errors"],
                                  "elapsed_s": res["elapsed_s"]}}

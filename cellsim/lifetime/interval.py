"""Interval of a predicted lifetime from the parameter ranges (``cellsim cycle --interval N``).

The lifetime is an output of :mod:`cellsim.uncertainty` (``lifetime``, seconds): ``N``
quasi-random samples (scrambled Sobol') of every ranged parameter of the model, of
``parameters/shortcircuit.toml`` and of ``parameters/lifetime.toml`` are run through
:func:`~cellsim.lifetime.cycle.run_cycle` (time compression; in parallel with
``--processes``), and the 5 %, 50 % and 95 % quantiles are reported. A sample that survives
``until`` is *censored* there (its lifetime is only known to exceed it), as a CCD sample
without a short.

**The calibration is kept in every sample** when the model is the shipped file the seed
lifetime calibrates (``li-uvea-latp-uvea-li``, :data:`~cellsim.lifetime.seed.SEED_LIFETIMES`;
cell overrides are refused with ``--interval``): instead of sampling ``sei_growth_constant`` over its range, each
sample re-fits it so that the sample itself lives the seed's 2500 h at 0.5 mA/cm2 with 1 h
steps (:func:`~cellsim.lifetime.refit.recalibrate_sei_growth`); the interval is then that of a *prediction
conditioned on the calibration*. For any other cell ``sei_growth_constant`` is sampled over
its range like the other parameters.
"""

from __future__ import annotations

import math

from ..errors import InputError
from .refit import CALIBRATED, RECALIBRATION_RTOL, recalibrate_sei_growth, sample_lifetime

__all__ = ["recalibrate_sei_growth", "sample_lifetime", "lifetime_interval", "lifetime_study", "calibration_text",
           "interval_keys", "CALIBRATED", "RECALIBRATION_RTOL"]


def _calibration_for(model) -> dict | None:
    """The seed lifetime k_SEI is re-fitted to when ``model`` (name or path) is the shipped model
    file that lifetime calibrates, else None (k_SEI is then sampled over its range: an edited copy
    may change what the calibration assumed, e.g. the temperature)."""
    from ..models import resolve_model
    from .seed import SEED_LIFETIMES

    path = resolve_model(model).resolve()
    for s in SEED_LIFETIMES:
        if s.role == "calibration" and resolve_model(s.model).resolve() == path:
            return {"current": s.current, "step_time": s.step_time, "target": s.lifetime}
    return None


def lifetime_interval(stack, model, current: float, step_time: float, until: float, *, voltage_limit=None,
                      samples: int = 32, seed: int = 0, overridden: bool = False, executor: str = "inprocess",
                      workers: int | None = None, progress: bool | None = False) -> dict:
    """5/50/95 % quantiles of the lifetime [s] over the parameter ranges (see the module docstring).

    Parameters
    ----------
    stack : Stack
        The loaded model (whose ranges are sampled).
    model : str
        Model name or path (what the sample workers load; the shipped calibration model's file
        selects the per-sample re-fit of k_SEI).
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

    if overridden:
        raise InputError("--interval", "with cell overrides or --set", "the model's own file: the samples are drawn "
                         "from its ranges (edit a copy of the model TOML instead)")
    if not (isinstance(samples, int) and samples >= 2):
        raise InputError("--interval", samples, "an integer >= 2 (samples)")
    opts, space = lifetime_study(stack, model, current, step_time, until, voltage_limit)
    res = propagate(model, "lifetime", samples=samples, seed=seed, options=opts, space=space, executor=executor,
                    workers=workers, progress=progress)
    res["calibration"] = calibration_text(opts)
    return res


def lifetime_study(stack, model, current: float, step_time: float, until: float, voltage_limit=None):
    """``(options, space)`` of a ``lifetime`` propagation or sensitivity study (module docstring).

    ``options``: ``cycle`` (``current`` [A/m2], ``step_time`` [s], ``until`` [s], ``voltage_limit``
    [V] or None) and ``calibration`` (the seed lifetime k_SEI is re-fitted to in every sample,
    or None); ``space``: every ranged parameter of the model, ``parameters/shortcircuit.toml``
    and ``parameters/lifetime.toml``, without k_SEI when it is re-fitted and without the
    voltage limit when one is given.
    """
    from ..uncertainty.space import discover

    for name, v in (("--current", current), ("--step-time", step_time), ("--until", until)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise InputError(name, v, "a finite value > 0 (SI: A/m2, s)")
    cal = _calibration_for(model)
    space = discover(stack, shortcircuit=True, lifetime=True)
    if cal is not None:
        space = space.without([f"lifetime.{CALIBRATED}"])
    if voltage_limit is not None:
        space = space.without(["shortcircuit.voltage_limit"])
    opts = {"cycle": {"current": float(current), "step_time": float(step_time), "until": float(until),
                      "voltage_limit": voltage_limit}, "calibration": cal}
    return opts, space


def calibration_text(options: dict) -> str:
    """How k_SEI enters a lifetime study with ``options`` of :func:`lifetime_study`, in words."""
    return ("per-sample re-fit of sei_growth_constant to the seed's 2500 h at 0.5 mA/cm2"
            if options.get("calibration") is not None else "sei_growth_constant sampled over its range")


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

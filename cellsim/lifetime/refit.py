"""One sample of a lifetime interval: the per-sample re-fit of k_SEI and the sample's lifetime.

Kept apart from :mod:`~cellsim.lifetime.interval` (which drives :mod:`cellsim.uncertainty`)
because :mod:`cellsim.uncertainty.outputs` calls :func:`sample_lifetime` for the ``lifetime``
output.
"""

from __future__ import annotations

from ..errors import CellsimError

__all__ = ["recalibrate_sei_growth", "sample_lifetime", "CALIBRATED", "RECALIBRATION_RTOL", "MAX_REFITS"]

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
    within :data:`RECALIBRATION_RTOL` (a few runs). A sample that fails before the target by a
    mechanism k does not set (a short) contradicts the measured lifetime whatever k is: it is
    rejected (conditioning on the calibration); a short after the target only raises k.

    Returns
    -------
    (LifetimeParameters, runs)

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
        if r.lifetime is not None and r.failure != "voltage_limit" and t < target:   # no k helps
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

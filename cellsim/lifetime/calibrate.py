"""Calibration of the SEI growth constant on one measured lifetime.

The lifetime falls monotonically as k_SEI grows (the SEI resistance at any time rises with
k, the other mechanisms do not depend on it), so bisection in ln k between two bounds finds
the k whose simulated lifetime equals the measured one. The shipped value
(``parameters/lifetime.toml``) comes from :func:`calibrate_sei_growth` on the seed's
UVEA-LATP-UVEA, 2500 h at 0.5 mA/cm2 with 1 h steps (Table S3; Figs. S14/S16 for the steps).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..errors import InputError

__all__ = ["SeiCalibration", "calibrate_sei_growth"]


@dataclass(frozen=True)
class SeiCalibration:
    """Result of :func:`calibrate_sei_growth`: the growth constant [m2/s] at the parameters'
    reference temperature, the lifetime it gives [s], the target [s] and the runs it took."""

    growth_constant: float
    lifetime: float | None
    target: float
    evaluations: int
    failure: str | None


def calibrate_sei_growth(stack, current: float, step_time: float, target: float, low: float = 1e-23,
                         high: float = 1e-17, parameters=None, shortcircuit=None, rtol: float = 1e-6) -> SeiCalibration:
    """The SEI growth constant whose simulated lifetime is ``target`` [s].

    Parameters
    ----------
    stack : Stack
    current, step_time : float
        The measured protocol, |J| [A/m2] and half-cycle time [s].
    target : float
        Measured lifetime [s].
    low, high : float
        Bracket of k_SEI [m2/s]; the lifetime must be above the target at ``low`` and below
        it at ``high``.
    rtol : float
        Relative width of the final bracket in k.
    """
    from .cycle import run_cycle
    from .parameters import load_lifetime_parameters

    if not (math.isfinite(target) and target > 0):
        raise InputError("target", target, "a lifetime > 0 s")
    if not (0 < low < high and math.isfinite(high)):
        raise InputError("bounds", (low, high), "0 < low < high")
    base = parameters if parameters is not None else load_lifetime_parameters()
    until = 2.0 * target

    def life(k):
        r = run_cycle(stack, current, step_time, until, parameters=base.with_values(sei_growth_constant=k),
                      shortcircuit=shortcircuit)
        return (math.inf if r.lifetime is None else r.lifetime), r.failure

    n = 2
    if not (life(low)[0] > target > life(high)[0]):
        raise InputError("bounds", (low, high), f"a bracket over which the lifetime crosses {target / 3600:g} h")
    lo, hi = low, high
    while hi / lo > 1 + rtol:
        mid = math.sqrt(lo * hi)
        n += 1
        if life(mid)[0] > target:
            lo = mid
        else:
            hi = mid
    k = math.sqrt(lo * hi)
    t, failure = life(k)
    return SeiCalibration(k, None if math.isinf(t) else t, target, n + 1, failure)

"""One plate/strip cycle through the transport solver, with the slow resistances in series.

The SEI and dead-Li resistances of both electrodes enter the solver as ``sei_resistance``
of the Li | polymer interfaces (ohmic, in series with the Butler-Volmer charge transfer;
:mod:`cellsim.transport.solver`). Li is plated on the right electrode in the first half
cycle (+J), on the left in the second (-J), as in the step-up protocols.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..materials import Parameter

__all__ = ["TransportCycle", "with_slow_resistance", "run_transport_cycle", "cycle_options"]


def cycle_options(shortcircuit):
    """Solver options of the cycles: the step-up defaults (:func:`~cellsim.shortcircuit.ccd.ccd_solver_options`),
    depletion read at the short-circuit nucleation threshold, the run continued through it."""
    from ..shortcircuit.ccd import ccd_solver_options

    return replace(ccd_solver_options(), on_depletion="continue",
                   depletion_threshold=shortcircuit.nucleation_threshold)


def with_slow_resistance(stack, r_left: float, r_right: float):
    """``stack`` with ``r_left`` / ``r_right`` [ohm m2] added to the SEI resistance of its
    first / last interface (the Li | polymer contacts)."""
    itfs = list(stack.interfaces)
    for k, r in ((0, r_left), (len(itfs) - 1, r_right)):
        itf = itfs[k]
        old = itf.parameters.get("sei_resistance")
        base = 0.0 if old is None else old.value
        params = dict(itf.parameters)
        params["sei_resistance"] = Parameter(base + r, "ohm m2", "SEI and dead Li grown while cycling "
                                             "(cellsim.lifetime)", "computed")
        itfs[k] = replace(itf, parameters=params)
    return stack.replace(interfaces=tuple(itfs))


@dataclass
class TransportCycle:
    """A simulated cycle.

    Attributes
    ----------
    time : ndarray
        From the cycle's start [s].
    voltage : ndarray
        Cell voltage with the slow resistances of the cycle's start [V].
    current_density : ndarray
        Ionic current density [A/m2] (> 0: plating on the right).
    sand_time : tuple
        Time into each side's plating half at which its plating face depleted [s] (inf: none).
    final_state
        The solver state at the cycle's end.
    """

    time: np.ndarray
    voltage: np.ndarray
    current_density: np.ndarray
    sand_time: tuple
    final_state: object


def run_transport_cycle(stack, options, current: float, half_time: float, state=None, samples: int = 16,
                        r_slow=(0.0, 0.0)) -> TransportCycle:
    """Simulate one cycle (plate right at +J, then left at -J, ``half_time`` [s] each).

    Parameters
    ----------
    stack : Stack
    options : SolverOptions
    current : float
        |J| [A/m2].
    half_time : float
        [s].
    state : optional
        Solver state to start from (the previous cycle's ``final_state``).
    samples : int
        Output samples per half cycle.
    r_slow : (float, float)
        Slow resistances of the left and right electrode [ohm m2].
    """
    from ..transport import TransportProblem
    from ..transport.protocol import Protocol, Step

    st = with_slow_resistance(stack, *r_slow) if any(r_slow) else stack
    problem = TransportProblem(st, options)
    proto = Protocol([Step("current", current, duration=half_time, text="Plate right"),
                      Step("current", -current, duration=half_time, text="Plate left")])
    sol = problem.run(proto, output_dt=half_time / samples, state=state)
    sand = [math.inf, math.inf]
    poly = [l.name for l in stack.layers if l.kind == "polymer"]
    for e in sol.events:
        if e.kind != "salt_depletion":
            continue
        face = "left" if e.detail.startswith("left") else "right"
        if e.time_s < half_time and face == "right" and e.layer == poly[-1]:
            sand[1] = min(sand[1], e.time_s)
        elif e.time_s >= half_time and face == "left" and e.layer == poly[0]:
            sand[0] = min(sand[0], e.time_s - half_time)
    return TransportCycle(sol.time.copy(), sol.voltage.copy(), sol.ionic_current_density.copy(), tuple(sand),
                          sol.final_state)

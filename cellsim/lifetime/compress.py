"""Time compression: jump over many cycles at the rates of the last simulated (representative) cycle.

Once the salt profiles are periodic (two simulated cycles whose transport voltages agree to
``PERIODIC_V``), the transport part of every further cycle is the same, and the slow state
moves at that cycle's rates (:class:`~cellsim.lifetime.state.CycleRates`): the plated charge,
the dendrites and filaments linearly per cycle, the SEI and the interphases by their closed
forms in time (:func:`~cellsim.lifetime.state.project`). A jump of n cycles is bounded so that
no slow quantity moves by more than ``tolerance`` of its scale in one jump: the slow ASR by
``tolerance`` of the cell's ASR, each deposit front by ``tolerance`` of its polymer layer, the
interphases by ``tolerance`` of the middle layer. After a jump one cycle is simulated again
with the solver (the representative cycle, with the new resistances in the interfaces), which
also refreshes the rates.

Failure inside a jump is found before the jump is taken: the predicted cycle at n cycles on
(the representative cycle's transport voltage plus the slow resistances of that state at each
sample, a short when the path spans the cell, an electrode that runs out of live Li) fails
or not monotonically in n, so bisection gives the first failing cycle; the jump stops just
before it and that cycle is simulated in full.
"""

from __future__ import annotations

import numpy as np

from .simulated import _li_failure, path_resistance, path_share, sample_states
from .state import front, middle_depth, project, slow_resistance, spanned

__all__ = ["PERIODIC_V", "periodic", "jump_length", "predicted_failure"]

#: Largest change of the transport voltage between two cycles at which they count as periodic [V].
PERIODIC_V = 1e-6


def periodic(prev, last) -> bool:
    """Whether two consecutive simulated cycles have the same transport voltage (to PERIODIC_V)."""
    if prev is None or last is None or prev.transport_voltage.shape != last.transport_voltage.shape:
        return False
    return float(np.max(np.abs(prev.transport_voltage - last.transport_voltage))) < PERIODIC_V


def _r_total(m, s):
    return slow_resistance(m, s, 0) + slow_resistance(m, s, 1)


def predicted_failure(m, s, last, n: int, voltage_limit: float) -> bool:
    """Whether the cycle that starts ``n`` cycles after state ``s`` fails, predicted from the
    representative cycle ``last`` (:class:`~cellsim.lifetime.simulated.CycleOutcome`): |V| over
    the limit, an electrode out of live Li, the path spanning the cell, or a path that spans it
    already (a leak) taking ``soft_share`` of the current as the ionic ASR grows."""
    r = last.rates
    e = project(m, s, r, n)
    t_rel = last.time - last.time[0]
    states = sample_states(m, e, r, t_rel)
    rs = np.array([_r_total(m, x) for x in states])
    v = last.transport_voltage + last.current_density * rs
    if float(np.max(np.abs(v))) > voltage_limit:
        return True
    if _li_failure(m, e, r) is not None:
        return True
    if spanned(m, s):
        r_path, _ = path_resistance(m, e)
        return path_share(float(np.max(np.abs(v))) / r.current, r_path) >= m.shortcircuit.soft_share
    return spanned(m, project(m, s, r, n + 1))


def _moved_too_far(m, s, e, scale_r, tol) -> bool:
    g = m.geometry
    if _r_total(m, e) - _r_total(m, s) > tol * scale_r:
        return True
    for i in (0, 1):
        if s.contact[i] is None and front(m, e, i) - front(m, s, i) > tol * g.polymer_thickness[i]:
            return True
        if g.middle is not None and middle_depth(m, e, i) - middle_depth(m, s, i) > tol * g.middle_thickness:
            return True
    return False


def _largest(ok, n_max: int) -> int:
    """Largest integer n in [1, n_max] with ok(n) (ok monotone: true then false); 1 if none."""
    if n_max < 1:
        return 0
    if ok(n_max):
        return n_max
    lo, hi = 1, 2
    while hi < n_max and ok(hi):
        lo, hi = hi, min(2 * hi, n_max)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo


def jump_length(m, s, last, n_max: int, tolerance: float, voltage_limit: float) -> int:
    """Cycles to jump from state ``s`` (0: simulate the next cycle at once).

    Bounded by ``n_max`` and by ``tolerance`` (see the module docstring); when a cycle
    within reach is predicted to fail, the jump ends just before it.
    """
    r = last.rates
    scale_r = float(np.max(np.abs(last.voltage))) / r.current
    n = _largest(lambda k: not _moved_too_far(m, s, project(m, s, r, k), scale_r, tolerance), n_max)
    if n < 1:
        return 0

    def fails(k):
        return predicted_failure(m, s, last, k, voltage_limit)

    if not fails(n):
        return n
    lo, hi = -1, n   # fails(hi) is true; find the first failing k in [0, n]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fails(mid):
            hi = mid
        else:
            lo = mid
    return hi

"""One fully simulated cycle: the transport solver's voltage with the slow resistances of every
sample, and the failures inside the cycle (voltage limit, Li exhausted, a short).

Used for every cycle of the full run and for the representative cycles of the compressed
run (:mod:`cellsim.lifetime.compress`).

The solver runs the cycle with the slow resistances of its start in the interfaces; their growth
within the cycle is added sample by sample as ``J_ion (R(t) - R(t_start))`` (an ohmic ASR in
series under a galvanostatic current; the change of the stack's bulk electronic leakage this
causes, of relative order ``V / (J R_e)`` ~ 1e-4 for the LATP sandwich, is neglected).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from .mechanisms import dendrite_advance_per_cycle, li_thickness
from .state import CycleRates, live_li, project, slow_resistance, spanned
from .transport_cycle import run_transport_cycle

__all__ = ["Failure", "CycleOutcome", "simulate_cycle", "sample_states", "short_failure", "first_short",
           "path_resistance", "path_share"]


@dataclass(frozen=True)
class Failure:
    """How and when the cell failed: ``kind`` is ``voltage_limit``, ``hard_short``,
    ``soft_short`` or ``li_exhausted``; ``time`` [s]; ``detail`` in words."""

    kind: str
    time: float
    detail: str


@dataclass
class CycleOutcome:
    """A simulated cycle: its rates, the slow state at its end, its trace and any failure.

    ``transport_voltage`` is the voltage without the slow resistances (periodic once the
    salt profiles are), ``voltage`` the cell's.
    """

    rates: CycleRates
    end: object
    time: np.ndarray
    voltage: np.ndarray
    transport_voltage: np.ndarray
    current_density: np.ndarray
    final_state: object
    failure: Failure | None = None
    events: list | None = None


def sample_states(m, s, rates: CycleRates, t):
    """The slow state at times ``t`` [s] into a cycle starting in state ``s`` (charge plated
    on the right in the first half, on the left in the second)."""
    J, th = rates.current, rates.half_time
    return [replace(s, time=s.time + tk, plated=(s.plated[0] + J * max(tk - th, 0.0),
                                                  s.plated[1] + J * min(tk, th))) for tk in t]


def _slow_total(m, states):
    return np.array([slow_resistance(m, x, 0) + slow_resistance(m, x, 1) for x in states])


def _voltage_failure(t, v, limit, t0):
    over = np.flatnonzero(np.abs(v) > limit)
    if not over.size:
        return None
    k = int(over[0])
    tk = t[k]
    if k > 0:   # linear interpolation to the limit between the samples
        a, b = abs(v[k - 1]), abs(v[k])
        tk = t[k - 1] + (t[k] - t[k - 1]) * (limit - a) / (b - a) if b != a else t[k]
    return Failure("voltage_limit", t0 + float(tk), f"|V| = {abs(v[k]):.4g} V passed the {limit:g} V limit")


def _li_failure(m, s, rates):
    """An electrode that cannot deliver the next stripping half cycle (left strips first)."""
    need = li_thickness(rates.current * rates.half_time)
    for side, t_start in ((0, 0.0), (1, rates.half_time)):
        st = replace(s, plated=(s.plated[0], s.plated[1] + (rates.current * rates.half_time if side == 1 else 0.0)))
        if live_li(m, st, side) < need:
            name = "left" if side == 0 else "right"
            return Failure("li_exhausted", s.time + t_start, f"the {name} electrode has {live_li(m, st, side) * 1e6:.3g}"
                           f" um of live Li left, less than the {need * 1e6:.3g} um a half cycle strips")
    return None


def path_resistance(m, s):
    """``(ASR [ohm m2], how in words)`` of the electronic path once it spans the cell: 0 through Li
    (deposits met in one polymer, or a filament across the middle layer), else the middle
    layer's path (interphase or its own conduction), divided by the short-circuit contact fraction."""
    g, sc = m.geometry, m.shortcircuit
    if g.middle is None:
        return 0.0, "Li deposits met across the polymer"
    crack = any(s.crack_open) and max(s.crack) >= g.middle_thickness * (1 - 1e-12)
    r_path = 0.0 if crack else g.middle_path_resistance
    how = ("deposit fronts crossed both polymer layers and "
           + ("a Li filament crossed the middle layer" if crack else f"the {g.middle_kind} path bridged the middle layer"))
    return r_path / sc.contact_fraction, how


def path_share(asr_ion, r_path) -> float:
    """Share of the current an electronic path of ASR ``r_path`` takes beside the ionic path of ASR
    ``asr_ion``: ``ASR_ion / (ASR_ion + R_path)`` (both ohmic, in parallel) [-]."""
    if not math.isfinite(r_path):
        return 0.0
    return asr_ion / (asr_ion + r_path) if asr_ion + r_path > 0 else 1.0


def short_failure(m, s, t_short, asr_ion):
    """The failure at ``t_short`` [s] (or None: the path is a leak) with the ionic path at ASR
    ``asr_ion`` [ohm m2]: a hard / soft short when the path's share reaches the short-circuit
    thresholds (``hard_share``, ``soft_share``); and the description in words."""
    sc = m.shortcircuit
    r_path, how = path_resistance(m, s)
    share = path_share(asr_ion, r_path)
    kind = "hard_short" if share >= sc.hard_share else "soft_short" if share >= sc.soft_share else None
    text = f"{how}; the path (ASR {r_path * 1e4:.4g} ohm cm2) carries {100 * share:.3g} % of the current"
    return (Failure(kind, t_short, text) if kind else None), text


def _leak_failure(m, s, t, v, current):
    """A path that was a leak becomes a short once the ionic ASR (|V| / J, growing with the SEI)
    makes its share reach ``soft_share``: the first such sample of the cycle, or None."""
    for k in range(1, len(t)):
        f, _ = short_failure(m, s, s.time + float(t[k]), abs(float(v[k])) / current)
        if f is not None:
            return f
    return None


def first_short(m, s, rates, x_max: float):
    """Cycles ``x`` in [0, x_max] at which the path first spans the cell (bisection), or None."""
    if spanned(m, s) or not spanned(m, project(m, s, rates, x_max)):
        return None
    lo, hi = 0.0, x_max
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if spanned(m, project(m, s, rates, mid)):
            hi = mid
        else:
            lo = mid
        if (hi - lo) * rates.period < 1e-3:
            break
    return hi


def simulate_cycle(m, s, stack, options, current, half_time, tstate, samples, voltage_limit):
    """Run one cycle from slow state ``s`` and solver state ``tstate``; see :class:`CycleOutcome`."""
    sc, g = m.shortcircuit, m.geometry
    r0 = (slow_resistance(m, s, 0), slow_resistance(m, s, 1))
    tc = run_transport_cycle(stack, options, current, half_time, tstate, samples, r0)
    adv = tuple(dendrite_advance_per_cycle(g.dendrite_coefficient[i] * current, half_time, tc.sand_time[i],
                                           sc.dead_fraction) for i in (0, 1))
    rates = CycleRates(2 * half_time, current, half_time, (current * half_time,) * 2, adv, tc.sand_time)
    v0 = tc.voltage - tc.current_density * (r0[0] + r0[1])
    v = v0 + tc.current_density * _slow_total(m, sample_states(m, s, rates, tc.time))
    end = project(m, s, rates, 1.0)
    out = CycleOutcome(rates, end, tc.time + s.time, v, v0, tc.current_density, tc.final_state, events=[])
    fails = [f for f in (_voltage_failure(tc.time, v, voltage_limit, s.time), _li_failure(m, s, rates)) if f]
    x = first_short(m, s, rates, 1.0)
    if x is not None:
        t_short = s.time + x * rates.period
        f, text = short_failure(m, project(m, s, rates, x), t_short, float(np.max(np.abs(v))) / current)
        out.events.append({"kind": "path_formed", "time_s": t_short, "detail": text})
        if f:
            fails.append(f)
    elif spanned(m, s):   # a leak since an earlier cycle
        f = _leak_failure(m, s, tc.time, v, current)
        if f:
            fails.append(f)
    out.failure = min(fails, key=lambda f: f.time) if fails else None
    return out

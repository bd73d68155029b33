"""The slow state of a cycled symmetric cell and how it moves over whole cycles.

The state is what outlives a cycle: the time since assembly, the charge plated on each
electrode, each side's Sand dendrite, when each deposit front touched the middle layer, and
the Li filament in a crack from each contact. Everything else follows from it in closed form
(:mod:`cellsim.lifetime.mechanisms`): SEI and dead-Li resistances, the deposit fronts, the
interphases grown into the middle layer, the live Li left in each electrode.

Over ``x`` cycles (not necessarily whole) at one cycle's rates (:class:`CycleRates`) the
charges, dendrites and filaments move linearly and the contact times follow exactly from
the linear front motion (:func:`project`); that is both the last step of a fully simulated
cycle and a time-compression jump.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .mechanisms import (arrhenius_factor, dead_li_resistance, dead_li_thickness, front_depth, li_thickness,
                         sei_resistance)

__all__ = ["SlowState", "CycleRates", "project", "slow_resistance", "front", "middle_depth", "spanned",
           "live_li", "Model"]


@dataclass(frozen=True)
class SlowState:
    """Slow state of the cell (SI; tuples are (left, right)).

    Attributes
    ----------
    time : float
        Since assembly [s].
    cycles : float
        Cycles run (jumps count their cycles).
    plated : tuple
        Charge plated on each electrode so far [C/m2].
    dendrite : tuple
        Sand dendrite length on top of each deposit front [m].
    contact : tuple
        Time each front touched the middle layer [s] or None.
    crack_open : tuple of bool
        A flaw opened at that contact.
    crack : tuple
        Depth of the Li filament from each contact into the middle layer [m].
    """

    time: float = 0.0
    cycles: float = 0.0
    plated: tuple = (0.0, 0.0)
    dendrite: tuple = (0.0, 0.0)
    contact: tuple = (None, None)
    crack_open: tuple = (False, False)
    crack: tuple = (0.0, 0.0)


@dataclass(frozen=True)
class CycleRates:
    """What one simulated cycle does to the slow state, per cycle.

    Attributes
    ----------
    period : float
        Cycle duration [s].
    current : float
        |J| [A/m2].
    half_time : float
        Duration of a half cycle [s].
    plated : tuple
        Charge plated on each electrode per cycle [C/m2].
    dendrite : tuple
        Net Sand-dendrite advance per cycle [m] (:func:`~.mechanisms.dendrite_advance_per_cycle`).
    sand_time : tuple
        Sand time into each side's plating half [s] (inf: no depletion).
    """

    period: float
    current: float
    half_time: float
    plated: tuple
    dendrite: tuple
    sand_time: tuple = (math.inf, math.inf)


@dataclass(frozen=True)
class Model:
    """The cell (:class:`~.cell.CellGeometry`), the lifetime and short-circuit parameters and
    the temperature factor of the SEI growth constant."""

    geometry: object
    lifetime: object
    shortcircuit: object
    k_sei: float

    @classmethod
    def build(cls, stack, lifetime, shortcircuit) -> "Model":
        from .cell import cell_geometry

        k = lifetime.sei_growth_constant * arrhenius_factor(lifetime.sei_activation_energy, stack.temperature,
                                                              lifetime.reference_temperature)
        return cls(cell_geometry(stack, shortcircuit), lifetime, shortcircuit, k)


def dead_thickness(m: Model, plated: float) -> float:
    """Dead-Li layer thickness on an electrode that has had ``plated`` [C/m2] plated [m]."""
    p = m.lifetime
    return dead_li_thickness(plated, p.inactive_fraction, p.dead_li_porosity)


def slow_resistance(m: Model, s: SlowState, side: int) -> float:
    """SEI + dead-Li ASR added at electrode ``side`` (0 left, 1 right) [ohm m2]."""
    p = m.lifetime
    r_sei = sei_resistance(s.time, m.k_sei, p.sei_initial_thickness, p.sei_ionic_conductivity)
    r_dead = dead_li_resistance(dead_thickness(m, s.plated[side]), m.geometry.polymer_conductivity[side],
                                p.dead_li_porosity)
    return r_sei + r_dead


def front(m: Model, s: SlowState, side: int) -> float:
    """Depth of side's deposit front into its polymer layer [m]."""
    return front_depth(dead_thickness(m, s.plated[side]), m.lifetime.front_focusing, s.dendrite[side])


def live_li(m: Model, s: SlowState, side: int) -> float:
    """Live Li left in electrode ``side`` [m]: the foil less the Li locked up as dead Li."""
    return m.geometry.li_thickness[side] - li_thickness(m.lifetime.inactive_fraction * s.plated[side])


def middle_depth(m: Model, s: SlowState, side: int) -> float:
    """How far side's path has entered the middle layer [m]: interphase grown since contact
    (or the whole layer for an electronic conductor), or the crack filament if deeper."""
    from ..shortcircuit.mechanisms import interphase_thickness

    g = m.geometry
    tc = s.contact[side]
    if g.middle is None or tc is None:
        return 0.0
    if g.middle_kind == "intrinsic":
        return g.middle_thickness
    x = interphase_thickness(max(s.time - tc, 0.0), g.middle_growth_constant, g.middle_law) \
        if g.middle_growth_constant > 0 else 0.0
    return min(max(x, s.crack[side]), g.middle_thickness)


def spanned(m: Model, s: SlowState) -> bool:
    """Whether an electronic path spans the cell (both fronts through their polymer and the
    middle layer bridged from the two contacts, or the two fronts met in a single polymer)."""
    g = m.geometry
    if g.middle is None:
        return front(m, s, 0) + front(m, s, 1) >= g.polymer_thickness[0] * (1 - 1e-12)
    through = all(s.contact[i] is not None for i in (0, 1))
    return through and middle_depth(m, s, 0) + middle_depth(m, s, 1) >= g.middle_thickness * (1 - 1e-12)


def _contact_after(m: Model, s: SlowState, r: CycleRates, x: float, side: int):
    """Contact time of side's front over ``x`` cycles at rates ``r`` (None if not reached)."""
    g = m.geometry
    if g.middle is None or s.contact[side] is not None:
        return s.contact[side]
    f0 = front(m, s, side)
    L = g.polymer_thickness[side]
    if f0 >= L:
        return s.time
    per = front(m, replace(s, plated=tuple(s.plated[i] + r.plated[i] for i in (0, 1)),
                           dendrite=tuple(max(0.0, s.dendrite[i] + r.dendrite[i]) for i in (0, 1))), side) - f0
    if per <= 0 or f0 + per * x < L:
        return None
    return s.time + (L - f0) / per * r.period


def _crack_after(m: Model, s: SlowState, r: CycleRates, x: float, side: int, contact):
    """(open, depth) of side's crack after ``x`` cycles: a flaw opens at contact when the
    deposition overpotential passes Griffith (constant at a constant current), then the
    filament grows in side's plating halves."""
    g = m.geometry
    if contact is None or g.middle is None:
        return False, 0.0
    opened = s.crack_open[side] or g.crack_overpotential[side] * r.current >= g.griffith
    if not opened:
        return False, 0.0
    since = (s.time + x * r.period - max(contact, s.time)) / r.period   # cycles since the contact / the start
    depth = s.crack[side] + g.filament_coefficient[side] * r.current * r.half_time * max(since, 0.0)
    return True, min(depth, g.middle_thickness)


def project(m: Model, s: SlowState, r: CycleRates, x: float) -> SlowState:
    """The slow state ``x`` cycles (>= 0, any real) on at the rates of ``r``."""
    contact = tuple(_contact_after(m, s, r, x, i) for i in (0, 1))
    cracks = [_crack_after(m, s, r, x, i, contact[i]) for i in (0, 1)]
    return SlowState(time=s.time + x * r.period, cycles=s.cycles + x,
                     plated=tuple(s.plated[i] + x * r.plated[i] for i in (0, 1)),
                     dendrite=tuple(max(0.0, s.dendrite[i] + x * r.dendrite[i]) for i in (0, 1)),
                     contact=contact, crack_open=tuple(c[0] for c in cracks), crack=tuple(c[1] for c in cracks))

"""Galvanostatic symmetric cycling for thousands of hours: ``run_cycle`` (``cellsim cycle``).

A Li | polymer (| middle layer | polymer) | Li cell is cycled at +J (Li plated on the right
electrode) and -J for ``step_time`` each until ``until`` or its failure. Every simulated cycle
goes through the transport solver with the slow resistances in the Li | polymer interfaces
(:mod:`~cellsim.lifetime.simulated`); the slow mechanisms (:mod:`~cellsim.lifetime.mechanisms`:
SEI, dead Li and the deposit front's ratchet, Sand dendrites, the reduction interphase of the
middle layer, cracks) move the slow state (:mod:`~cellsim.lifetime.state`). With
``compress=True`` the run jumps over cycles at the rates of the last simulated one
(:mod:`~cellsim.lifetime.compress`); ``compress=False`` simulates every cycle (the reference the
compression is verified against, tests/lifetime/test_compress.py).

Failure: the cell voltage passing ``voltage_limit`` (default: ``voltage_limit`` of
``parameters/shortcircuit.toml``, 5 V), an electronic path carrying at least ``soft_share`` of
the current (soft / hard short, thresholds of the same file), or an electrode without the live
Li for the next stripping half cycle. ``lifetime`` is None when the cell survives ``until``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from .compress import jump_length, periodic
from .simulated import simulate_cycle
from .state import Model, SlowState, front, middle_depth, project, slow_resistance

__all__ = ["CycleResult", "run_cycle", "MAH_CM2", "MA_CM2"]

MAH_CM2 = 36000.0   # C/m2 per mAh/cm2
MA_CM2 = 10.0       # A/m2 per mA/cm2


@dataclass
class CycleResult:
    """Outcome of :func:`run_cycle` (SI).

    Attributes
    ----------
    lifetime : float or None
        Time of the failure [s]; None when the cell survived ``until``.
    failure : str or None
        ``voltage_limit``, ``hard_short``, ``soft_short``, ``li_exhausted`` or None.
    failure_detail : str
    current, step_time, until, voltage_limit, temperature, pressure : float
        The protocol and conditions [A/m2, s, s, V, K, Pa].
    end_time : float
        Time the run ended [s] (the lifetime or ``until``).
    cumulative_capacity : float
        Charge passed, ``J t_end`` (both half cycles counted, as the seed's Table S3) [C/m2].
    cycles : float
        Cycles run; ``simulated_cycles`` of them through the solver.
    time, v_max, v_min, slow_asr, front_left, front_right, middle_left, middle_right : ndarray
        At the start of each simulated cycle (every cycle of a full run; the representative
        cycles of a compressed one): highest and lowest cell voltage of that cycle [V], SEI +
        dead-Li ASR of both electrodes [ohm m2], deposit-front depths [m] (at most the polymer layer), paths into the
        middle layer [m].
    trace_time, trace_voltage : ndarray
        The simulated cycles' voltage samples [s, V] (the first and the last ``trace_cycles`` of
        them), each cycle followed by a NaN.
    events : list of dict
    compressed : bool
    """

    lifetime: float | None
    failure: str | None
    failure_detail: str
    current: float
    step_time: float
    until: float
    voltage_limit: float
    temperature: float
    pressure: float
    end_time: float
    cumulative_capacity: float
    cycles: float
    simulated_cycles: int
    time: np.ndarray
    v_max: np.ndarray
    v_min: np.ndarray
    slow_asr: np.ndarray
    front_left: np.ndarray
    front_right: np.ndarray
    middle_left: np.ndarray
    middle_right: np.ndarray
    trace_time: np.ndarray
    trace_voltage: np.ndarray
    events: list = field(default_factory=list)
    compressed: bool = True
    sources: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON form (``cellsim cycle --json``): SI-suffixed keys plus the lab-unit headline keys."""
        return {"lifetime_s": self.lifetime, "lifetime_h": None if self.lifetime is None else self.lifetime / 3600,
                "failure": self.failure, "failure_detail": self.failure_detail,
                "cumulative_capacity_C_m2": self.cumulative_capacity,
                "cumulative_capacity_mAh_cm2": self.cumulative_capacity / MAH_CM2,
                "current_density_A_m2": self.current, "step_time_s": self.step_time, "until_s": self.until,
                "end_time_s": self.end_time, "voltage_limit_V": self.voltage_limit, "temperature_K": self.temperature,
                "pressure_Pa": self.pressure, "cycles": self.cycles, "simulated_cycles": self.simulated_cycles,
                "compressed": self.compressed, "time_s": self.time, "v_max_V": self.v_max, "v_min_V": self.v_min,
                "slow_asr_ohm_m2": self.slow_asr, "front_left_m": self.front_left, "front_right_m": self.front_right,
                "middle_left_m": self.middle_left, "middle_right_m": self.middle_right, "events": self.events, "parameter_sources": dict(self.sources)}


def _check(current, step_time, until, voltage_limit, tolerance, samples):
    for name, v in (("--current", current), ("--step-time", step_time), ("--until", until)):
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise InputError(name, v, "a finite value > 0")
    if until < 2 * step_time * (1 - 1e-12):
        raise InputError("--until", until, f">= one cycle, 2 x step time = {2 * step_time:g} s")
    if voltage_limit is not None and not (math.isfinite(voltage_limit) and voltage_limit > 0):
        raise InputError("--voltage-limit", voltage_limit, "a voltage > 0 V")
    if not (0 < tolerance <= 0.5):
        raise InputError("tolerance", tolerance, "in (0, 0.5]")
    if not (isinstance(samples, int) and samples >= 4):
        raise InputError("samples", samples, "an integer >= 4 (solver samples per half cycle)")


class _Record:
    """Per-cycle rows of the result."""

    def __init__(self):
        self.rows = []
        self.trace = []

    def add(self, m, s, v_max, v_min):
        L = m.geometry.polymer_thickness
        self.rows.append((s.time, v_max, v_min, slow_resistance(m, s, 0) + slow_resistance(m, s, 1),
                          min(front(m, s, 0), L[0]), min(front(m, s, 1), L[1]), middle_depth(m, s, 0),
                          middle_depth(m, s, 1)))

    def columns(self):
        a = np.array(self.rows, dtype=float).reshape(-1, 8)
        return [a[:, k] for k in range(8)]


def _contact_events(m, before, after):
    out = []
    for i, name in ((0, "left"), (1, "right")):
        if before.contact[i] is None and after.contact[i] is not None:
            out.append({"kind": "front_reached_middle_layer", "time_s": after.contact[i], "front": name,
                        "detail": f"the {name} deposit front crossed its polymer layer "
                                  f"({m.geometry.polymer_thickness[i] * 1e6:.4g} um)"})
        if not before.crack_open[i] and after.crack_open[i]:
            out.append({"kind": "crack_initiation", "time_s": after.contact[i], "front": name})
    return out


def run_cycle(stack, current: float, step_time: float, until: float, *, voltage_limit: float | None = None,
              parameters=None, shortcircuit=None, compress: bool = True, samples: int = 16,
              tolerance: float = 0.02, trace_cycles: int = 50) -> CycleResult:
    """Cycle a symmetric cell galvanostatically until ``until`` or its failure.

    Parameters
    ----------
    stack : Stack
        Li | polymer (| middle | polymer) | Li at its temperature [K] and stack pressure [Pa].
    current : float
        |J| [A/m2] (0.5 mA/cm2 = 5 A/m2).
    step_time : float
        Duration of each half cycle [s].
    until : float
        Longest time to cycle [s] (whole cycles).
    voltage_limit : float, optional
        |V| that ends the life [V]; default the short-circuit file's ``voltage_limit``.
    parameters : LifetimeParameters, optional
        Default ``parameters/lifetime.toml``.
    shortcircuit : ShortCircuitParameters, optional
        Default ``parameters/shortcircuit.toml``.
    compress : bool
        Jump over cycles (:mod:`~cellsim.lifetime.compress`); False simulates every cycle.
    samples : int
        Solver output samples per half cycle.
    tolerance : float
        Largest relative change of a slow quantity per jump.
    trace_cycles : int
        Simulated cycles whose voltage samples are kept (the first and the last ones).

    Returns
    -------
    CycleResult
    """
    from ..shortcircuit.ccd import load_parameters
    from .parameters import load_lifetime_parameters
    from .transport_cycle import cycle_options

    _check(current, step_time, until, voltage_limit, tolerance, samples)
    lt = parameters if parameters is not None else load_lifetime_parameters()
    sc = shortcircuit if shortcircuit is not None else load_parameters()
    m = Model.build(stack, lt, sc)
    vlim = sc.voltage_limit if voltage_limit is None else float(voltage_limit)
    n_total = int(math.floor(until / (2 * step_time) + 1e-9))
    run = _Run(m, stack, cycle_options(sc), float(current), float(step_time), samples, vlim, trace_cycles)
    run.loop(n_total, compress, tolerance)
    return run.result(until, compress, {**sc.sources, **lt.sources})


class _Run:
    """The cycling loop of :func:`run_cycle`."""

    def __init__(self, m, stack, options, current, step_time, samples, vlim, trace_cycles):
        self.m, self.stack, self.options = m, stack, options
        self.j, self.th, self.samples, self.vlim = current, step_time, samples, vlim
        self.trace_cycles = trace_cycles
        self.s = SlowState()
        self.rec = _Record()
        self.events: list = []
        self.failure = None
        self.simulated = 0

    def loop(self, n_total: int, compress: bool, tolerance: float):
        prev = last = None
        tstate = None
        first_trace = None
        while self.s.cycles < n_total - 1e-9:
            if compress and periodic(prev, last):
                n = jump_length(self.m, self.s, last, int(round(n_total - self.s.cycles)) - 1, tolerance, self.vlim)
                if n > 0:
                    e = project(self.m, self.s, last.rates, n)
                    self.events += _contact_events(self.m, self.s, e)
                    self.s = e
            out = simulate_cycle(self.m, self.s, self.stack, self.options, self.j, self.th, tstate, self.samples,
                                 self.vlim)
            self.simulated += 1
            self.events += out.events + _contact_events(self.m, self.s, out.end)
            self.rec.add(self.m, self.s, float(np.max(out.voltage)), float(np.min(out.voltage)))
            if first_trace is None:
                first_trace = (out.time, out.voltage)
            self.rec.trace = (self.rec.trace + [(out.time, out.voltage)])[-self.trace_cycles:]
            if out.failure is not None:
                self.failure = out.failure
                break
            prev, last, tstate, self.s = last, out, out.final_state, out.end
        if first_trace is not None and (not self.rec.trace or self.rec.trace[0][0] is not first_trace[0]):
            self.rec.trace = [first_trace] + self.rec.trace

    def result(self, until, compress, sources) -> CycleResult:
        f = self.failure
        end = f.time if f else self.s.time
        if f:
            self.events.append({"kind": f.kind, "time_s": f.time, "detail": f.detail})
        cols = self.rec.columns()
        gap = [np.array([np.nan])]   # NaN between cycles that are not adjacent: a plot breaks the line there
        tt = np.concatenate([x for t, _ in self.rec.trace for x in (t, gap[0])]) if self.rec.trace else np.zeros(0)
        tv = np.concatenate([x for _, v in self.rec.trace for x in (v, gap[0])]) if self.rec.trace else np.zeros(0)
        st = self.stack
        return CycleResult(lifetime=f.time if f else None, failure=f.kind if f else None,
                           failure_detail=f.detail if f else f"survived {until / 3600:g} h",
                           current=self.j, step_time=self.th, until=until, voltage_limit=self.vlim,
                           temperature=st.temperature, pressure=st.pressure, end_time=end,
                           cumulative_capacity=self.j * end, cycles=self.s.cycles, simulated_cycles=self.simulated,
                           time=cols[0], v_max=cols[1], v_min=cols[2], slow_asr=cols[3], front_left=cols[4],
                           front_right=cols[5], middle_left=cols[6], middle_right=cols[7],
                           trace_time=tt, trace_voltage=tv, events=self.events, compressed=compress,
                           sources=sources)

"""Critical current density under step-up protocols (SPEC C10; physics.md §2.1.7, §2.5).

The transport solver (:mod:`cellsim.transport`) runs the protocol half cycle by half cycle
(the state carried over); on its output this module tracks two *conducting fronts*, one
grown from each Li electrode, through the layers of the stack:

* in a **binary polymer layer** a front advances only after a dendrite has nucleated:
  the salt at the layer face on the front's side has run out (``c < threshold c0``,
  Sand's time, physics.md §2.1.4) while Li plates on that side. It then grows at
  ``v = beta (1 - t+) |J| / (F c0)`` (physics.md §2.1.5). When the current reverses, the
  front dissolves back at ``(1 - f_dead) v`` (a fraction ``f_dead`` of the stripped length
  stays as dead Li in the layer), and it must nucleate again on the next plating;
* in a **middle layer** (ceramic, mixed conductor, cathode, inert) the front goes on as
  its :class:`~cellsim.shortcircuit.mechanisms.MiddleLayerPath` says: an interphase grows
  from the contact (parabolic or linear, in both half cycles: reduction is chemical),
  an electronic conductor is crossed at once (``intrinsic``), and any ceramic with a
  fracture toughness cracks through when the deposition overpotential at the contact,
  ``focusing |J| R_contact``, exceeds the Griffith/Porz limit
  ``Omega_Li K_IC / (F Y sqrt(pi a))``; a passivating layer without one blocks. (A
  reducible ceramic can therefore crack as well as be reduced, so a Li-stable one with the
  same toughness is never worse);
* once the two fronts meet (or one reaches the other electrode) an **electronic path**
  spans the cell: its area-specific resistance is the sum over the spanned layers of
  ``L / sigma_path`` (0 for Li metal in the polymer and in cracks) divided by the contact
  fraction. In parallel with the ionic path (``ASR_ion = V / J`` from the solver) it
  carries the share ``ASR_ion / (ASR_ion + R_path)`` of the current: a **soft short**
  above ``soft_share``, a **hard short** above ``hard_share``, no short below (the path
  is reported as a leak). The voltage after the short is ``V_ion R_path / (ASR_ion +
  R_path)``, as a measured trace shows it.

Feedback on the solver (:func:`_half_cycle`, :func:`_feed_back`): while a front is inside
a layer the half cycle runs sample by sample and, before each sample,

* a dendrite of depth ``x`` in a polymer layer is the new electrode (Brissot et al. 1999;
  Chazalviel 1990): Li deposits and dissolves at the front, and the electrolyte behind it
  carries no current. The solver keeps the layer's part ahead of the front
  (``TransportProblem.set_fronts``; the anions of the swept volume stay in the layer,
  :mod:`cellsim.transport.fronts`), so the ohmic drop, the concentration overpotential and
  the kinetics are those of the thinner layer. A layer a front has crossed gets its
  thickness back (its tips touch the next layer and the polymer is in parallel with them,
  :func:`~cellsim.shortcircuit.fracture.tip_contact_resistance`);
* the stack's electronic leakage is the series resistance of what the fronts left
  (``TransportProblem.set_leakage``): the unreacted part of a Li-unstable ceramic and its
  growing interphase ``rho (L - x) + rho_int x`` (:mod:`cellsim.shortcircuit.interphase`),
  the polymer ahead of a dendrite, nothing for Li metal.

A half cycle in which no front is inside a layer runs in one piece (and again sample by
sample when a front appears during it), so cells without fronts give the results of the
solver alone.

Approximations (documented, not hidden): nucleation is read at the layer face (the
front, once there is one), not at a tip inside the layer; the front moves between samples
(half cycle / ``samples_per_half``), so the face at a newly nucleated front stays below the
depletion threshold for a transient of a few Sand times before the swept salt and the
shorter domain lift it; a cell whose |V| exceeds ``voltage_limit``
has "failed to cycle" (the "hardly initiated" bare LATP cell of Fig. S21a) — reported as
mechanism ``polarization``, not as a short.

Parameters that no measurement fixes (enhancement, dead fraction, flaw size, focusing,
contact fraction) live in ``parameters/shortcircuit.toml`` with their status
(estimate / calibrated) and source.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from .contact import pressed_layers, void_critical_current
from .interphase import leak_conductance
from .margins import mechanism_margins
from .tracker import LEAK_RTOL, _Layers, _no_short_text, _Tracker

__all__ = ["StepUpProtocol", "ShortCircuitParameters", "CCDResult", "Calibration", "run_ccd", "run_ccd_batch",
           "calibrate",
           "load_parameters", "ccd_solver_options"]

MAH_CM2 = 36000.0  # C/m2 per mAh/cm2
MA_CM2 = 10.0  # A/m2 per mA/cm2


@dataclass(frozen=True)
class StepUpProtocol:
    """A step-up plating/stripping protocol (Figs. S19, S20).

    Step k applies ``J_k = start + k increment`` (k = 0, 1, ... while J_k <= stop): Li is
    plated on the right electrode (+J_k) for one half cycle, then stripped (-J_k) for one.
    The half cycle lasts ``step_time`` [s] or ``step_capacity / J_k`` [s] (capacity in
    C/m2). An optional ``rest`` [s] follows each half cycle.
    """

    start: float
    increment: float
    stop: float
    step_time: float | None = None
    step_capacity: float | None = None
    rest: float = 0.0

    def __post_init__(self):
        for name in ("start", "stop"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise InputError(f"protocol.{name}", v, "a current density > 0 A/m2")
        if not (isinstance(self.increment, (int, float)) and math.isfinite(self.increment) and self.increment >= 0):
            raise InputError("protocol.increment", self.increment, "a current density >= 0 A/m2")
        if self.stop < self.start:
            raise InputError("protocol.stop", self.stop, f">= start = {self.start:g} A/m2")
        if (self.step_time is None) == (self.step_capacity is None):
            raise InputError("protocol", "step_time and step_capacity", "exactly one of step_time or step_capacity")
        for name in ("step_time", "step_capacity"):
            v = getattr(self, name)
            if v is not None and not (math.isfinite(v) and v > 0):
                raise InputError(f"protocol.{name}", v, "> 0")
        if not (math.isfinite(self.rest) and self.rest >= 0):
            raise InputError("protocol.rest", self.rest, ">= 0 s")
        if self.increment == 0 and self.stop > self.start:
            raise InputError("protocol.increment", 0, "> 0 when stop > start")

    @classmethod
    def parse(cls, *, start: str, increment: str, stop: str, step_time: str | None = None,
              step_capacity: str | None = None, rest: str | None = None) -> "StepUpProtocol":
        """From lab-unit strings: ``start="0.1 mA/cm2"``, ``step_time="0.5 h"`` or
        ``step_capacity="0.5 mAh/cm2"``."""
        from ..units import parse_quantity

        return cls(start=parse_quantity(start, "current_density", "--start"),
                   increment=parse_quantity(increment, "current_density", "--increment"),
                   stop=parse_quantity(stop, "current_density", "--stop"),
                   step_time=None if step_time is None else parse_quantity(step_time, "time", "--step-time"),
                   step_capacity=None if step_capacity is None else
                   parse_quantity(step_capacity, "charge_density", "--step-capacity"),
                   rest=0.0 if rest is None else parse_quantity(rest, "time", "--rest"))

    def levels(self) -> np.ndarray:
        """The current densities J_k [A/m2]."""
        if self.increment == 0:
            return np.array([self.start])
        n = int(math.floor((self.stop - self.start) / self.increment * (1 + 1e-12) + 1e-9)) + 1
        return self.start + self.increment * np.arange(n)

    def half_time(self, j: float) -> float:
        """Duration of a half cycle at |J| = j [s]."""
        return self.step_time if self.step_time is not None else self.step_capacity / j

    def describe(self) -> str:
        per = (f"{self.step_time / 3600:g} h" if self.step_time is not None
               else f"{self.step_capacity / MAH_CM2:g} mAh/cm2")
        return (f"step-up from {self.start / MA_CM2:g} mA/cm2 in {self.increment / MA_CM2:g} mA/cm2 steps to "
                f"{self.stop / MA_CM2:g} mA/cm2, {per} per half cycle")


#: name -> (SI default, unit text, allowed, dimension for TOML parsing)
_PARAMS = {
    "enhancement": (1.0, "", "> 0", "dimensionless"),
    "dead_fraction": (0.3, "", "in [0, 1]", "dimensionless"),
    "nucleation_threshold": (1e-3, "", "in (0, 1)", "dimensionless"),
    "flaw_size": (1e-6, "m", "> 0 m", "length"),
    "flaw_weibull_modulus": (10.0, "", "> 0", "dimensionless"),
    "focusing": (1.0, "", ">= 1", "dimensionless"),
    "contact_resistance": (5e-4, "ohm m2", "> 0 ohm m2", "area_resistance"),
    "contact_activation_energy": (0.35 * 96485.33212, "J/mol", ">= 0 J/mol", "molar_energy"),
    "contact_fraction": (1.0, "", "in (0, 1]", "dimensionless"),
    "li_hardness": (2.4e6, "Pa", "> 0 Pa", "pressure"),
    "contact_floor": (0.05, "", "in (0, 1]", "dimensionless"),
    "void_pressure_exponent": (1.0, "", "> 0", "dimensionless"),
    "creep_activation_energy": (37e3, "J/mol", ">= 0 J/mol", "molar_energy"),
    "void_reference_current": (1.0, "A/m2", ">= 0 A/m2", "current_density"),
    "li_self_diffusivity": (5e-15, "m2/s", ">= 0 m2/s", "diffusivity"),
    "li_diffusion_activation_energy": (55e3, "J/mol", ">= 0 J/mol", "molar_energy"),
    "void_spacing": (5e-6, "m", "> 0 m", "length"),
    "asperity_height": (1e-6, "m", "> 0 m", "length"),
    "filament_fraction": (1e-2, "", "in (0, 1]", "dimensionless"),
    "tip_contact_fraction": (0.1, "", "in (0, 1]", "dimensionless"),
    "soft_share": (0.1, "", "in (0, 1)", "dimensionless"),
    "hard_share": (0.9, "", "in (soft_share, 1)", "dimensionless"),
    "voltage_limit": (5.0, "V", "> 0 V", "voltage"),
}


@dataclass(frozen=True)
class ShortCircuitParameters:
    """Parameters of the short-circuit model that no measurement in the seed fixes.

    Attributes
    ----------
    enhancement : float
        beta, dendrite velocity / anion drift velocity.
    dead_fraction : float
        f_dead, fraction of a front's stripped length left behind as dead Li.
    nucleation_threshold : float
        c/c0 at the plating face below which a dendrite nucleates (Sand).
    flaw_size : float
        Largest surface flaw a_ref of a ceramic on 1 cm2 [m]
        (:func:`~cellsim.shortcircuit.fracture.largest_flaw`).
    flaw_weibull_modulus : float
        Weibull modulus m of the flaw population: the largest flaw grows as ``A^(2/m)``.
    focusing : float
        Geometric current-focusing factor at a dendrite tip touching a ceramic (>= 1).
    contact_resistance : float
        Charge-transfer ASR of Li deposition at a dendrite tip touching a ceramic at 22 degC
        [ohm m2] (a bare cell uses its Li|ceramic interface instead); the overpotential that
        presses Li into a flaw is ``focusing |J| R_c(T) / a``.
    contact_activation_energy : float
        Activation energy of Li|ceramic charge transfer [J/mol] (R_c Arrhenius).
    contact_fraction : float
        Area fraction of the electronic bridge once it spans the cell.
    li_hardness, contact_floor : float
        Li indentation hardness [Pa] and the contact fraction kept without pressure
        (:func:`~cellsim.shortcircuit.contact.contact_fraction`).
    void_pressure_exponent, creep_activation_energy, void_reference_current : float
        How the creep-supplied stripping current grows with stack pressure (``p^n``), its
        activation energy [J/mol], and its value at 1 MPa and 22 degC [A/m2]
        (:func:`~cellsim.shortcircuit.contact.void_critical_current`).
    li_self_diffusivity, li_diffusion_activation_energy, void_spacing : float
        Li self-diffusion at 22 degC [m2/s], its activation energy [J/mol] and the void
        spacing over which it resupplies [m].
    asperity_height : float
        Stripped-but-not-resupplied thickness over which contact falls by 1/e [m].
    filament_fraction : float
        Cross-section fraction phi of a Li filament in a crack
        (:func:`~cellsim.shortcircuit.fracture.filament_velocity`).
    tip_contact_fraction : float
        Area fraction phi_t a dendrite tip's contact with a ceramic covers
        (:func:`~cellsim.shortcircuit.fracture.tip_contact_resistance`).
    soft_share, hard_share : float
        Share of the current carried electronically that makes a soft / hard short.
    voltage_limit : float
        |V| above which the cell has failed to cycle [V].
    sources : dict
        name -> source text and status.
    """

    enhancement: float = 1.0
    dead_fraction: float = 0.3
    nucleation_threshold: float = 1e-3
    flaw_size: float = 1e-6
    flaw_weibull_modulus: float = 10.0
    focusing: float = 1.0
    contact_resistance: float = 5e-4
    contact_activation_energy: float = 0.35 * 96485.33212
    contact_fraction: float = 1.0
    li_hardness: float = 2.4e6
    contact_floor: float = 0.05
    void_pressure_exponent: float = 1.0
    creep_activation_energy: float = 37e3
    void_reference_current: float = 1.0
    li_self_diffusivity: float = 5e-15
    li_diffusion_activation_energy: float = 55e3
    void_spacing: float = 5e-6
    asperity_height: float = 1e-6
    filament_fraction: float = 1e-2
    tip_contact_fraction: float = 0.1
    soft_share: float = 0.1
    hard_share: float = 0.9
    voltage_limit: float = 5.0
    sources: dict = field(default_factory=dict)

    def __post_init__(self):
        def chk(name, ok):
            if not ok:
                raise InputError(f"shortcircuit.{name}", getattr(self, name), _PARAMS[name][2])
        for name in _PARAMS:
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)):
                raise InputError(f"shortcircuit.{name}", v, "a finite number")
        chk("enhancement", self.enhancement > 0)
        chk("dead_fraction", 0 <= self.dead_fraction <= 1)
        chk("nucleation_threshold", 0 < self.nucleation_threshold < 1)
        chk("flaw_size", self.flaw_size > 0)
        chk("focusing", self.focusing >= 1)
        chk("contact_resistance", self.contact_resistance > 0)
        chk("contact_fraction", 0 < self.contact_fraction <= 1)
        chk("flaw_weibull_modulus", self.flaw_weibull_modulus > 0)
        chk("contact_activation_energy", self.contact_activation_energy >= 0)
        chk("li_hardness", self.li_hardness > 0)
        chk("contact_floor", 0 < self.contact_floor <= 1)
        chk("void_pressure_exponent", self.void_pressure_exponent > 0)
        chk("creep_activation_energy", self.creep_activation_energy >= 0)
        chk("void_reference_current", self.void_reference_current >= 0)
        chk("li_self_diffusivity", self.li_self_diffusivity >= 0)
        chk("li_diffusion_activation_energy", self.li_diffusion_activation_energy >= 0)
        chk("void_spacing", self.void_spacing > 0)
        chk("asperity_height", self.asperity_height > 0)
        chk("filament_fraction", 0 < self.filament_fraction <= 1)
        chk("tip_contact_fraction", 0 < self.tip_contact_fraction <= 1)
        chk("soft_share", 0 < self.soft_share < 1)
        chk("hard_share", self.soft_share < self.hard_share < 1)
        chk("voltage_limit", self.voltage_limit > 0)

    def stripping_limit(self, pressure: float, temperature: float, material=None) -> float:
        """Critical stripping current of a Li foil pressed on a ceramic at ``pressure`` [Pa] and
        ``temperature`` [K], with these parameters [A/m2]
        (:func:`~cellsim.shortcircuit.contact.void_critical_current`).

        ``material``: the ceramic (:class:`~cellsim.materials.Material`); its own
        ``li_void_reference_current`` and ``li_void_spacing``, where it has them, replace this
        file's ``void_reference_current`` and ``void_spacing`` (:meth:`void_terms`).
        """
        j_ref, spacing = self.void_terms(material)
        return void_critical_current(pressure, temperature, j_ref, self.void_pressure_exponent,
                                     self.creep_activation_energy, self.li_self_diffusivity,
                                     self.li_diffusion_activation_energy, spacing)

    def void_terms(self, material=None) -> tuple[float, float]:
        """``(J_ref [A/m2], void spacing [m])`` of the stripping limit at a Li foil pressed on
        ``material``: the material's ``li_void_reference_current`` / ``li_void_spacing`` where it
        defines them (an interface calibrated on its own data), else this file's values (the
        Li | LLZO calibration)."""
        if material is None:
            return self.void_reference_current, self.void_spacing
        return (material.get("li_void_reference_current", default=self.void_reference_current),
                material.get("li_void_spacing", default=self.void_spacing))

    def pressed_stripping_limit(self, stack) -> float:
        """Stripping limit [A/m2] of the electrode contacts of ``stack`` that are a Li foil pressed
        on a ceramic (first or last layer not a polymer), at the stack's pressure and temperature:
        the lowest of them (one limit per cell in the time simulation); this file's value when
        no electrode touches a ceramic (no void can open there)."""
        T, p = stack.temperature, stack.pressure
        pressed = pressed_layers(stack)
        if not pressed:
            return self.stripping_limit(p, T)
        return min(self.stripping_limit(p, T, stack.layers[i].material) for i in pressed)

    def with_values(self, **values) -> "ShortCircuitParameters":
        """A copy with some values replaced (their source becomes 'set by the user')."""
        for k in values:
            if k not in _PARAMS:
                raise InputError("shortcircuit parameter", k, "one of " + ", ".join(_PARAMS))
        src = dict(self.sources)
        src.update({k: "set by the user [assumed]" for k in values})
        return replace(self, sources=src, **values)


def load_parameters(path=None) -> ShortCircuitParameters:
    """The shipped short-circuit parameters (``parameters/shortcircuit.toml``) or a file's.

    The file is read, checked (values and ranges) and parsed once per version (path and
    modification time); every call returns a new :class:`ShortCircuitParameters`.
    """
    from ..paths import data_dir

    p = Path(data_dir("parameters") / "shortcircuit.toml" if path is None else path)
    try:
        stamp = p.stat().st_mtime_ns
    except OSError:
        stamp = None   # read_toml reports the missing or unreadable file
    values, sources = _parse_parameter_file(str(p), stamp)
    return ShortCircuitParameters(sources=dict(sources), **values)


@functools.lru_cache(maxsize=8)
def _parse_parameter_file(path: str, stamp) -> tuple[dict, dict]:
    """``(values [SI], sources)`` of a short-circuit parameter file (cached per version)."""
    from ..paths import read_toml
    from ..uncertainty.ranges import parse_entry_range
    from ..units import parse_quantity

    data = read_toml(Path(path))
    table = data.get("shortcircuit", {})
    if not isinstance(table, dict):
        raise InputError(f"{path}: [shortcircuit]", table, "a table of parameters")
    values, sources = {}, {}
    for name, raw in table.items():
        if name not in _PARAMS:
            raise InputError(f"{path}: shortcircuit.{name}", raw, "one of " + ", ".join(_PARAMS))
        if not isinstance(raw, dict) or "value" not in raw or "source" not in raw:
            raise InputError(f"{path}: shortcircuit.{name}", raw, "{ value = ..., source = ..., status = ... }")
        parse_entry_range(raw, f"shortcircuit.{name}", path)   # ranges validated at load (file, line, field)
        dim = _PARAMS[name][3]
        v = raw["value"]
        values[name] = float(v) if dim == "dimensionless" and isinstance(v, (int, float)) else \
            parse_quantity(v, dim, f"{path}: shortcircuit.{name}")
        sources[name] = f"{raw['source']} [{raw.get('status', 'estimate')}]"
    return values, sources


# --------------------------------------------------------------------------- result
@dataclass
class CCDResult:
    """Outcome of a simulated step-up test.

    Attributes
    ----------
    ccd : float or None
        Current density of the step in which the cell shorted or failed [A/m2]; None when
        it survived the whole protocol.
    survived : float or None
        Highest current density whose plating and stripping half cycles both completed [A/m2].
    short_time : float or None
        When [s].
    kind : str or None
        ``hard``, ``soft`` or ``polarization`` (|V| above the limit).
    mechanism : str
        How the path formed, layer by layer, or why nothing shorted.
    time, voltage, current_density : ndarray
        The simulated trace, with the short's effect on the voltage [s, V, A/m2].
    front_left, front_right : ndarray, (n_t, n_layers)
        Depth each front has reached in each layer [m] (dendrite length, interphase
        thickness, or the full layer once spanned).
    electronic_share : float or None
        Share of the current the completed electronic path carries.
    path_asr : float or None
        Its area-specific resistance [ohm m2].
    events : list of dict
        Nucleations, crack initiations, voids, layer crossings, the short.
    parameters : ShortCircuitParameters
    protocol : StepUpProtocol
    temperature, pressure : float
        Conditions of the run [K, Pa].
    margins : dict
        Mechanism -> the protocol level at which it alone would trigger [A/m2] or None
        (:mod:`cellsim.shortcircuit.margins`).
    onsets : dict
        Mechanism -> its continuous threshold [A/m2] where one exists.
    notes : list of str
        Explanations in words (protocol cannot discriminate, middle layer matters or not).
    details : dict
        Intermediate numbers of the margins (largest flaw, contact fraction, J_void, ...).
    depends_on_middle_layer : bool or None
        Whether the result changes when the middle layer conducts electrons from the start.
    ccd_transparent_middle : float or None
        The CCD of that counterfactual run [A/m2].
    engine : dict
        How the run was computed: ``{"engine": "compiled", "solver_runs": ...,
        "sampled_half_cycles": ...}`` (one numba call; the solver runs and the half cycles run
        sample by sample with the fronts fed back) or ``{"engine": "python"}`` (the reference
        driver, or the compiled engine's fallback: :func:`~cellsim.shortcircuit.compiled.simulate_compiled`).
    """

    ccd: float | None
    survived: float | None
    short_time: float | None
    kind: str | None
    mechanism: str
    time: np.ndarray
    voltage: np.ndarray
    current_density: np.ndarray
    front_left: np.ndarray
    front_right: np.ndarray
    layer_names: list
    electronic_share: float | None
    path_asr: float | None
    events: list
    parameters: ShortCircuitParameters
    protocol: StepUpProtocol
    temperature: float = math.nan
    pressure: float = math.nan
    margins: dict = field(default_factory=dict)
    onsets: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    details: dict = field(default_factory=dict)
    depends_on_middle_layer: bool | None = None
    ccd_transparent_middle: float | None = None
    engine: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of SPEC §3 (``cellsim ccd --json``)."""
        return {"ccd_A_m2": self.ccd, "survived_A_m2": self.survived, "short_time_s": self.short_time,
                "kind": self.kind, "mechanism": self.mechanism, "electronic_share": self.electronic_share,
                "path_asr_ohm_m2": self.path_asr, "protocol": self.protocol.describe(),
                "temperature_K": self.temperature, "pressure_Pa": self.pressure,
                "margins": dict(self.margins), "onsets_A_m2": dict(self.onsets),
                "depends_on_middle_layer": self.depends_on_middle_layer,
                "ccd_transparent_middle_A_m2": self.ccd_transparent_middle,
                "notes": list(self.notes), "details": dict(self.details),
                "events": self.events,
                "parameters": {k: getattr(self.parameters, k) for k in _PARAMS},
                "parameter_sources": dict(self.parameters.sources)}


# --------------------------------------------------------------------------- driver
def run_ccd(stack, protocol: StepUpProtocol, parameters: ShortCircuitParameters | None = None,
            options=None, samples_per_half: int = 16, explain: bool = True, engine: str = "compiled") -> CCDResult:
    """Simulate a step-up test and find its critical current density.

    Parameters
    ----------
    stack : Stack
        The cell, at its temperature [K] and stack pressure [Pa] (``Stack.with_conditions``).
    protocol : StepUpProtocol
    parameters : ShortCircuitParameters, optional
        Default: the shipped ``parameters/shortcircuit.toml``.
    options : cellsim.transport.SolverOptions, optional
        Solver options (default :func:`ccd_solver_options`; ``on_depletion`` is always
        ``continue`` here).
    samples_per_half : int
        Output samples per half cycle (the fronts are advanced between samples).
    explain : bool
        Also compute each mechanism's margin (:func:`~cellsim.shortcircuit.margins.mechanism_margins`)
        and whether the outcome depends on the middle layer (a second run in which every
        non-polymer layer is transparent to electrons; skipped for stacks without a polymer
        layer, whose short can only form through the middle layer). With the compiled engine
        that second run goes on a thread of its own while the first runs, when the process may
        use another core (:func:`cellsim.threads.run_beside`: not in a sweep worker).
    engine : str
        ``compiled``: the whole protocol, the fronts' feedback on the solver included, in one
        numba call per run (:mod:`cellsim.shortcircuit.compiled`; stacks on the solver's exact
        eigenmode path fall back to Python, ``CCDResult.engine`` says which ran); ``python``: the
        reference driver (:func:`_simulate` with ``_Tracker``). Both give the same result
        (tests/shortcircuit/test_compiled.py).

    Returns
    -------
    CCDResult
    """
    if not isinstance(protocol, StepUpProtocol):
        raise InputError("protocol", protocol, "a StepUpProtocol")
    prm = parameters if parameters is not None else load_parameters()
    if not (isinstance(samples_per_half, int) and samples_per_half >= 4):
        raise InputError("samples_per_half", samples_per_half, "an integer >= 4")
    if engine not in ("compiled", "python"):
        raise InputError("engine", engine, "'compiled' or 'python'")
    alt = None
    if explain and engine == "compiled" and _needs_counterfactual(stack):
        from ..threads import run_beside

        # the counterfactual run on a second core while this one runs (None: no core free)
        alt = run_beside(_run_engine, engine, stack, protocol, prm, options, samples_per_half, True)
    res = _run_engine(engine, stack, protocol, prm, options, samples_per_half, transparent_middle=False)
    if explain:
        _explain(res, stack, protocol, prm, options, samples_per_half, engine, alt)
    return res


def run_ccd_batch(stacks, protocol: StepUpProtocol, parameters=None, options=None, samples_per_half: int = 16,
                  threads: int | None = None) -> list:
    """The CCD of many cells under one protocol (``run_ccd(..., explain=False)`` of each).

    The compiled runs release the GIL and go on ``threads`` threads (default: one per core,
    one in a sweep worker; :func:`cellsim.threads.batch_threads`). Used by the CCD of
    uncertainty studies; the results equal those of single calls.

    Parameters
    ----------
    stacks : sequence of Stack
    protocol : StepUpProtocol
    parameters : ShortCircuitParameters or sequence of them, optional
        One for all cells or one per cell (default: the shipped file).
    options, samples_per_half
        As in :func:`run_ccd`.
    threads : int, optional

    Returns
    -------
    list
        Per cell its :class:`CCDResult`, or the :class:`~cellsim.errors.CellsimError` raised
        for it (one bad cell does not stop the others).
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..errors import CellsimError
    from ..threads import batch_threads

    if not isinstance(protocol, StepUpProtocol):
        raise InputError("protocol", protocol, "a StepUpProtocol")
    if not (isinstance(samples_per_half, int) and samples_per_half >= 4):
        raise InputError("samples_per_half", samples_per_half, "an integer >= 4")
    if threads is not None and not (isinstance(threads, int) and threads >= 1):
        raise InputError("threads", threads, "an integer >= 1")
    stacks = list(stacks)
    prm = parameters if parameters is not None else load_parameters()
    prms = list(prm) if isinstance(prm, (list, tuple)) else [prm] * len(stacks)

    def one(k):
        try:
            return _run_engine("compiled", stacks[k], protocol, prms[k], options, samples_per_half, False)
        except CellsimError as exc:
            return exc

    workers = threads if threads is not None else batch_threads(len(stacks))
    if workers <= 1 or len(stacks) <= 1:
        return [one(k) for k in range(len(stacks))]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, range(len(stacks))))


def warm_up_engine() -> float:
    """Load (or compile) the compiled engine with the argument types of a real run: one level of
    a shipped sandwich for one minute. Returns the seconds it took (a few ms from the numba cache)."""
    import time

    from ..models import load_model

    t0 = time.perf_counter()
    p = StepUpProtocol(start=1.0, increment=0.0, stop=1.0, step_time=60.0)
    _run_engine("compiled", load_model("li-uvea-latp-uvea-li"), p, load_parameters(), None, 4, False)
    return time.perf_counter() - t0


def _run_engine(engine, stack, protocol, prm, options, samples_per_half, transparent_middle: bool) -> "CCDResult":
    """One time simulation by the compiled engine (when it applies) or the Python reference."""
    if engine == "compiled":
        from .compiled import simulate_compiled

        opt = replace(options or ccd_solver_options(), on_depletion="continue",
                      depletion_threshold=prm.nucleation_threshold)
        fields = simulate_compiled(stack, protocol, prm, opt, samples_per_half, transparent_middle)
        if fields is not None:
            kernel = fields.pop("kernel")
            return CCDResult(**fields, engine={"engine": "compiled", "solver_runs": kernel["runs"],
                                               "sampled_half_cycles": kernel["sampled"]})
    res = _simulate(stack, protocol, prm, options, samples_per_half, transparent_middle)
    res.engine = {"engine": "python"}
    return res


def _needs_counterfactual(stack) -> bool:
    """Does ``depends_on_middle_layer`` need the transparent-middle run? Only with both a polymer
    and a non-polymer layer: without a middle layer the outcome cannot depend on it, without a
    polymer the short can only form through it."""
    kinds = [l.kind == "polymer" for l in stack.layers]
    return any(kinds) and not all(kinds)


def _explain(res: "CCDResult", stack, protocol, prm, options, samples_per_half, engine="compiled", running=None):
    """Fill in margins, notes and ``depends_on_middle_layer`` of a result (``running``: the
    transparent-middle run already started on another thread, :func:`cellsim.threads.run_beside`)."""
    m = mechanism_margins(stack, protocol, prm)
    res.margins, res.onsets, res.notes, res.details = m.margins, m.onset, list(m.notes), m.details
    if not _needs_counterfactual(stack):
        res.depends_on_middle_layer = not any(l.kind == "polymer" for l in stack.layers)
        return
    if running is not None:
        alt = running.result()
    else:
        alt = _run_engine(engine, stack, protocol, prm, options, samples_per_half, transparent_middle=True)
    res.ccd_transparent_middle = alt.ccd
    res.depends_on_middle_layer = not (alt.ccd == res.ccd and alt.kind == res.kind)
    if not res.depends_on_middle_layer:
        res.notes.append("the outcome does not depend on the middle layer: with a middle layer that conducted "
                         "electrons from the start the result is the same (" + _ccd_text(alt.ccd) + "); the "
                         "polymer layers decide it under this protocol")
    else:
        res.notes.append("the outcome depends on the middle layer: with a middle layer that conducted electrons "
                         "from the start it would be " + _ccd_text(alt.ccd))


def _ccd_text(ccd):
    return "no short within the protocol" if ccd is None else f"CCD {ccd / MA_CM2:g} mA/cm2"


def _simulate(stack, protocol, prm, options, samples_per_half, transparent_middle: bool) -> "CCDResult":
    """The time simulation of :func:`run_ccd` (no margins): the Python reference engine."""
    from ..transport import TransportProblem

    opt = replace(options or ccd_solver_options(), on_depletion="continue",
                  depletion_threshold=prm.nucleation_threshold)
    layers = _Layers(stack, prm, transparent_middle=transparent_middle)
    problem, tr = TransportProblem(stack, opt), _Tracker(stack, prm, layers)
    state, t_off, survived = None, 0.0, None
    times, volts, currents, dls, drs = [], [], [], [], []
    result_kind = None
    short_time = None
    ccd = None
    share = None
    path_asr = None
    mechanism = ""
    leak_done = False
    r_e = stack.electronic_resistance()
    r_stack = r_e * stack.area if math.isfinite(r_e) else math.inf
    for jk in protocol.levels():
        half = protocol.half_time(jk)
        level_ok = True
        for sign in (1.0, -1.0):
            text = f"{'Plate' if sign > 0 else 'Strip'} at {jk / MA_CM2:g} mA/cm2"
            run = _half_cycle(problem, tr, sign * jk, half, protocol.rest, samples_per_half, state, t_off, text)
            state, met_at, dl, dr = run.state, run.met_at, run.dl, run.dr
            t, v, jj = run.t, run.v.copy(), run.j_ext
            cut = None
            over = np.flatnonzero(np.abs(v) > prm.voltage_limit)
            if over.size and (met_at is None or over[0] <= met_at):
                cut = int(over[0])
                result_kind = "polarization"
                short_time = float(t[cut])
                mechanism = (f"|V| = {abs(v[cut]):.3g} V exceeds the {prm.voltage_limit:g} V limit at "
                             f"{jk / MA_CM2:g} mA/cm2: the cell fails to cycle (polarization, not a short)")
            elif met_at is not None and not leak_done:
                spans, r_path = tr.path()
                path_asr = r_path
                v_new, share = _with_path(v[met_at:], run.j_ion[met_at:], jj[met_at:], r_path, r_stack)
                desc = "; ".join(f"{layers.names[i]}: {spans[i]}" for i in sorted(spans))
                if share >= prm.soft_share:
                    cut = met_at
                    result_kind = "hard" if share >= prm.hard_share else "soft"
                    short_time = tr.met_time if tr.met_time is not None else float(t[met_at])
                    mechanism = (f"{result_kind} short: electronic path through {desc} carries "
                                 f"{100 * share:.3g} % of the current (path ASR {r_path * 1e4:.4g} ohm cm2)")
                    v[met_at:] = v_new
                    tr.events.append({"kind": f"{result_kind}_short", "time_s": short_time,
                                      "current_density_A_m2": float(jk), "electronic_share": share})
                else:
                    leak_done = True
                    t_met = tr.met_time if tr.met_time is not None else float(t[met_at])
                    mechanism = (f"electronic path through {desc} formed at {t_met:.6g} s but carries only "
                                 f"{100 * share:.3g} % of the current (path ASR {r_path * 1e4:.4g} ohm cm2): a leak, "
                                 "not a short")
                    tr.events.append({"kind": "leak_path", "time_s": t_met, "electronic_share": share})
            keep = slice(None) if not times else slice(1, None)
            times.append(t[keep])
            volts.append(v[keep])
            currents.append(jj[keep])
            dls.append(dl[keep])
            drs.append(dr[keep])
            t_off = float(t[-1])
            if cut is not None:
                ccd = float(jk)
                level_ok = False
                break
        if not level_ok:
            break
        survived = float(jk)
    if ccd is None and not mechanism:
        mechanism = _no_short_text(tr, layers)
    return CCDResult(ccd=ccd, survived=survived, short_time=short_time, kind=result_kind, mechanism=mechanism,
                     time=np.concatenate(times), voltage=np.concatenate(volts),
                     current_density=np.concatenate(currents), front_left=np.concatenate(dls),
                     front_right=np.concatenate(drs), layer_names=list(layers.names), electronic_share=share,
                     path_asr=path_asr, events=tr.events, parameters=prm, protocol=protocol,
                     temperature=stack.temperature, pressure=stack.pressure)


# --------------------------------------------------------------------------- feedback on the solver
@dataclass
class _HalfCycle:
    """A half cycle's samples: time [s], voltage [V], external and ionic current density [A/m2],
    front depths per layer [m], the sample at which the fronts met (or None) and the final state."""

    t: np.ndarray
    v: np.ndarray
    j_ext: np.ndarray
    j_ion: np.ndarray
    dl: np.ndarray
    dr: np.ndarray
    met_at: int | None
    state: tuple


def _feed_back(problem, tr: _Tracker, state):
    """Give the transport problem the fronts as they are: dendrites shorten the polymer layers
    (``TransportProblem.set_fronts``) and the stack's electronic leakage becomes the series
    resistance of what the fronts left (:meth:`_Tracker.leak_asr`). Returns the state on the new
    grids and what changed (the compiled ``_kernels._feed_back``): 0 nothing, 1 the leak, 2 a
    polymer layer (the leak may have changed too)."""
    g0 = problem.g_e
    if tr.met():    # a spanning path: the short (or leak) is applied to the trace by _with_path
        pass
    elif tr.touched():
        g = leak_conductance(tr.leak_asr())
        if math.isfinite(g):   # (0 ohm: the fronts meet in this sample; the tracker reports it)
            problem.set_leakage(g)
    else:
        problem.set_leakage(None)
    leak = 1 if problem.g_e != g0 else 0
    if state is None:   # the rest state before the first half cycle: no front yet
        return state, leak
    left, right = tr.polymer_fronts(problem.poly_index)
    if np.array_equal(problem.fronts, [left, right]):
        return state, leak
    return problem.set_fronts(left, right, state), 2


def _half_cycle(problem, tr: _Tracker, j, half, rest, samples, state, t_off, text) -> _HalfCycle:
    """One half cycle at ``j`` [A/m2] (and its rest) with the fronts fed back to the solver.

    While no front is inside a layer (and growing interphases move the leakage by less than
    ``LEAK_RTOL``) the transport problem stays what it is for the whole half cycle, which then
    runs in one piece. Otherwise (or when a dendrite nucleates, a filament or an interphase starts
    during it: the half cycle is then run again from its start) it runs sample by sample, the
    problem updated from the fronts before each sample (:func:`_feed_back`); the solver carries
    its step size and face-value history from one sample to the next of the same current
    (``TransportProblem.run(memory=)``), the first step of each sample error-controlled
    against that history, unless the fronts regridded a layer in between or a new leak meets
    charged double layers.
    """
    from ..transport.protocol import Protocol, Step

    dt = half / samples
    pieces = [(j, half, text)] + ([(0.0, rest, "Rest")] if rest > 0 else [])
    state, _ = _feed_back(problem, tr, state)
    if not tr.feedback_active(t_off, half + rest):
        snap = tr.snapshot()
        steps = [Step("current", jp, duration=d, text=tx) for jp, d, tx in pieces]
        sol = problem.run(Protocol(steps), output_dt=dt, state=state)
        met_at, dl, dr = tr.process(sol, t_off)
        g_end = leak_conductance(tr.leak_asr()) if tr.touched() and not tr.met() else problem.g_e
        if not tr.feedback_active(t_off, 0.0) and abs(g_end - problem.g_e) <= LEAK_RTOL * max(g_end, problem.g_e):
            return _HalfCycle(sol.time + t_off, sol.voltage, sol.current_density, sol.ionic_current_density,
                              dl, dr, met_at, sol.final_state)
        tr.restore(snap)
    parts = {k: [] for k in ("t", "v", "j_ext", "j_ion", "dl", "dr")}
    met_at, n, t_loc = None, 0, t_off
    for jp, d, tx in pieces:
        m = max(1, int(round(d / dt)))
        memory = None  # the samples of a piece continue its current: the solver goes on with its step size
        for _ in range(m):
            state, changed = _feed_back(problem, tr, state)
            if changed == 2 or (changed == 1 and np.any(problem.Cdl > 0)):
                # a layer regridded (its face values moved), or a new leak on double layers (their
                # millisecond transient): the solver starts afresh. A new leak alone makes the face
                # values jump by their flux-slope term, which the kernel's error estimate allows for.
                memory = None
            sol = problem.run(Protocol([Step("current", jp, duration=d / m, text=tx)]), output_dt=d / m, state=state,
                              memory=memory)
            state, memory = sol.final_state, sol.step_memory
            jion = sol.ionic_current_density
            met, dl, dr = tr.process(sol, t_loc, first_current=jion[1] if jion.size > 1 else None)
            # the sample's end (and the half cycle's start): points the solver adds at depletion
            # events inside a sample are left out of the trace, as the tracker has read them
            keep = [0, -1] if n == 0 else [-1]
            for key, arr in (("t", sol.time + t_loc), ("v", sol.voltage), ("j_ext", sol.current_density),
                             ("j_ion", jion), ("dl", dl), ("dr", dr)):
                parts[key].append(arr[keep])
            n += len(keep)
            if met is not None and met_at is None:
                met_at = n - 1
            t_loc = float(sol.time[-1] + t_loc)
    cat = {k: np.concatenate(v) for k, v in parts.items()}
    return _HalfCycle(cat["t"], cat["v"], cat["j_ext"], cat["j_ion"], cat["dl"], cat["dr"], met_at, state)


def _with_path(v, j_ion, j_ext, r_path, r_stack):
    """Voltage with an electronic path of ASR ``r_path`` in parallel with the ionic one, and
    the share of the current it carries (at the first sample).

    The solver already carries the stack's bulk electronic leakage (ASR ``r_stack``); the
    electronic conductance after the path forms is ``g = max(1/r_path, 1/r_stack)``, and
    with the ionic branch linear at its present ASR (``V / J_ion``),
    ``V' = J / (1/ASR_ion + g)``, share ``= V' g / J``.
    """
    g = max(1.0 / r_path if r_path > 0 else math.inf, 1.0 / r_stack if r_stack > 0 else math.inf)
    with np.errstate(divide="ignore", invalid="ignore"):
        asr_ion = np.where(np.abs(j_ion) > 0, np.abs(v) / np.maximum(np.abs(j_ion), 1e-300), np.inf)
        if math.isinf(g):
            v_new = np.zeros_like(v)
        else:
            v_new = np.where(np.isfinite(asr_ion), j_ext / (1.0 / asr_ion + g), j_ext / g)
        jt = np.abs(j_ext)
        share_arr = np.where(jt > 0, np.abs(v_new) * (g if math.isfinite(g) else 0.0) / np.maximum(jt, 1e-300),
                             0.0)
    share = 1.0 if math.isinf(g) else float(share_arr[0]) if share_arr.size else 0.0
    return v_new, min(share, 1.0)


#: Solver options for step-up runs: 16 cells per polymer layer, rtol 1e-3, no double
#: layers (galvanostatic half cycles of minutes to hours; the double layers charge in
#: milliseconds). tests/shortcircuit/test_ccd.py checks that the CCD and crossing times do
#: not change against the solver's fine defaults.
def ccd_solver_options():
    """The transport options :func:`run_ccd` uses by default (see the comment above)."""
    from ..transport import SolverOptions

    return SolverOptions(n_cells=16, rtol=1e-3, atol=1e-4, double_layer=False, on_depletion="continue")


@dataclass(frozen=True)
class Calibration:
    """Result of :func:`calibrate`.

    Attributes
    ----------
    parameter : str
    value : float
        Calibrated value (SI), on the side of the bracket where the CCD equals the target.
    bracket : (float, float)
        Final bisection interval.
    ccd : float or None
        CCD simulated with ``value`` [A/m2].
    target : float
        The measured CCD [A/m2].
    evaluations : int
    """

    parameter: str
    value: float
    bracket: tuple
    ccd: float | None
    target: float
    evaluations: int

    def to_dict(self) -> dict:
        return {"parameter": self.parameter, "value": self.value, "bracket": list(self.bracket),
                "ccd_A_m2": self.ccd, "target_ccd_A_m2": self.target, "evaluations": self.evaluations}


def calibrate(stack, protocol: StepUpProtocol, parameter: str, target: float, low: float, high: float,
              parameters: ShortCircuitParameters | None = None, iterations: int = 24, options=None) -> Calibration:
    """Fit one short-circuit parameter so that the simulated CCD equals a measured one.

    The CCD is a step function of the parameter (it moves in protocol increments), assumed
    monotone between ``low`` and ``high``. Bisection in log space finds the boundary where
    the simulated CCD first reaches ``target``; the value returned lies on the side where
    it equals the target (within one increment).

    Parameters
    ----------
    stack, protocol
    parameter : str
        A name of :class:`ShortCircuitParameters` (e.g. ``contact_resistance``).
    target : float
        Measured CCD [A/m2] (a short observed in that step).
    low, high : float
        Bracket of the parameter (SI, > 0).
    """
    if parameter not in _PARAMS or parameter in ("soft_share", "hard_share"):
        raise InputError("--calibrate", parameter, "one of " + ", ".join(p for p in _PARAMS
                                                                         if p not in ("soft_share", "hard_share")))
    if not (math.isfinite(target) and target > 0):
        raise InputError("--target", target, "a CCD > 0 A/m2")
    if not (0 < low < high and math.isfinite(high)):
        raise InputError("--bounds", (low, high), "0 < low < high")
    base = parameters if parameters is not None else load_parameters()
    tol = max(protocol.increment, 1e-12) * 0.5
    big = protocol.stop + 10 * max(protocol.increment, protocol.start)

    def ccd_at(p):
        r = run_ccd(stack, protocol, base.with_values(**{parameter: p}), options=options)
        return r.ccd

    def above(c):  # CCD at or above the target (no short counts as above)
        return (big if c is None else c) >= target - tol

    c_lo, c_hi = ccd_at(low), ccd_at(high)
    n = 2
    a_lo, a_hi = above(c_lo), above(c_hi)
    if a_lo == a_hi:
        raise InputError(f"--calibrate {parameter}", (low, high),
                         f"a bracket over which the CCD crosses the target {target / MA_CM2:g} mA/cm2 (it is "
                         f"{'-' if c_lo is None else f'{c_lo / MA_CM2:g}'} and "
                         f"{'-' if c_hi is None else f'{c_hi / MA_CM2:g}'} mA/cm2 at the ends)")
    lo, hi = low, high
    c_at = {lo: c_lo, hi: c_hi}
    for _ in range(iterations):
        mid = math.sqrt(lo * hi)
        c = ccd_at(mid)
        n += 1
        c_at[mid] = c
        if above(c) == a_lo:
            lo = mid
        else:
            hi = mid
        if hi / lo < 1 + 1e-4:
            break
    # the side whose CCD is closest to the target
    best = min((lo, hi), key=lambda p: abs((big if c_at[p] is None else c_at[p]) - target))
    return Calibration(parameter, best, (lo, hi), c_at[best], target, n)

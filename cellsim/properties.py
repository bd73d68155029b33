"""The registry of material and interface properties: name, dimension, allowed range.

TOML files may write a property name with spaces or underscores ("ionic conductivity" or
"ionic_conductivity"); inside cellsim it is snake_case and its value is SI. Anything not in
this registry is rejected with the list of known names, so typos do not pass silently.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class PropertySpec:
    """How one property is parsed and checked.

    Attributes
    ----------
    dimension : str
        A key of :data:`cellsim.units.DIMENSIONS`.
    si_unit : str
        The SI unit the value is stored in (for display of raw values).
    low, high : float
        Allowed closed range (``-inf``/``inf`` for open ends).
    low_open, high_open : bool
        Whether the range excludes its end.
    description : str
        One line for ``cellsim materials --properties``.
    """

    dimension: str
    si_unit: str
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    description: str = ""

    def allowed(self) -> str:
        unit = "" if self.si_unit == "-" else f" {self.si_unit}"
        if math.isinf(self.high) and math.isinf(self.low):
            return "a finite value"
        if math.isinf(self.high):
            return f"{'>' if self.low_open else '>='} {self.low:g}{unit}"
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        return f"a value in {lo}{self.low:g}, {self.high:g}{hi}{unit}"

    def check(self, value: float) -> bool:
        if not math.isfinite(value):
            return False
        if value < self.low or (self.low_open and value == self.low):
            return False
        if value > self.high or (self.high_open and value == self.high):
            return False
        return True


def _p(dimension, si_unit, low=-math.inf, high=math.inf, low_open=False, high_open=False, d=""):
    return PropertySpec(dimension, si_unit, low, high, low_open, high_open, d)


MATERIAL_PROPERTIES: dict[str, PropertySpec] = {
    "ionic_conductivity": _p("conductivity", "S/m", 0, d="Li+ (or total ionic) conductivity"),
    "electronic_conductivity": _p("conductivity", "S/m", 0, d="electronic conductivity"),
    "grain_boundary_conductivity": _p("conductivity", "S/m", 0, low_open=True, d="specific grain-boundary conductivity (brick layer)"),
    "grain_boundary_capacitance_ratio": _p("dimensionless", "-", 0, low_open=True, d="C_gb/C_bulk of the brick-layer model (grain size / boundary width)"),
    "salt_concentration": _p("concentration", "mol/m3", 0, low_open=True, d="salt concentration of a binary electrolyte"),
    "salt_diffusivity": _p("diffusivity", "m2/s", 0, low_open=True, d="ambipolar salt diffusivity"),
    "transference_number": _p("dimensionless", "-", 0, 1, d="cation transference number t+"),
    "thermodynamic_factor": _p("dimensionless", "-", 0, low_open=True, d="1 + dln f/dln c"),
    "relative_permittivity": _p("dimensionless", "-", 1, d="relative permittivity (geometric capacitance)"),
    "density": _p("density", "kg/m3", 0, low_open=True, d="mass density"),
    "molar_mass": _p("molar_mass", "kg/mol", 0, low_open=True, d="molar mass per formula unit"),
    "molar_volume": _p("molar_volume", "m3/mol", 0, low_open=True, d="molar volume per formula unit"),
    "youngs_modulus": _p("pressure", "Pa", 0, low_open=True, d="Young's modulus"),
    "shear_modulus": _p("pressure", "Pa", 0, low_open=True, d="shear modulus"),
    "support_shear_modulus": _p("pressure", "Pa", 0, low_open=True,
                                d="shear modulus of a polymer film's reinforcing support (glass fibre, PVDF)"),
    "support_volume_fraction": _p("dimensionless", "-", 0, 1, high_open=True,
                                  d="volume fraction of a polymer film's reinforcing support"),
    "poisson_ratio": _p("dimensionless", "-", -1, 0.5, d="Poisson's ratio"),
    "fracture_toughness": _p("toughness", "Pa m0.5", 0, low_open=True, d="mode-I fracture toughness K_IC"),
    "yield_strength": _p("pressure", "Pa", 0, low_open=True, d="yield strength"),
    "li_void_reference_current": _p("current_density", "A/m2", 0,
                                    d="creep resupply J_ref (1 MPa, 22 degC) of a Li foil pressed on this ceramic "
                                      "(stripping limit; default: parameters/shortcircuit.toml)"),
    "li_void_spacing": _p("length", "m", 0, low_open=True,
                          d="spacing of the voids Li self-diffusion refills at a Li foil pressed on this ceramic "
                            "(stripping limit; default: parameters/shortcircuit.toml)"),
    "reduction_potential": _p("voltage", "V", d="lower end of the stability window vs Li+/Li"),
    "oxidation_potential": _p("voltage", "V", d="upper end of the stability window vs Li+/Li"),
    "lithiation_potential": _p("voltage", "V", d="potential vs Li+/Li at which Li inserts (MIEC formation)"),
    "interphase_electronic_conductivity": _p("conductivity", "S/m", 0, d="electronic conductivity of the interphase Li forms with it"),
    "interphase_growth_constant": _p("diffusivity", "m2/s", 0, d="parabolic interphase growth x^2 = k t at Li contact"),
    "interphase_resistance": _p("area_resistance", "ohm m2", 0, d="ASR of the interphase at direct Li contact"),
    "specific_capacity": _p("specific_capacity", "C/kg", 0, low_open=True, d="reversible specific capacity (cathodes)"),
    "abundance": _p("dimensionless", "ppm", 0, d="crustal abundance of the scarcest element [ppm by mass]"),
    "cost": _p("dimensionless", "USD/kg", 0, d="indicative element-basis cost [USD/kg] (ranking only)"),
}

INTERFACE_PROPERTIES: dict[str, PropertySpec] = {
    "resistance": _p("area_resistance", "ohm m2", 0, d="area-specific resistance of the interface (linear)"),
    "exchange_current_density": _p("current_density", "A/m2", 0, low_open=True, d="Butler-Volmer exchange current density at the reference state"),
    "alpha": _p("dimensionless", "-", 0, 1, low_open=True, high_open=True, d="anodic transfer coefficient"),
    "capacitance": _p("area_capacitance", "F/m2", 0, low_open=True, d="double-layer / interfacial capacitance"),
    "cpe_q": _p("dimensionless", "F s^(n-1)/m2", 0, low_open=True, d="CPE coefficient per area Q (Z = 1/(A Q (jw)^n))"),
    "cpe_n": _p("dimensionless", "-", 0, 1, low_open=True, d="CPE exponent n"),
    "sei_resistance": _p("area_resistance", "ohm m2", 0, d="SEI resistance in series with charge transfer"),
    "activation_energy": _p("molar_energy", "J/mol", 0, d="activation energy of the interfacial kinetics"),
}


def normalise(name: str) -> str:
    """``"Ionic conductivity"`` -> ``"ionic_conductivity"``."""
    return "_".join(name.strip().lower().replace("-", " ").split())

ELECTRODE_PROPERTIES: dict[str, PropertySpec] = {
    "thickness": _p("length", "m", 0, low_open=True, d="electrode thickness (Li foil, cathode coating)"),
    "loading": _p("areal_mass", "kg/m2", 0, low_open=True, d="coating areal mass loading (cathodes); active mass = loading x active_fraction"),
    "specific_capacity": _p("specific_capacity", "C/kg", 0, low_open=True, d="reversible specific capacity of the active material"),
    "active_fraction": _p("dimensionless", "-", 0, 1, low_open=True, d="mass fraction of active material in the coating"),
    "areal_capacity": _p("charge_density", "C/m2", 0, low_open=True, d="Li inventory per area (plated Li anodes)"),
    "lower_cutoff_voltage": _p("voltage", "V", 0, d="lower voltage limit of the seed's cycling"),
    "upper_cutoff_voltage": _p("voltage", "V", 0, d="upper voltage limit of the seed's cycling"),
}

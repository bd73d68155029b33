"""A Li | sandwich | NMC811 full cell reduced to what PyBaMM's Li-metal half cell can hold.

No PyBaMM here: this module turns a :class:`~cellsim.stack.Stack` into numbers
(capacities, C-rate currents, N/P ratios, leakage) and into the *sandwich mapping*
used by :mod:`cellsim.fullcell.cycling`:

* the binary polymer layers (e.g. UVEA-1 and UVEA-2) become PyBaMM's separator: one
  layer of thickness ``L_sep = sum L_i``, porosity 1, with the polymer's conductivity,
  salt diffusivity, t+ and salt concentration (the series averages if the polymer layers
  differ). The same polymer fills the cathode pores (no catholyte; the seed finds UVEA
  inside the cycled NMC811 cathode, Fig. S13);
* every non-polymer layer (the ceramic or composite middle layer) and every interface
  except the Li charge transfer (polymer|ceramic Li+ transfer, polymer|cathode contact,
  an SEI on Li) become one series resistance ``R_s = sum L_j/(sigma_j S) + sum R_k/S``
  [ohm], PyBaMM's "Contact resistance [Ohm]" (a pure ``I R_s`` drop);
* the Li|polymer charge transfer becomes the Li-metal Butler-Volmer kinetics, with
  i0 = R T / (F R_ct) from the stack (physics.md §2.4) and Xu2019's ``c_e^0.3``
  dependence, or Xu2019's own magnitude on request.

Capacities (seed methods): 1 C = 210 mA/g of active material,
``Q = loading x active_fraction x q_sp`` per area; the seed's 1.6 mAh/cm2 is
``7.4 mg/cm2 x 210 mAh/g = 1.554 mAh/cm2`` (the 90 wt% active fraction left out).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Mapping

from ..constants import F, R
from ..errors import InputError
from ..stack import Electrode, Stack

SECONDS_PER_DAY = 86400.0
LI_DENSITY = 534.0  # kg/m3
LI_MOLAR_MASS = 6.94e-3  # kg/mol
LI_MOLAR_VOLUME = LI_MOLAR_MASS / LI_DENSITY  # m3/mol


def mAh_cm2(q_C_m2: float) -> float:
    """Areal charge [C/m2] in mAh/cm2 (1 mAh/cm2 = 3.6e4 C/m2)."""
    return q_C_m2 / 3.6e4


def mAh_g(q_C_kg: float) -> float:
    """Specific charge [C/kg] in mAh/g (1 mAh/g = 3600 C/kg)."""
    return q_C_kg / 3600.0


@dataclass(frozen=True)
class Cathode:
    """The NMC811 composite cathode as the seed describes it.

    Attributes
    ----------
    loading : float
        Coating areal mass loading [kg/m2] (seed: 7.4 mg/cm2 = 0.074 kg/m2).
    active_fraction : float
        Mass fraction of NMC811 in the coating [-] (seed: 0.9).
    specific_capacity : float
        Reversible capacity of the active material [C/kg] (seed: 210 mAh/g = 7.56e5 C/kg;
        also its 1 C definition, 1 C = 210 mA/g).
    lower_cutoff_voltage, upper_cutoff_voltage : float or None
        The seed's voltage window [V] (2.7-4.2 V LVO cell, 2.7-4.4 V LATP cell).
    """

    loading: float
    active_fraction: float = 1.0
    specific_capacity: float = 210 * 3600.0
    lower_cutoff_voltage: float | None = None
    upper_cutoff_voltage: float | None = None

    def __post_init__(self):
        for name in ("loading", "specific_capacity"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise InputError(f"cathode.{name}", v, "a finite value > 0")
        if not (0 < self.active_fraction <= 1):
            raise InputError("cathode.active_fraction", self.active_fraction, "a mass fraction in (0, 1]")

    @classmethod
    def from_electrode(cls, electrode: Electrode) -> "Cathode":
        """From a stack's ``nmc811`` electrode (``loading`` required)."""
        if electrode.kind != "nmc811":
            raise InputError("electrodes.right.kind", electrode.kind, "nmc811 (a full cell needs an NMC811 cathode)")
        loading = electrode.get("loading")
        if loading is None:
            raise InputError("electrodes.right.loading", None, "the cathode's areal mass loading, e.g. '7.4 mg/cm2'")
        return cls(loading=loading, active_fraction=electrode.get("active_fraction", 1.0),
                   specific_capacity=electrode.get("specific_capacity", 210 * 3600.0),
                   lower_cutoff_voltage=electrode.get("lower_cutoff_voltage"),
                   upper_cutoff_voltage=electrode.get("upper_cutoff_voltage"))

    @property
    def active_loading(self) -> float:
        """Active-material areal mass m_am = loading x active_fraction [kg/m2]."""
        return self.loading * self.active_fraction

    @property
    def areal_capacity(self) -> float:
        """Q_c = loading x active_fraction x q_sp [C/m2] (7.4 x 0.9 x 210 -> 1.3986 mAh/cm2)."""
        return self.active_loading * self.specific_capacity

    @property
    def seed_areal_capacity(self) -> float:
        """The seed's convention, loading x q_sp without the active fraction [C/m2] (1.554 ~ "1.6" mAh/cm2)."""
        return self.loading * self.specific_capacity


def anode_capacity(electrode: Electrode) -> float:
    """Li inventory of the negative electrode per area [C/m2].

    ``areal_capacity`` when given (plated Li, e.g. 2 mAh/cm2 = 7.2e4 C/m2), else from the
    foil thickness, Q = L F rho_Li / M_Li (250 um -> 51.6 mAh/cm2).
    """
    if electrode.kind != "li":
        raise InputError("electrodes.left.kind", electrode.kind, "li (a Li-metal negative electrode)")
    q = electrode.areal_capacity
    if q is None:
        raise InputError("electrodes.left", None, "a Li foil thickness or an areal capacity (e.g. '2 mAh/cm2')")
    return q


def n_p_ratio(anode: float, cathode: float) -> float:
    """N/P = Q_anode / Q_cathode (both [C/m2]), the usual definition."""
    return anode / cathode


def n_p_ratio_seed(anode: float, cathode: float) -> float:
    """The seed's N/P: (Q_anode + Q_cathode) / Q_cathode.

    The seed calls 2 mAh/cm2 of plated Li against a 1.6 mAh/cm2 cathode "N/P = 2.25";
    2 / 1.6 = 1.25, (2 + 1.6) / 1.6 = 2.25, i.e. it counts the Li the cathode brings.
    """
    return (anode + cathode) / cathode


@dataclass(frozen=True)
class Sandwich:
    """The electrolyte as PyBaMM sees it (see the module docstring).

    Attributes
    ----------
    thickness : float
        Separator thickness = summed polymer-layer thickness [m].
    conductivity : float
        Ionic conductivity of the polymer [S/m] (series average ``L / sum L_i/sigma_i``).
    diffusivity : float
        Salt diffusivity [m2/s] (series average).
    transference_number : float
        t+ [-] (thickness-weighted mean).
    salt_concentration : float
        c0 [mol/m3] (thickness-weighted mean).
    thermodynamic_factor : float
        chi [-].
    series_resistance : float
        R_s [ohm]: middle layer(s) and the interfaces PyBaMM does not hold.
    series_parts : Mapping[str, float]
        R_s broken down by layer / interface name [ohm].
    li_charge_transfer : float
        Li|polymer charge-transfer ASR R_ct [ohm m2] (0: ideal).
    polymer_layers : tuple of (name, thickness [m])
        The real polymer layers, for the independent estimate.
    """

    thickness: float
    conductivity: float
    diffusivity: float
    transference_number: float
    salt_concentration: float
    thermodynamic_factor: float = 1.0
    series_resistance: float = 0.0
    series_parts: Mapping[str, float] = field(default_factory=dict)
    li_charge_transfer: float = 0.0
    polymer_layers: tuple = ()

    def __post_init__(self):
        for name in ("thickness", "conductivity", "diffusivity", "salt_concentration"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
                raise InputError(f"sandwich.{name}", v, "a finite value > 0")
        if not 0 < self.transference_number < 1:
            raise InputError("sandwich.transference_number", self.transference_number, "0 < t+ < 1")
        if not (math.isfinite(self.series_resistance) and self.series_resistance >= 0):
            raise InputError("sandwich.series_resistance", self.series_resistance, "a finite resistance >= 0 ohm")
        if not (math.isfinite(self.li_charge_transfer) and self.li_charge_transfer >= 0):
            raise InputError("sandwich.li_charge_transfer", self.li_charge_transfer, "an ASR >= 0 ohm m2")
        object.__setattr__(self, "series_parts", MappingProxyType(dict(self.series_parts)))
        if not self.polymer_layers:
            object.__setattr__(self, "polymer_layers", (("separator", self.thickness),))

    @classmethod
    def from_stack(cls, stack: Stack, T: float | None = None) -> "Sandwich":
        """Map a stack's layers and interfaces onto separator + series resistance."""
        T = stack.temperature if T is None else T
        polymers = stack.polymer_layers()
        if not polymers:
            raise InputError("layers", stack.label, "at least one binary polymer layer (PyBaMM needs a binary electrolyte)")
        if stack.layers[0].kind != "polymer":
            raise InputError("layers[0]", stack.layers[0].name,
                             "a polymer layer next to Li (the Li-metal kinetics of PyBaMM are Li|binary electrolyte)")
        area = stack.area
        L = sum(l.thickness for _, l in polymers)
        sigma = L / sum(l.thickness / l.ionic_conductivity(T) for _, l in polymers)
        D = L / sum(l.thickness / l.salt_diffusivity(T) for _, l in polymers)
        tp = sum(l.thickness * l.transference_number() for _, l in polymers) / L
        c0 = sum(l.thickness * l.salt_concentration() for _, l in polymers) / L
        chi = sum(l.thickness * l.thermodynamic_factor() for _, l in polymers) / L
        parts: dict[str, float] = {}
        for i, layer in enumerate(stack.layers):
            if layer.kind != "polymer":
                r = layer.bulk_resistance(area, T)
                if math.isinf(r):
                    raise InputError(f"layer {layer.name!r}.ionic_conductivity", 0.0, "an ionic conductor (> 0 S/m)")
                parts[layer.name] = r
        li = stack.interfaces[0]
        r_ct = li.charge_transfer_resistance(T) if li.kind not in ("blocking", "ideal") else 0.0
        sei = li.resistance(T) - r_ct
        if sei > 0:
            parts[li.name + " (SEI)"] = sei / area
        for itf in stack.interfaces[1:]:
            r = itf.resistance(T)
            if r > 0:
                parts[itf.name] = r / area
        return cls(thickness=L, conductivity=sigma, diffusivity=D, transference_number=tp, salt_concentration=c0,
                   thermodynamic_factor=chi, series_resistance=sum(parts.values()), series_parts=parts,
                   li_charge_transfer=r_ct, polymer_layers=tuple((l.name, l.thickness) for _, l in polymers))

    def replace(self, **changes) -> "Sandwich":
        """A copy with fields replaced (validated again)."""
        return replace(self, **changes)

    def li_exchange_current_density(self, T: float) -> float:
        """Li|polymer i0 = R T / (F R_ct) [A/m2] at c0 (inf for an ideal interface)."""
        return math.inf if self.li_charge_transfer == 0 else R * T / (F * self.li_charge_transfer)


@dataclass(frozen=True)
class FullCellDesign:
    """Everything a full-cell simulation needs, in SI.

    Build it with :meth:`from_stack`; change a part with :meth:`replace`.

    Attributes
    ----------
    name : str
    area : float
        Cell area S [m2].
    temperature : float
        [K].
    cathode : Cathode
    anode_capacity : float
        Li inventory of the negative electrode [C/m2].
    sandwich : Sandwich
    electronic_resistance : float
        Electronic resistance of the electrolyte stack R_e [ohm] (``Stack.electronic_resistance``).
    vmin, vmax : float
        Voltage window [V].
    li_kinetics : str
        ``"stack"`` (i0 from the stack's Li|polymer R_ct) or ``"xu2019"`` (Xu2019's i0).
    """

    name: str
    area: float
    temperature: float
    cathode: Cathode
    anode_capacity: float
    sandwich: Sandwich
    electronic_resistance: float
    vmin: float
    vmax: float
    li_kinetics: str = "stack"

    def __post_init__(self):
        if not (math.isfinite(self.vmin) and math.isfinite(self.vmax) and 0 < self.vmin < self.vmax):
            raise InputError("vmin/vmax", (self.vmin, self.vmax), "0 < vmin < vmax (volts)")
        if self.li_kinetics not in ("stack", "xu2019"):
            raise InputError("li_kinetics", self.li_kinetics, "'stack' or 'xu2019'")
        if not (self.electronic_resistance > 0):
            raise InputError("electronic_resistance", self.electronic_resistance, "> 0 ohm (inf for an insulator)")

    @classmethod
    def from_stack(cls, stack: Stack, vmin: float | None = None, vmax: float | None = None,
                   anode: Electrode | None = None, li_kinetics: str = "stack") -> "FullCellDesign":
        """The design of a Li | ... | NMC811 stack.

        Parameters
        ----------
        stack : Stack
            Left electrode ``li``, right ``nmc811``, first layer a polymer.
        vmin, vmax : float, optional
            Voltage window [V]; default the cathode's cut-offs from the model file.
        anode : Electrode, optional
            Replaces the stack's Li electrode (e.g. 2 mAh/cm2 of plated Li).
        """
        cathode = Cathode.from_electrode(stack.right)
        left = stack.left if anode is None else anode
        vmin = cathode.lower_cutoff_voltage if vmin is None else vmin
        vmax = cathode.upper_cutoff_voltage if vmax is None else vmax
        if vmin is None or vmax is None:
            raise InputError("vmin/vmax", (vmin, vmax), "a voltage window (the model file gives none)")
        return cls(name=stack.name, area=stack.area, temperature=stack.temperature, cathode=cathode,
                   anode_capacity=anode_capacity(left), sandwich=Sandwich.from_stack(stack),
                   electronic_resistance=stack.electronic_resistance(), vmin=float(vmin), vmax=float(vmax),
                   li_kinetics=li_kinetics)

    def replace(self, **changes) -> "FullCellDesign":
        """A copy with fields replaced (validated again)."""
        return replace(self, **changes)

    # --- capacities and currents -----------------------------------------------------
    @property
    def active_mass(self) -> float:
        """Mass of active material in the cell [kg]."""
        return self.cathode.active_loading * self.area

    @property
    def capacity(self) -> float:
        """Cell capacity Q = m_am q_sp [C] (this cell's, not Chen2020's LG M50 5 A h)."""
        return self.active_mass * self.cathode.specific_capacity

    def current(self, c_rate: float) -> float:
        """Current [A] at ``c_rate``: I = c_rate x Q / 1 h (1 C = 210 mA/g x m_am)."""
        if not (isinstance(c_rate, (int, float)) and math.isfinite(c_rate) and c_rate > 0):
            raise InputError("c_rate", c_rate, "a C-rate > 0, e.g. 0.2")
        return c_rate * self.capacity / 3600.0

    @property
    def n_p_ratio(self) -> float:
        """N/P = Q_anode / Q_cathode with the loading-based cathode capacity."""
        return n_p_ratio(self.anode_capacity, self.cathode.areal_capacity)

    @property
    def n_p_ratio_seed(self) -> float:
        """The seed's N/P convention (Q_a + Q_c) / Q_c, with the loading-based Q_c.

        With the seed's own numbers (2 mAh/cm2 plated Li, Q_c = 1.6 mAh/cm2) it gives 2.25;
        with Q_c = 7.4 x 0.9 x 210 = 1.3986 mAh/cm2 it gives 2.430 (usual N/P 1.430).
        """
        return n_p_ratio_seed(self.anode_capacity, self.cathode.areal_capacity)

    # --- self-discharge --------------------------------------------------------------
    def self_discharge_current(self, voltage: float | None = None) -> float:
        """Electronic leakage I_sd = U / R_e [A] at cell voltage U [V] (default ``vmax``).

        A charged cell held at U discharges through the electrolyte's electronic path,
        R_e = sum L_i / (sigma_e,i S) (:meth:`cellsim.stack.Stack.electronic_resistance`,
        seed Table S2 electronic conductivities); 0 for an insulator. The full U drives
        the leak because the electron-blocking layers carry it in series (physics.md §2.5.4).
        """
        U = self.vmax if voltage is None else voltage
        return 0.0 if math.isinf(self.electronic_resistance) else U / self.electronic_resistance

    def capacity_loss_per_day(self, voltage: float | None = None) -> float:
        """Fraction of the cell capacity lost per day, I_sd x 86400 s / Q [1/day]."""
        return self.self_discharge_current(voltage) * SECONDS_PER_DAY / self.capacity


def li_anode(thickness: float | None = None, areal_capacity: float | None = None, source: str = "") -> Electrode:
    """A Li-metal negative electrode: a foil of ``thickness`` [m] or plated Li of ``areal_capacity`` [C/m2].

    E.g. the seed's low-N/P cells: ``li_anode(areal_capacity=2 * 3.6e4)`` (2 mAh/cm2 on Cu).
    """
    from ..materials import Parameter

    if (thickness is None) == (areal_capacity is None):
        raise InputError("anode", (thickness, areal_capacity), "either a Li thickness or an areal capacity")
    if thickness is not None:
        return Electrode("li", {"thickness": Parameter(float(thickness), "m", source or "given", "assumed")})
    return Electrode("li", {"areal_capacity": Parameter(float(areal_capacity), "C/m2", source or "given", "assumed")})

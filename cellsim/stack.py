"""The stack model: electrodes, layers and interfaces with area and temperature.

Everything is immutable and validated at construction. A :class:`Stack` is built from a
model TOML file (:func:`cellsim.models.load_model`) or in Python::

    from cellsim import Stack, Layer, Electrode, load_material
    uvea, latp = load_material("uvea"), load_material("latp")
    stack = Stack.build(
        layers=[Layer("UVEA-1", uvea, 100e-6), Layer("LATP", latp, 400e-6), Layer("UVEA-2", uvea, 100e-6)],
        left=Electrode("li"), right=Electrode("li"), area=1.33e-4, temperature=295.15)

Interfaces the caller does not give are filled in from ``parameters/interfaces.toml`` by the
kinds of the two neighbours (Li|polymer charge transfer, polymer|ceramic Li+ transfer,
Li|ceramic interphase, blocking electrodes, ...).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Mapping, Sequence

from .constants import F, R, T_ROOM
from .errors import InputError
from .materials import Material, Parameter
from .properties import ELECTRODE_PROPERTIES, INTERFACE_PROPERTIES

LAYER_KINDS = ("polymer", "ceramic", "mixed", "inert", "composite")
ELECTRODE_KINDS = ("li", "ss", "cu", "nmc811")
INTERFACE_KINDS = ("charge_transfer", "ion_transfer", "interphase", "blocking", "cathode", "ideal")

_ELECTRODE_LABELS = {"li": "Li", "ss": "SS", "cu": "Cu", "nmc811": "NMC811"}


def _checked_parameters(parameters: Mapping[str, Parameter], properties: Mapping, owner: str) -> MappingProxyType:
    """A read-only copy of ``parameters`` after checking each against its property spec.

    Raises
    ------
    InputError
        ``owner.key`` for a key that is not one of ``properties`` or a value out of its range.
    """
    for key, p in parameters.items():
        spec = properties.get(key)
        if spec is None:
            raise InputError(f"{owner}.{key}", p, "one of " + ", ".join(properties))
        if not spec.check(p.value):
            raise InputError(f"{owner}.{key}", p.value, spec.allowed())
    return MappingProxyType(dict(parameters))


def _check_pressure(p: float, field_name: str = "pressure") -> float:
    """Check a stack pressure [Pa]: finite and >= 0 (0 = no external pressure)."""
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not math.isfinite(p) or p < 0:
        raise InputError(field_name, p, "a stack pressure >= 0 Pa (e.g. \"20 MPa\")")
    return float(p)


def _check_temperature(T: float, field_name: str = "temperature") -> float:
    if T is None:
        return T
    if not (isinstance(T, (int, float)) and math.isfinite(T)) or T <= 0:
        raise InputError(field_name, T, "a temperature above 0 K")
    return float(T)


@dataclass(frozen=True)
class Composite:
    """A two-phase layer: a ceramic (or filler) with a polymer in its pores or as matrix.

    Attributes
    ----------
    polymer : Material
        The binary polymer electrolyte phase.
    ceramic : Material
        The inorganic phase.
    polymer_fraction : float
        Polymer volume fraction (porosity for an infiltrated pellet) [-], in [0, 1].
    model : str
        Mixing rule of :func:`cellsim.composites.mixing.effective_conductivity`.
    params : Mapping[str, float]
        Extra model parameters in SI: ``archie_exponent``, ``shell_conductivity`` [S/m],
        ``shell_thickness_ratio`` (see :mod:`cellsim.composites.mixing`).
    source : str
        Where ``polymer_fraction`` comes from (e.g. calibrated to Table S2).
    status : str
        Status of ``polymer_fraction`` (see :data:`cellsim.materials.STATUSES`).
    """

    polymer: Material
    ceramic: Material
    polymer_fraction: float
    model: str = "bruggeman"
    params: Mapping[str, float] = field(default_factory=dict)
    source: str = ""
    status: str = "assumed"

    def __post_init__(self):
        f = self.polymer_fraction
        if not (isinstance(f, (int, float)) and math.isfinite(f) and 0.0 <= f <= 1.0):
            raise InputError("composite.polymer_fraction", f, "a volume fraction in [0, 1]")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    def conductivity(self, which: str, T: float | None) -> float:
        """Effective ``ionic`` or ``electronic`` conductivity [S/m] from the mixing rule.

        Both come from :func:`cellsim.composites.mixing.effective_conductivities`, so that
        an ionic interface shell (coated-particle rule) does not count as electronic.
        """
        from .composites.mixing import effective_conductivities

        ionic, electronic = effective_conductivities(
            self.model,
            self.polymer.get("ionic_conductivity", T, default=0.0),
            self.ceramic.get("ionic_conductivity", T, default=0.0),
            self.polymer.get("electronic_conductivity", T, default=0.0),
            self.ceramic.get("electronic_conductivity", T, default=0.0),
            self.polymer_fraction, **dict(self.params))
        return float(ionic if which == "ionic" else electronic)


@dataclass(frozen=True)
class Layer:
    """One layer of the electrolyte stack.

    Attributes
    ----------
    name : str
        Unique name within the stack (e.g. ``"UVEA-1"``).
    material : Material
        Its material (for a composite: the ceramic phase; see ``composite``).
    thickness : float
        Thickness [m], > 0.
    kind : str
        ``polymer`` (binary electrolyte), ``ceramic`` (single-ion), ``mixed`` (ionic and
        electronic), ``inert`` (filler) or ``composite``. Defaults from the material.
    composite : Composite, optional
        Required for ``kind == "composite"``.
    thickness_source : str
        Where the thickness comes from.
    """

    name: str
    material: Material
    thickness: float
    kind: str = ""
    composite: Composite | None = None
    thickness_source: str = ""
    thickness_status: str = "assumed"

    def __post_init__(self):
        if not isinstance(self.material, Material):
            raise InputError(f"layer {self.name!r}.material", self.material, "a Material")
        kind = self.kind or ("composite" if self.composite is not None else _default_layer_kind(self.material))
        object.__setattr__(self, "kind", kind)
        if kind not in LAYER_KINDS:
            raise InputError(f"layer {self.name!r}.kind", kind, "one of " + ", ".join(LAYER_KINDS))
        t = self.thickness
        if not (isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t)) or t <= 0:
            raise InputError(f"layer {self.name!r}.thickness", t, "a thickness > 0 m")
        object.__setattr__(self, "thickness", float(t))
        if kind == "composite" and self.composite is None:
            raise InputError(f"layer {self.name!r}.composite", None, "a composite description (polymer, ceramic, polymer_fraction, model)")
        if kind == "polymer":
            for prop in ("ionic_conductivity", "salt_concentration", "salt_diffusivity", "transference_number"):
                self.material.parameter(prop)
            tp = self.material.get("transference_number")
            if not 0.0 < tp < 1.0:
                raise InputError(f"layer {self.name!r}.transference_number", tp,
                                 "0 < t+ < 1 for a binary polymer electrolyte")
        elif kind in ("ceramic", "mixed", "inert"):
            self.material.parameter("ionic_conductivity")
            if kind == "mixed":
                self.material.parameter("electronic_conductivity")

    # --- transport properties (SI) ---------------------------------------------------
    @property
    def electrolyte(self) -> Material:
        """The binary-electrolyte material (the polymer, also of a composite's pores)."""
        if self.kind == "composite":
            return self.composite.polymer
        return self.material

    def ionic_conductivity(self, T: float | None = None) -> float:
        """Ionic conductivity [S/m] at ``T`` [K] (effective for composites)."""
        if self.kind == "composite":
            return self.composite.conductivity("ionic", T)
        return self.material.get("ionic_conductivity", T)

    def electronic_conductivity(self, T: float | None = None) -> float:
        """Electronic conductivity [S/m] at ``T`` [K]; 0 when the material gives none."""
        if self.kind == "composite":
            return self.composite.conductivity("electronic", T)
        return self.material.get("electronic_conductivity", T, default=0.0)

    def salt_concentration(self) -> float:
        """Salt concentration c0 of the binary electrolyte [mol/m3]."""
        return self.electrolyte.get("salt_concentration")

    def salt_diffusivity(self, T: float | None = None) -> float:
        """Ambipolar salt diffusivity D [m2/s] at ``T`` [K]."""
        return self.electrolyte.get("salt_diffusivity", T)

    def transference_number(self) -> float:
        """Cation transference number t+ (1 for single-ion conductors)."""
        if self.kind in ("ceramic", "mixed", "inert"):
            return 1.0
        return self.electrolyte.get("transference_number")

    def thermodynamic_factor(self) -> float:
        """Thermodynamic factor chi = 1 + d ln f / d ln c (1 when not given)."""
        return self.electrolyte.get("thermodynamic_factor", default=1.0)

    def relative_permittivity(self) -> float:
        """Relative permittivity (10 when the material gives none)."""
        return self.material.get("relative_permittivity", default=10.0)

    def bulk_resistance(self, area: float, T: float | None = None) -> float:
        """Bulk ionic resistance R_b = L / (sigma A) [ohm] (seed Eq. 1 solved for R_b)."""
        sigma = self.ionic_conductivity(T)
        return math.inf if sigma == 0 else self.thickness / (sigma * area)

    def asr(self, T: float | None = None) -> float:
        """Area-specific bulk resistance L / sigma [ohm m2]."""
        sigma = self.ionic_conductivity(T)
        return math.inf if sigma == 0 else self.thickness / sigma

    def electronic_resistance(self, area: float, T: float | None = None) -> float:
        """Electronic resistance L / (sigma_e A) [ohm]; inf for an electronic insulator."""
        s = self.electronic_conductivity(T)
        return math.inf if s == 0 else self.thickness / (s * area)

    @property
    def label(self) -> str:
        return self.name


def _default_layer_kind(material: Material) -> str:
    return {"polymer": "polymer", "ceramic": "ceramic", "mixed": "mixed", "inert": "inert",
            "cathode": "mixed", "metal": "mixed"}[material.kind]


@dataclass(frozen=True)
class Interface:
    """An interface between two neighbours of the stack.

    Attributes
    ----------
    name : str
        E.g. ``"Li|UVEA-1"``.
    kind : str
        ``charge_transfer`` (Li|polymer), ``ion_transfer`` (polymer|ceramic Li+ transfer),
        ``interphase`` (Li|ceramic in direct contact), ``blocking`` (SS or Cu |
        electrolyte), ``cathode`` (cathode|electrolyte) or ``ideal`` (no resistance).
    parameters : Mapping[str, Parameter]
        See :data:`cellsim.properties.INTERFACE_PROPERTIES`.
    """

    name: str
    kind: str = "ideal"
    parameters: Mapping[str, Parameter] = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in INTERFACE_KINDS:
            raise InputError(f"interface {self.name!r}.kind", self.kind, "one of " + ", ".join(INTERFACE_KINDS))
        object.__setattr__(self, "parameters",
                           _checked_parameters(self.parameters, INTERFACE_PROPERTIES, f"interface {self.name!r}"))

    def _get(self, key: str, T: float | None = None):
        p = self.parameters.get(key)
        return None if p is None else p.at(T)

    @property
    def alpha(self) -> float:
        """Anodic transfer coefficient (0.5 when not given)."""
        a = self._get("alpha")
        return 0.5 if a is None else a

    def exchange_current_density(self, T: float | None = None) -> float:
        """Butler-Volmer exchange current density i0 [A/m2] at ``T`` [K].

        From ``exchange_current_density`` when given, else from the linear resistance,
        i0 = R T / (F R_ct) (physics.md §2.4). ``inf`` for an ideal interface.
        """
        i0 = self._get("exchange_current_density", T)
        if i0 is not None:
            return i0
        r = self._get("resistance", T)
        T_ = T if T is not None else T_ROOM
        if r is None or r == 0:
            return math.inf
        return R * T_ / (F * r)

    def charge_transfer_resistance(self, T: float | None = None) -> float:
        """Linear charge-transfer ASR R_ct = R T / (F i0) [ohm m2] (0 if ideal)."""
        if "resistance" in self.parameters and "exchange_current_density" not in self.parameters:
            return self._get("resistance", T)
        i0 = self.exchange_current_density(T)
        T_ = T if T is not None else T_ROOM
        return 0.0 if math.isinf(i0) else R * T_ / (F * i0)

    def resistance(self, T: float | None = None) -> float:
        """Total linear interfacial ASR: charge transfer + SEI [ohm m2]; 0 for blocking/ideal."""
        if self.kind in ("blocking", "ideal"):
            return 0.0
        return self.charge_transfer_resistance(T) + (self._get("sei_resistance", T) or 0.0)

    @property
    def sei_resistance(self) -> float:
        """SEI ASR in series with charge transfer [ohm m2] (0 when absent)."""
        return self._get("sei_resistance") or 0.0

    @property
    def capacitance(self) -> float | None:
        """Ideal interfacial capacitance [F/m2] or None."""
        return self._get("capacitance")

    @property
    def cpe_q(self) -> float | None:
        """CPE coefficient per area [F s^(n-1)/m2] or None."""
        return self._get("cpe_q")

    @property
    def cpe_n(self) -> float | None:
        """CPE exponent or None."""
        return self._get("cpe_n")


@dataclass(frozen=True)
class Electrode:
    """An electrode: Li metal, stainless steel (blocking), Cu, or an NMC811 cathode.

    Attributes
    ----------
    kind : str
        ``li``, ``ss``, ``cu`` or ``nmc811``.
    parameters : Mapping[str, Parameter]
        See :data:`cellsim.properties.ELECTRODE_PROPERTIES` (thickness, loading, ...).
    """

    kind: str
    parameters: Mapping[str, Parameter] = field(default_factory=dict)

    def __post_init__(self):
        if self.kind not in ELECTRODE_KINDS:
            raise InputError("electrode.kind", self.kind, "one of " + ", ".join(ELECTRODE_KINDS))
        object.__setattr__(self, "parameters",
                           _checked_parameters(self.parameters, ELECTRODE_PROPERTIES, f"electrode {self.kind}"))

    @property
    def label(self) -> str:
        return _ELECTRODE_LABELS[self.kind]

    @property
    def blocking(self) -> bool:
        """True for ion-blocking electrodes (stainless steel, bare Cu)."""
        return self.kind in ("ss", "cu")

    def get(self, key: str, default: float | None = None) -> float | None:
        p = self.parameters.get(key)
        return default if p is None else p.value

    @property
    def areal_capacity(self) -> float | None:
        """Capacity per area [C/m2]: coating loading x active fraction x specific capacity
        (cathode), or the Li inventory of a Li electrode."""
        if "areal_capacity" in self.parameters:
            return self.parameters["areal_capacity"].value
        if self.kind == "nmc811" and "loading" in self.parameters and "specific_capacity" in self.parameters:
            return (self.parameters["loading"].value * self.parameters["specific_capacity"].value
                    * self.get("active_fraction", 1.0))
        if self.kind == "li" and "thickness" in self.parameters:
            # Li metal: rho = 534 kg/m3, M = 6.94e-3 kg/mol -> F rho / M [C/m3]
            return self.parameters["thickness"].value * F * 534.0 / 6.94e-3
        return None


def _endpoint_kind(x: Any) -> str:
    if isinstance(x, Electrode):
        return x.kind
    return x.kind


def default_interface_kind(left: Any, right: Any) -> str:
    """Interface kind between two neighbours (Electrode or Layer) from their kinds."""
    a, b = _endpoint_kind(left), _endpoint_kind(right)
    pair = {a, b}
    if pair & {"ss", "cu"}:
        return "blocking"
    if "li" in pair:
        other = (pair - {"li"}) or {"li"}
        return "charge_transfer" if other & {"polymer", "composite"} else "interphase"
    if "nmc811" in pair:
        return "cathode"
    if "polymer" in pair and (pair - {"polymer"}):
        return "ion_transfer"
    if a == "composite" and b == "composite":
        return "ideal"
    if pair == {"polymer"}:
        return "ideal"
    return "ideal"


def default_interface(left: Any, right: Any) -> Interface:
    """The library's default interface between two neighbours (``parameters/interfaces.toml``)."""
    from .library import load_defaults
    from .materials import parse_parameter_table

    kind = default_interface_kind(left, right)
    name = f"{_name(left)}|{_name(right)}"
    if kind == "ideal":
        return Interface(name, "ideal")
    table = load_defaults("interfaces").get(kind, {})
    from .paths import data_dir

    params = parse_parameter_table(table.get("parameters", {}), INTERFACE_PROPERTIES, f"interfaces.{kind}",
                                   str(data_dir("parameters") / "interfaces.toml"))
    if kind == "interphase":
        # a Li-unstable ceramic brings its own interphase: the reaction layer Li forms with it is
        # an ohmic resistance in series with the Li|ceramic charge transfer
        layer = right if isinstance(right, Layer) else left
        if isinstance(layer, Layer) and layer.material.has("interphase_resistance"):
            p = layer.material.parameter("interphase_resistance")
            params["sei_resistance"] = Parameter(p.value, p.unit, f"reaction layer at Li contact: {p.source}",
                                                 p.status, p.law)
    return Interface(name, kind, params)


def _name(x: Any) -> str:
    return x.label if isinstance(x, Electrode) else x.name


@dataclass(frozen=True)
class Stack:
    """An electrochemical cell: left electrode | layers (with interfaces) | right electrode.

    Attributes
    ----------
    layers : tuple of Layer
        From the left electrode to the right one; at least one.
    interfaces : tuple of Interface
        ``len(layers) + 1`` interfaces: ``interfaces[i]`` is on the left face of
        ``layers[i]``; ``interfaces[-1]`` on the right face of the last layer.
    left, right : Electrode
    area : float
        Electrode/electrolyte contact area S [m2].
    temperature : float
        Temperature [K].
    pressure : float
        Stack pressure applied to the cell [Pa] (0 = none; the seed's coin cells are
        assembled at 20 MPa). An operating condition like the temperature: it sets the
        Li|ceramic contact and the short-circuit mechanisms that depend on it.
    name : str
        Model name (e.g. ``"li-uvea-latp-uvea-li"``).
    title, description : str
    provenance : Mapping[str, str]
        Source of each cell-level value (``area``, ``temperature``, ...).
    source_file : str
        Model file it was loaded from ("" when built in Python).
    seed : Mapping[str, Any]
        What the seed reports for this cell (for side-by-side comparisons).
    ranges : Mapping[str, Range]
        Uncertainty ranges of the model file's own values, by key: ``area``,
        ``temperature``, ``pressure``, ``layers.<name>.thickness``,
        ``layers.<name>.polymer_fraction`` (see :mod:`cellsim.uncertainty.ranges`).
    """

    layers: tuple
    interfaces: tuple
    left: Electrode
    right: Electrode
    area: float
    temperature: float = T_ROOM
    pressure: float = 0.0
    name: str = "stack"
    title: str = ""
    description: str = ""
    provenance: Mapping[str, str] = field(default_factory=dict)
    source_file: str = ""
    seed: Mapping[str, Any] = field(default_factory=dict)
    ranges: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self):
        layers = tuple(self.layers)
        if not layers:
            raise InputError("layers", [], "at least one layer")
        names = [l.name for l in layers]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise InputError("layers.name", sorted(dup)[0], "unique layer names")
        if not (isinstance(self.area, (int, float)) and math.isfinite(self.area)) or self.area <= 0:
            raise InputError("area", self.area, "an area > 0 m2")
        _check_temperature(self.temperature)
        _check_pressure(self.pressure)
        interfaces = tuple(self.interfaces)
        if len(interfaces) != len(layers) + 1:
            raise InputError("interfaces", len(interfaces), f"{len(layers) + 1} interfaces for {len(layers)} layers")
        object.__setattr__(self, "layers", layers)
        object.__setattr__(self, "interfaces", interfaces)
        object.__setattr__(self, "area", float(self.area))
        object.__setattr__(self, "temperature", float(self.temperature))
        object.__setattr__(self, "pressure", float(self.pressure))
        object.__setattr__(self, "provenance", MappingProxyType(dict(self.provenance)))
        object.__setattr__(self, "seed", MappingProxyType(dict(self.seed)))
        object.__setattr__(self, "ranges", MappingProxyType(dict(self.ranges)))

    # --- construction -------------------------------------------------------------------
    @classmethod
    def build(cls, layers: Sequence[Layer], left: Electrode, right: Electrode, area: float,
              temperature: float = T_ROOM, interfaces: Mapping[int, Interface] | Sequence[Interface | None] | None = None,
              **kw) -> "Stack":
        """Build a stack, filling in default interfaces where none is given.

        ``interfaces`` may be a full sequence (None entries are filled in) or a mapping
        from position (0 .. n_layers) to :class:`Interface`.
        """
        layers = tuple(layers)
        chain = [left, *layers, right]
        given: dict[int, Interface] = {}
        if isinstance(interfaces, Mapping):
            given = dict(interfaces)
        elif interfaces is not None:
            given = {i: x for i, x in enumerate(interfaces) if x is not None}
        for pos in given:
            if not 0 <= pos <= len(layers):
                raise InputError("interfaces", pos, f"a position 0..{len(layers)}")
        out = tuple(given.get(i) or default_interface(chain[i], chain[i + 1]) for i in range(len(layers) + 1))
        return cls(layers=layers, interfaces=out, left=left, right=right, area=area, temperature=temperature, **kw)

    def replace(self, **changes) -> "Stack":
        """A copy with fields replaced (validated again)."""
        return replace(self, **changes)

    def with_conditions(self, temperature: float | None = None, pressure: float | None = None) -> "Stack":
        """A copy at another temperature [K] and/or stack pressure [Pa] (None keeps the value).

        The provenance of a changed condition becomes "set by the user".
        """
        changes: dict[str, Any] = {}
        prov = dict(self.provenance)
        if temperature is not None:
            changes["temperature"] = _check_temperature(temperature)
            prov["temperature"] = "set by the user"
        if pressure is not None:
            changes["pressure"] = _check_pressure(pressure)
            prov["pressure"] = "set by the user"
        if not changes:
            return self
        return replace(self, provenance=prov, **changes)

    def layer_index(self, key: int | str) -> int:
        """Index of a layer given by index or name."""
        if isinstance(key, int):
            if not -len(self.layers) <= key < len(self.layers):
                raise InputError("layer", key, f"an index in 0..{len(self.layers) - 1}")
            return key % len(self.layers)
        for i, l in enumerate(self.layers):
            if l.name == key or l.name.lower() == str(key).lower():
                return i
        raise InputError("layer", key, "one of " + ", ".join(l.name for l in self.layers))

    def with_layer(self, key: int | str, **changes) -> "Stack":
        """A copy with one layer's fields replaced, e.g. ``with_layer("LATP", thickness=2e-4)``."""
        i = self.layer_index(key)
        layers = list(self.layers)
        layers[i] = replace(layers[i], **changes)
        return replace(self, layers=tuple(layers))

    # --- derived numbers ------------------------------------------------------------------
    @property
    def T(self) -> float:
        return self.temperature

    @property
    def total_thickness(self) -> float:
        """Total electrolyte thickness [m] (electrodes excluded)."""
        return sum(l.thickness for l in self.layers)

    def bulk_resistances(self, T: float | None = None) -> list[float]:
        """Bulk resistance of each layer L_i / (sigma_i S) [ohm]."""
        T = self.temperature if T is None else _check_temperature(T)
        return [l.bulk_resistance(self.area, T) for l in self.layers]

    def total_bulk_resistance(self, T: float | None = None) -> float:
        """Series sum of the layers' bulk resistances [ohm]."""
        return sum(self.bulk_resistances(T))

    def interface_resistances(self, T: float | None = None) -> list[float]:
        """Linear interfacial resistance of each interface [ohm]."""
        T = self.temperature if T is None else _check_temperature(T)
        return [i.resistance(T) / self.area for i in self.interfaces]

    def apparent_conductivity(self, T: float | None = None) -> float:
        """Apparent (series) conductivity of the electrolyte, L_total / (R_b,total S) [S/m]."""
        r = self.total_bulk_resistance(T)
        return 0.0 if math.isinf(r) else self.total_thickness / (r * self.area)

    def electronic_resistance(self, T: float | None = None) -> float:
        """Electronic resistance of the layers in series, sum L_i/(sigma_e,i S) [ohm]."""
        T = self.temperature if T is None else _check_temperature(T)
        return sum(l.electronic_resistance(self.area, T) for l in self.layers)

    def leakage_current(self, voltage: float, T: float | None = None) -> float:
        """Electronic leakage current I = U / R_e [A] at cell voltage ``voltage`` [V]."""
        r = self.electronic_resistance(T)
        return 0.0 if math.isinf(r) else voltage / r

    def polymer_layers(self) -> list[tuple[int, Layer]]:
        """(index, layer) of every binary polymer layer."""
        return [(i, l) for i, l in enumerate(self.layers) if l.kind == "polymer"]

    @property
    def label(self) -> str:
        return " | ".join([self.left.label, *(l.name for l in self.layers), self.right.label])

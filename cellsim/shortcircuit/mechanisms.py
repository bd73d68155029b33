"""Closed-form pieces of the short-circuit physics (physics.md §2.1.4–2.1.5, §2.5).

* Dendrite growth in a binary polymer after Sand's time: the front advances at the anion
  drift velocity (Chazalviel 1990; Brissot et al. 1999), ``v = beta (1 - t+) |J| / (F c0)``
  with an enhancement factor ``beta`` (1 = the Chazalviel velocity, > 1 for tip focusing).
  The charge that carries a front across a layer of thickness L is then
  ``Q_cross = L F c0 / (beta (1 - t+))``, independent of J.
* The path through the middle layer once a dendrite touches it (:class:`MiddleLayerPath`):
  ``reduction`` / ``lithiation`` — Li turns the conductor into an electronically
  conducting interphase that grows from the contact, parabolic ``x^2 = k t`` or linear
  ``x = k t`` (physics.md §2.5.5); ``intrinsic`` — the layer already conducts electrons
  (LVO, NMC811): the path is its own electronic resistance; ``crack`` — Li-stable
  ceramics crack when the overpotential at a flaw exceeds the Griffith/Porz limit
  ``|eta_crit| = Omega_Li K_IC / (F Y sqrt(pi a))`` (physics.md §2.5.3); ``blocked`` —
  a passivating SEI stops it.
* Monroe–Newman: interfacial roughening is suppressed mechanically when
  ``G_SE >= 2 G_Li`` (physics.md §2.5.2). A reinforced polymer (UVEA is cast on a glass-fibre
  or PVDF support) is judged by its effective shear modulus, Halpin–Tsai
  (:func:`reinforced_shear_modulus`); a polymer layer that meets the criterion does not grow
  dendrites. Soft gels never meet it (ratio ~1e-3).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..constants import F
from ..checks import finite_number
from ..errors import InputError
from ..formulas import _pos as _positive
from ..formulas import _tplus

__all__ = ["OMEGA_LI", "G_LI", "dendrite_velocity", "crossing_charge", "crossing_time", "griffith_overpotential",
           "interphase_thickness", "interphase_time", "monroe_newman_ratio", "reinforced_shear_modulus",
           "MONROE_NEWMAN_RATIO", "MiddleLayerPath", "middle_layer_path", "PATH_KINDS"]

#: Molar volume of Li metal, 6.94/0.534 cm3/mol [m3/mol] (physics.md §3.2).
OMEGA_LI = 6.94e-3 / 534.0
#: Shear modulus of polycrystalline Li, Masias et al. 2019 [Pa] (physics.md §3.2, [V]).
G_LI = 2.83e9
#: G_SE / G_Li above which Monroe & Newman (2005) find roughening suppressed (physics.md §2.5.2).
MONROE_NEWMAN_RATIO = 2.0
#: Geometry factor of a surface crack (physics.md §2.5.3).
Y_SURFACE = 1.12

PATH_KINDS = ("reduction", "lithiation", "intrinsic", "crack", "blocked")


def dendrite_velocity(current_density, concentration, transference_number, enhancement=1.0) -> float:
    """Front velocity of a dendrite in a binary polymer electrolyte [m/s].

    ``v = beta (1 - t+) |J| / (F c0)`` (anion drift velocity mu_a E with Nernst–Einstein;
    physics.md §2.1.5, Chazalviel 1990, Brissot et al. 1999).

    Parameters
    ----------
    current_density : float
        |J| [A/m2].
    concentration : float
        Salt concentration c0 [mol/m3].
    transference_number : float
        t+ in [0, 1).
    enhancement : float
        beta > 0 (1: the Chazalviel velocity).
    """
    j = abs(_number("current_density", current_density))
    c0 = _positive("concentration", concentration)
    tp = _tplus(transference_number)
    beta = _positive("enhancement", enhancement)
    return beta * (1.0 - tp) * j / (F * c0)


def _number(name, x) -> float:
    return finite_number(x, name)


def crossing_charge(thickness, concentration, transference_number, enhancement=1.0) -> float:
    """Charge per area that carries a dendrite across a polymer layer [C/m2].

    ``Q_cross = L F c0 / (beta (1 - t+))`` (physics.md §2.1.5; independent of J).
    """
    L = _positive("thickness", thickness)
    c0 = _positive("concentration", concentration)
    tp = _tplus(transference_number)
    beta = _positive("enhancement", enhancement)
    return L * F * c0 / (beta * (1.0 - tp))


def crossing_time(thickness, current_density, concentration, transference_number, enhancement=1.0) -> float:
    """Time for a nucleated dendrite to cross a layer at constant |J| [s]: ``L / v``."""
    v = dendrite_velocity(current_density, concentration, transference_number, enhancement)
    L = _positive("thickness", thickness)
    return math.inf if v == 0 else L / v


def griffith_overpotential(fracture_toughness, flaw_size, geometry_factor=Y_SURFACE, molar_volume=OMEGA_LI) -> float:
    """Overpotential at which Li deposited in a surface flaw cracks the ceramic [V].

    ``|eta_crit| = Omega_Li K_IC / (F Y sqrt(pi a))`` from ``p_Li <= F |eta| / Omega_Li``
    and ``K_I = Y p_Li sqrt(pi a) >= K_IC`` (Porz et al. 2017; physics.md §2.5.3).

    Parameters
    ----------
    fracture_toughness : float
        K_IC [Pa m^0.5].
    flaw_size : float
        Flaw depth a [m].
    geometry_factor : float
        Y (1.12 for a surface crack).
    molar_volume : float
        Omega_Li [m3/mol].
    """
    k = _positive("fracture_toughness", fracture_toughness)
    a = _positive("flaw_size", flaw_size)
    y = _positive("geometry_factor", geometry_factor)
    om = _positive("molar_volume", molar_volume)
    return om * k / (F * y * math.sqrt(math.pi * a))


def interphase_thickness(time, growth_constant, law="parabolic") -> float:
    """Thickness of a growing interphase after contact time ``t`` [m].

    ``parabolic``: x = sqrt(k t) (k in m2/s); ``linear``: x = k t (k in m/s)
    (physics.md §2.5.5).
    """
    t = _positive("time", time, allow_zero=True)
    k = _positive("growth_constant", growth_constant, allow_zero=True)
    if law == "parabolic":
        return math.sqrt(k * t)
    if law == "linear":
        return k * t
    raise InputError("law", law, "'parabolic' or 'linear'")


def interphase_time(thickness, growth_constant, law="parabolic") -> float:
    """Contact time for the interphase to reach ``thickness`` [s] (inverse of
    :func:`interphase_thickness`; ``inf`` when k = 0)."""
    x = _positive("thickness", thickness, allow_zero=True)
    k = _positive("growth_constant", growth_constant, allow_zero=True)
    if law not in ("parabolic", "linear"):
        raise InputError("law", law, "'parabolic' or 'linear'")
    if k == 0:
        return 0.0 if x == 0 else math.inf
    return x * x / k if law == "parabolic" else x / k


def monroe_newman_ratio(shear_modulus, lithium_shear_modulus=G_LI) -> float:
    """``G_SE / G_Li``; Monroe & Newman 2005: roughening is suppressed for a ratio >= ~2."""
    return _positive("shear_modulus", shear_modulus) / _positive("lithium_shear_modulus", lithium_shear_modulus)


def reinforced_shear_modulus(matrix_modulus, fibre_modulus, fibre_fraction, shape_factor=1.0) -> float:
    """Effective shear modulus of a fibre-reinforced polymer film [Pa] (Halpin–Tsai).

    ``G = G_m (1 + xi eta phi) / (1 - eta phi)``, ``eta = (G_f/G_m - 1) / (G_f/G_m + xi)``
    (Halpin & Kardos, Polym. Eng. Sci. 16 (1976) 344 [L]); ``xi = 1`` for the in-plane shear of
    a random mat, which lies between the Reuss (``xi -> 0``) and Voigt (``xi -> inf``) bounds.

    Parameters
    ----------
    matrix_modulus, fibre_modulus : float
        G_m, G_f [Pa].
    fibre_fraction : float
        Volume fraction phi of the support in [0, 1).
    shape_factor : float
        xi > 0.
    """
    gm = _positive("matrix_modulus", matrix_modulus)
    gf = _positive("fibre_modulus", fibre_modulus)
    phi = _positive("fibre_fraction", fibre_fraction, allow_zero=True)
    if phi >= 1:
        raise InputError("fibre_fraction", fibre_fraction, "in [0, 1)")
    xi = _positive("shape_factor", shape_factor)
    eta = (gf / gm - 1.0) / (gf / gm + xi)
    return gm * (1.0 + xi * eta * phi) / (1.0 - eta * phi)


def layer_shear_modulus(layer) -> float | None:
    """Effective shear modulus of a polymer layer [Pa] with its support, or None when unknown.

    Uses the material's ``shear_modulus`` and, when given, ``support_shear_modulus`` and
    ``support_volume_fraction`` (:func:`reinforced_shear_modulus`).
    """
    mat = layer.material
    if not mat.has("shear_modulus"):
        return None
    g = mat.get("shear_modulus")
    if mat.has("support_shear_modulus") and mat.has("support_volume_fraction"):
        g = reinforced_shear_modulus(g, mat.get("support_shear_modulus"), mat.get("support_volume_fraction"))
    return g


@dataclass(frozen=True)
class MiddleLayerPath:
    """How a dendrite that reaches a non-polymer layer goes on (see the module docstring).

    Attributes
    ----------
    kind : str
        One of :data:`PATH_KINDS`.
    growth_constant : float
        Interphase growth constant (m2/s parabolic, m/s linear); 0 if none.
    law : str
        ``parabolic`` or ``linear``.
    path_conductivity : float
        Electronic conductivity of the path once it spans the layer [S/m] (interphase,
        or the layer's own for ``intrinsic``).
    fracture_toughness : float or None
        K_IC [Pa m^0.5] for ``crack``.
    source : str
        Where the choice and values come from.
    """

    kind: str
    growth_constant: float = 0.0
    law: str = "parabolic"
    path_conductivity: float = 0.0
    fracture_toughness: float | None = None
    source: str = ""

    def __post_init__(self):
        if self.kind not in PATH_KINDS:
            raise InputError("middle_layer_path", self.kind, "one of " + ", ".join(PATH_KINDS))
        if self.law not in ("parabolic", "linear"):
            raise InputError("middle_layer_path.law", self.law, "'parabolic' or 'linear'")

    def time_to_cross(self, thickness: float) -> float:
        """Contact time after which the path spans a layer of ``thickness`` [s]
        (0 for ``intrinsic``, inf for ``blocked``; ``crack`` is decided by overpotential)."""
        if self.kind == "intrinsic":
            return 0.0
        if self.kind in ("blocked", "crack"):
            return math.inf
        return interphase_time(thickness, self.growth_constant, self.law)


def middle_layer_path(layer, temperature: float | None = None) -> MiddleLayerPath:
    """The :class:`MiddleLayerPath` of a non-polymer layer from its material.

    Uses the material's ``[info] middle_layer_path`` (reduction, lithiation, intrinsic,
    crack, blocked) and its parameters ``interphase_growth_constant``,
    ``interphase_electronic_conductivity``, ``electronic_conductivity`` and
    ``fracture_toughness``. A composite layer takes its ceramic phase's path.
    """
    mat = layer.material
    info = getattr(mat, "info", {}) or {}
    kind = str(info.get("middle_layer_path", "") or "")
    if not kind:
        if layer.kind == "inert":
            kind = "blocked"
        elif layer.kind in ("mixed", "cathode"):
            kind = "intrinsic"
        else:
            kind = "crack" if mat.has("fracture_toughness") else "blocked"
    src = f"material {mat.name!r}: middle_layer_path = {kind!r}"
    # every ceramic can also crack (Griffith/Porz), whatever else Li does to it
    kic = mat.get("fracture_toughness", temperature) if mat.has("fracture_toughness") else None
    if kind in ("reduction", "lithiation"):
        k = mat.get("interphase_growth_constant", temperature, default=0.0)
        sig = mat.get("interphase_electronic_conductivity", temperature, default=0.0)
        return MiddleLayerPath(kind, growth_constant=k, path_conductivity=sig, fracture_toughness=kic, source=src)
    if kind == "intrinsic":
        return MiddleLayerPath(kind, path_conductivity=layer.electronic_conductivity(temperature),
                               fracture_toughness=kic, source=src)
    return MiddleLayerPath(kind, fracture_toughness=kic, source=src)

"""Effective-medium (mixing) rules for polymer-infiltrated pellets and polymer+ceramic composites.

Two phases: the polymer (volume fraction ``eps``, the polymer-filled porosity of a pellet or
the polymer fraction of a composite; conductivity ``sp``) and the ceramic (fraction
``1 - eps``, conductivity ``sc``). The same rules apply to ionic and to electronic
conductivity: pass the phase conductivities of the carrier you want. All functions are
closed forms, vectorised with NumPy broadcasting, SI units [S/m].

Equations (physics.md §2.6)::

    parallel (upper Wiener)   s = eps sp + (1 - eps) sc
    series   (lower Wiener)   1/s = eps/sp + (1 - eps)/sc
    Maxwell-Garnett, inclusion i (fraction f) in matrix m  (= a Hashin-Shtrikman bound)
                              s = sm [si + 2 sm + 2 f (si - sm)] / [si + 2 sm - f (si - sm)]
    Bruggeman symmetric EMA (3D)
                              eps (sp - s)/(sp + 2 s) + (1 - eps)(sc - s)/(sc + 2 s) = 0
                              -> 2 s^2 - b s - sp sc = 0,  b = (3 eps - 1) sp + (2 - 3 eps) sc
                              -> s = [b + sqrt(b^2 + 8 sp sc)] / 4   (percolation at eps = 1/3)
    Archie                    s = sp eps^m + sc (1 - eps)^m
    coated particle (Nan-Smith): ceramic core of radius r in an interface shell of thickness t
                              and conductivity s_int, a = (r/(r + t))^3:
                              s_part = s_int [sc + 2 s_int + 2 a (sc - s_int)] / [sc + 2 s_int - a (sc - s_int)]
                              then Bruggeman between the polymer and the coated particles.

Sources: Wiener bounds and Maxwell-Garnett/Hashin-Shtrikman (Z. Hashin, S. Shtrikman,
J. Appl. Phys. 33, 3125 (1962)); D. A. G. Bruggeman, Ann. Phys. 416, 636 (1935); G. E. Archie,
Trans. AIME 146, 54 (1942); C.-W. Nan, D. M. Smith, Mater. Sci. Eng. B 10, 99 (1991) and
C.-W. Nan, Prog. Mater. Sci. 37, 1 (1993) (coated particle + EMA). All [L] in physics.md.

The entry point used by the stack model is :func:`effective_conductivity`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError

#: Model names accepted by :func:`effective_conductivity`.
MODELS: tuple[str, ...] = (
    "parallel",
    "series",
    "maxwell-garnett-polymer-matrix",
    "maxwell-garnett-ceramic-matrix",
    "bruggeman",
    "archie",
    "coated-particle",
)

#: Extra parameters of each model and their defaults (``None`` = required).
#: ``archie_exponent`` m [-] (>= 1); ``shell_thickness_ratio`` t/r [-] (>= 0);
#: ``shell_conductivity`` s_int [S/m] (>= 0).
MODEL_PARAMETERS: dict[str, dict[str, float | None]] = {
    "parallel": {},
    "series": {},
    "maxwell-garnett-polymer-matrix": {},
    "maxwell-garnett-ceramic-matrix": {},
    "bruggeman": {},
    "archie": {"archie_exponent": 1.5},
    "coated-particle": {"shell_conductivity": None, "shell_thickness_ratio": 0.02},
}

#: One line per model (for help texts and reports).
MODEL_DESCRIPTIONS: dict[str, str] = {
    "parallel": "upper Wiener bound: both phases as parallel slabs",
    "series": "lower Wiener bound: both phases as series slabs",
    "maxwell-garnett-polymer-matrix": "ceramic spheres in a continuous polymer (HS bound; upper when sp > sc)",
    "maxwell-garnett-ceramic-matrix": "isolated polymer-filled pores in a ceramic matrix (HS bound; lower when sp > sc)",
    "bruggeman": "symmetric effective-medium approximation, 3D, percolation at 1/3",
    "archie": "Archie/tortuosity law s = sp eps^m + sc (1-eps)^m",
    "coated-particle": "Nan-Smith: ceramic cores in an interface shell (t/r, s_int), then Bruggeman with the polymer",
}


def _array(x: Any, field: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise InputError(field, x, "a real number or an array of real numbers") from None
    return a


def _at_least(x: Any, low: float, field: str, allowed: str) -> np.ndarray:
    """``x`` as a float array, every element finite and >= ``low``; InputError naming the first bad one."""
    a = _array(x, field)
    bad = ~np.isfinite(a) | (a < low)
    if np.any(bad):
        raise InputError(field, _first(a, bad), allowed)
    return a


def _check_conductivity(x: Any, field: str) -> np.ndarray:
    return _at_least(x, 0.0, field, "a finite conductivity >= 0 S/m")


def _check_fraction(x: Any, field: str) -> np.ndarray:
    a = _array(x, field)
    bad = ~np.isfinite(a) | (a < 0) | (a > 1)
    if np.any(bad):
        raise InputError(field, _first(a, bad), "a volume fraction in [0, 1]")
    return a


def _first(a: np.ndarray, bad: np.ndarray) -> float:
    return float(np.atleast_1d(a)[np.atleast_1d(np.broadcast_to(bad, a.shape))][0])


def _out(a: np.ndarray) -> np.ndarray | float:
    """0-d results as Python float, arrays unchanged."""
    return float(a) if np.ndim(a) == 0 else a


# --------------------------------------------------------------------------------------------
# The rules (no validation: arrays in, arrays out; validation is in effective_conductivity)
# --------------------------------------------------------------------------------------------

def parallel(sp, sc, eps):
    """Upper Wiener bound [S/m]: ``s = eps sp + (1 - eps) sc``.

    Parameters
    ----------
    sp, sc : array_like
        Polymer and ceramic conductivity [S/m].
    eps : array_like
        Polymer volume fraction [-].
    """
    sp, sc, eps = np.asarray(sp, float), np.asarray(sc, float), np.asarray(eps, float)
    return eps * sp + (1.0 - eps) * sc


def series(sp, sc, eps):
    """Lower Wiener bound [S/m]: ``1/s = eps/sp + (1 - eps)/sc``.

    Written as ``s = sp sc / (eps sc + (1 - eps) sp)``; where that denominator vanishes (a
    phase of zero conductivity with zero fraction) the remaining phase's value is returned.
    """
    sp, sc, eps = np.asarray(sp, float), np.asarray(sc, float), np.asarray(eps, float)
    den = eps * sc + (1.0 - eps) * sp
    with np.errstate(divide="ignore", invalid="ignore"):
        s = sp * sc / den
    return np.where(den > 0, s, eps * sp + (1.0 - eps) * sc)


def maxwell_garnett(s_matrix, s_inclusion, f_inclusion):
    """Maxwell-Garnett conductivity [S/m] of spheres (fraction ``f``) in a continuous matrix.

    ``s = sm [si + 2 sm + 2 f (si - sm)] / [si + 2 sm - f (si - sm)]``. This is the
    Hashin-Shtrikman upper bound when the matrix is the better conductor and the lower
    bound otherwise (Hashin & Shtrikman 1962).

    Parameters
    ----------
    s_matrix, s_inclusion : array_like
        Conductivities of the matrix and of the inclusions [S/m].
    f_inclusion : array_like
        Volume fraction of the inclusions [-].
    """
    sm, si, f = np.asarray(s_matrix, float), np.asarray(s_inclusion, float), np.asarray(f_inclusion, float)
    # numerator and denominator rearranged as sums of non-negative terms (no cancellation)
    num = si * (1.0 + 2.0 * f) + 2.0 * sm * (1.0 - f)  # = si + 2 sm + 2 f (si - sm)
    den = si * (1.0 - f) + sm * (2.0 + f)  # = si + 2 sm - f (si - sm)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = sm * num / den
    # den == 0 only when sm == 0 and (si == 0 or f == 1): the answer is then si
    return np.where(den > 0, s, si)


def hashin_shtrikman_bounds(s1, s2, f1):
    """Hashin-Shtrikman lower and upper bounds [S/m] of an isotropic two-phase mixture.

    Returns
    -------
    (lower, upper) : tuple of ndarray
        Maxwell-Garnett with the poorer conductor as matrix, and with the better one.
    """
    s1, s2, f1 = np.asarray(s1, float), np.asarray(s2, float), np.asarray(f1, float)
    a = maxwell_garnett(s1, s2, 1.0 - f1)
    b = maxwell_garnett(s2, s1, f1)
    return np.minimum(a, b), np.maximum(a, b)


def bruggeman(s1, s2, f1):
    """Symmetric Bruggeman effective-medium conductivity [S/m], 3D, two phases.

    Root of ``f1 (s1 - s)/(s1 + 2 s) + (1 - f1)(s2 - s)/(s2 + 2 s) = 0``, i.e. the positive
    root of ``2 s^2 - b s - s1 s2 = 0`` with ``b = (3 f1 - 1) s1 + (2 - 3 f1) s2``::

        s = [b + sqrt(b^2 + 8 s1 s2)] / 4          (b >= 0)
        s = 2 s1 s2 / [sqrt(b^2 + 8 s1 s2) - b]    (b < 0, same root without cancellation)

    With an insulating second phase (s2 = 0) this gives ``s = s1 (3 f1 - 1)/2`` above the
    percolation threshold f1 = 1/3 and 0 below it (Bruggeman 1935).
    """
    s1, s2, f1 = np.asarray(s1, float), np.asarray(s2, float), np.asarray(f1, float)
    b = (3.0 * f1 - 1.0) * s1 + (2.0 - 3.0 * f1) * s2
    root = np.sqrt(b * b + 8.0 * s1 * s2)
    with np.errstate(divide="ignore", invalid="ignore"):
        neg = 2.0 * s1 * s2 / (root - b)
    neg = np.where(root - b > 0, neg, 0.0)
    return np.where(b >= 0, 0.25 * (b + root), neg)


def archie(sp, sc, eps, m=1.5):
    """Archie (tortuosity) law [S/m]: ``s = sp eps^m + sc (1 - eps)^m``.

    With m = 1.5 each phase follows Bruggeman's tortuosity tau = eps^-0.5. Empirical: it
    stays below the parallel bound for m >= 1 but can fall below the series bound when the
    two conductivities are similar.
    """
    sp, sc, eps, m = (np.asarray(v, float) for v in (sp, sc, eps, m))
    return sp * eps ** m + sc * (1.0 - eps) ** m


def coated_particle_conductivity(s_core, s_shell, shell_thickness_ratio):
    """Conductivity [S/m] of a sphere with a core and a concentric shell (Nan & Smith 1991).

    ``s = s_int [sc + 2 s_int + 2 a (sc - s_int)] / [sc + 2 s_int - a (sc - s_int)]``,
    ``a = (r/(r + t))^3`` the core's share of the coated particle's volume.

    Parameters
    ----------
    s_core : array_like
        Core (ceramic) conductivity [S/m].
    s_shell : array_like
        Shell (interface) conductivity [S/m].
    shell_thickness_ratio : array_like
        t/r [-].
    """
    a = (1.0 / (1.0 + np.asarray(shell_thickness_ratio, float))) ** 3
    return maxwell_garnett(s_shell, s_core, a)


def coated_particle(sp, sc, eps, shell_conductivity, shell_thickness_ratio=0.02):
    """Nan-Smith coated-particle composite [S/m]: shelled ceramic particles, then Bruggeman.

    The interface shell (thickness t, conductivity s_int) forms in the polymer around each
    ceramic particle, so the coated particles fill ``phi = (1 - eps)/a`` with
    ``a = (r/(r + t))^3``. When the pores are too thin for a full shell (``phi > 1``) all the
    polymer is interface: ``phi = 1`` and the core share becomes ``a' = 1 - eps``. This keeps
    the model continuous on eps in [0, 1], with ``s = sc`` at eps = 0 and ``s = sp`` at eps = 1.
    With t/r = 0 it is plain Bruggeman.

    Parameters
    ----------
    sp, sc : array_like
        Polymer and ceramic conductivity [S/m].
    eps : array_like
        Polymer volume fraction including the shells [-].
    shell_conductivity : array_like
        s_int [S/m].
    shell_thickness_ratio : array_like
        t/r [-].
    """
    sp, sc, eps = np.asarray(sp, float), np.asarray(sc, float), np.asarray(eps, float)
    a = (1.0 / (1.0 + np.asarray(shell_thickness_ratio, float))) ** 3
    solid = 1.0 - eps
    phi = np.minimum(1.0, solid / a)
    with np.errstate(divide="ignore", invalid="ignore"):
        a_eff = np.where(phi > 0, solid / phi, a)
    s_particle = maxwell_garnett(shell_conductivity, sc, a_eff)
    return bruggeman(s_particle, sp, phi)


_RULES = {
    "parallel": lambda sp, sc, e, p: parallel(sp, sc, e),
    "series": lambda sp, sc, e, p: series(sp, sc, e),
    "maxwell-garnett-polymer-matrix": lambda sp, sc, e, p: maxwell_garnett(sp, sc, 1.0 - e),
    "maxwell-garnett-ceramic-matrix": lambda sp, sc, e, p: maxwell_garnett(sc, sp, e),
    "bruggeman": lambda sp, sc, e, p: bruggeman(sp, sc, e),
    "archie": lambda sp, sc, e, p: archie(sp, sc, e, p["archie_exponent"]),
    "coated-particle": lambda sp, sc, e, p: coated_particle(sp, sc, e, p["shell_conductivity"],
                                                            p["shell_thickness_ratio"]),
}


def check_model_name(model: str) -> str:
    """The normalised model name; InputError listing the allowed names if unknown."""
    if not isinstance(model, str) or model.strip().lower() not in MODELS:
        raise InputError("model", model, "one of " + ", ".join(MODELS))
    return model.strip().lower()


def check_model(model: str, params: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """Validate a model name and its parameters; return the name and the full parameter set.

    Raises
    ------
    InputError
        Unknown model (the message lists the allowed names), an unknown or missing
        parameter, or a parameter out of range.
    """
    model = check_model_name(model)
    params = dict(params or {})
    allowed = MODEL_PARAMETERS[model]
    for key in params:
        if key not in allowed:
            names = ", ".join(allowed) if allowed else "none"
            raise InputError(f"{model}.{key}", params[key], f"a parameter of this model ({names})")
    full: dict[str, Any] = {}
    for key, default in allowed.items():
        if key in params and params[key] is not None:
            value = params[key]
        elif default is None:
            raise InputError(f"{model}.{key}", None, "a value (required by this model)")
        else:
            value = default
        full[key] = value
    if "archie_exponent" in full:
        full["archie_exponent"] = _at_least(full["archie_exponent"], 1.0, f"{model}.archie_exponent",
                                            "a finite number >= 1 (typically 1.5-2.5)")
    if "shell_thickness_ratio" in full:
        full["shell_thickness_ratio"] = _at_least(full["shell_thickness_ratio"], 0.0, f"{model}.shell_thickness_ratio",
                                                  "a finite t/r >= 0")
    if "shell_conductivity" in full:
        full["shell_conductivity"] = _check_conductivity(full["shell_conductivity"], f"{model}.shell_conductivity")
    return model, full


def effective_conductivity(model: str, sigma_polymer, sigma_ceramic, polymer_fraction, **params):
    """Effective conductivity [S/m] of a polymer + ceramic layer by a named mixing rule.

    Parameters
    ----------
    model : str
        One of :data:`MODELS`: ``"parallel"``, ``"series"``,
        ``"maxwell-garnett-polymer-matrix"``, ``"maxwell-garnett-ceramic-matrix"`` (the two
        Hashin-Shtrikman bounds), ``"bruggeman"``, ``"archie"``, ``"coated-particle"``.
    sigma_polymer, sigma_ceramic : array_like
        Phase conductivities [S/m], >= 0 (ionic or electronic, same rule).
    polymer_fraction : array_like
        Polymer volume fraction (porosity filled with polymer) [-], in [0, 1].
    **params
        Model parameters (see :data:`MODEL_PARAMETERS`): ``archie_exponent`` (archie,
        default 1.5); ``shell_conductivity`` [S/m] (coated-particle, required) and
        ``shell_thickness_ratio`` t/r (coated-particle, default 0.02).

    Returns
    -------
    float or ndarray
        Broadcast over all array arguments; a float when all are scalars.

    Raises
    ------
    InputError
        Unknown model (lists the allowed names), fractions outside [0, 1], negative or
        non-finite conductivities, unknown/missing/out-of-range parameters.

    Examples
    --------
    >>> effective_conductivity("bruggeman", 0.0773, 0.0, 0.5)   # S/m; (3*0.5-1)/2 * sp
    0.019325
    """
    model, full = check_model(model, params)
    sp = _check_conductivity(sigma_polymer, "sigma_polymer")
    sc = _check_conductivity(sigma_ceramic, "sigma_ceramic")
    eps = _check_fraction(polymer_fraction, "polymer_fraction")
    try:
        shape = np.broadcast_shapes(sp.shape, sc.shape, eps.shape, *(np.shape(v) for v in full.values()))
    except ValueError:
        raise InputError("sigma_polymer/sigma_ceramic/polymer_fraction", "shapes "
                         + ", ".join(str(np.shape(v)) for v in (sp, sc, eps)), "arrays that broadcast together") from None
    out = _RULES[model](sp, sc, eps, full)
    return _out(np.broadcast_to(out, shape).copy() if np.shape(out) != shape else out)


def effective_conductivities(model: str, polymer_ionic, ceramic_ionic, polymer_electronic, ceramic_electronic,
                             polymer_fraction, shell_electronic_conductivity=None, **params):
    """Effective ionic and electronic conductivity [S/m] of one layer by the same rule.

    For ``coated-particle`` the interface shell's conductivity (``shell_conductivity``) is
    ionic; the shell's electronic conductivity defaults to the polymer's.

    Returns
    -------
    (ionic, electronic) : tuple
    """
    ionic = effective_conductivity(model, polymer_ionic, ceramic_ionic, polymer_fraction, **params)
    eparams = dict(params)
    if str(model).strip().lower() == "coated-particle":
        eparams["shell_conductivity"] = (polymer_electronic if shell_electronic_conductivity is None
                                         else shell_electronic_conductivity)
    electronic = effective_conductivity(model, polymer_electronic, ceramic_electronic, polymer_fraction, **eparams)
    return ionic, electronic


# --------------------------------------------------------------------------------------------
# The pore channel: polymer as a binary electrolyte inside the pellet
# --------------------------------------------------------------------------------------------

def pore_tortuosity(model: str, polymer_fraction, **params):
    """Tortuosity tau [-] of the polymer-filled pore network implied by a mixing rule.

    Defined by the polymer path alone (ceramic made insulating, interface shell = polymer):
    ``eps/tau = s(model; sp = 1, sc = 0, eps)``. Closed forms: parallel 1; Bruggeman
    ``2 eps/(3 eps - 1)`` (infinite below 1/3); Archie ``eps^(1 - m)`` (Bruggeman's
    ``eps^-0.5`` for m = 1.5); Maxwell-Garnett polymer matrix ``(3 - eps)/2``; series and
    ceramic-matrix Maxwell-Garnett infinite (isolated pores). ``inf`` where the pores do
    not percolate; ``nan`` at eps = 0 (no pores).
    """
    model, full = check_model(model, params)
    eps = _check_fraction(polymer_fraction, "polymer_fraction")
    if model == "coated-particle":
        full = dict(full, shell_conductivity=1.0)
    s = _RULES[model](np.ones_like(eps), np.zeros_like(eps), eps, full)
    with np.errstate(divide="ignore", invalid="ignore"):
        tau = np.where(s > 0, eps / np.where(s > 0, s, 1.0), np.inf)
    tau = np.where(eps > 0, tau, np.nan)
    return _out(tau)


@dataclass(frozen=True)
class PoreChannel:
    """The polymer in the pellet's pores as a binary-electrolyte channel (for a transport solver).

    Attributes
    ----------
    polymer_fraction : float
        eps [-], the polymer-filled porosity.
    tortuosity : float
        tau [-] (``inf`` when the pores do not percolate).
    """

    polymer_fraction: float
    tortuosity: float

    def __post_init__(self):
        if not (0.0 <= self.polymer_fraction <= 1.0):
            raise InputError("pore_channel.polymer_fraction", self.polymer_fraction, "a volume fraction in [0, 1]")
        if not (self.tortuosity >= 1.0):  # also rejects nan
            raise InputError("pore_channel.tortuosity", self.tortuosity, "a tortuosity >= 1 (inf allowed)")

    @property
    def transport_factor(self) -> float:
        """eps/tau [-]: effective = bulk x eps/tau (0 for non-percolating pores)."""
        return 0.0 if math.isinf(self.tortuosity) else self.polymer_fraction / self.tortuosity

    def effective_diffusivity(self, bulk_diffusivity):
        """Effective salt diffusivity of the channel [m2/s]: ``D_eff = eps/tau D``."""
        return self.transport_factor * np.asarray(bulk_diffusivity, float) if np.ndim(bulk_diffusivity) \
            else self.transport_factor * float(bulk_diffusivity)

    def effective_conductivity(self, bulk_conductivity):
        """Effective conductivity of the channel [S/m]: ``kappa_eff = eps/tau kappa``."""
        return self.transport_factor * np.asarray(bulk_conductivity, float) if np.ndim(bulk_conductivity) \
            else self.transport_factor * float(bulk_conductivity)


def pore_channel(model: str, polymer_fraction: float, **params) -> PoreChannel:
    """The :class:`PoreChannel` (eps, tau) of a composite layer described by ``model``."""
    eps = float(_check_fraction(polymer_fraction, "polymer_fraction"))
    if eps == 0.0:
        return PoreChannel(0.0, math.inf)
    return PoreChannel(eps, float(pore_tortuosity(model, eps, **params)))


def conduction_paths(model: str, sigma_polymer, sigma_ceramic, polymer_fraction, **params):
    """Split the effective ionic conductivity into pore-channel and single-ion parts [S/m].

    ``sigma_p,eff = eps/tau sp`` (binary electrolyte in the pores, :func:`pore_tortuosity`);
    ``sigma_c,eff = s_eff - sigma_p,eff`` (clipped at 0): the ceramic and any interface
    enhancement, carrying Li+ only.

    Returns
    -------
    (sigma_p_eff, sigma_c_eff) : tuple
    """
    total = np.asarray(effective_conductivity(model, sigma_polymer, sigma_ceramic, polymer_fraction, **params))
    eps = _check_fraction(polymer_fraction, "polymer_fraction")
    tau = np.asarray(pore_tortuosity(model, eps, **{k: v for k, v in params.items()}))
    with np.errstate(invalid="ignore"):
        factor = np.where(np.isfinite(tau) & (eps > 0), eps / np.where(np.isfinite(tau) & (eps > 0), tau, 1.0), 0.0)
    sp_eff = factor * np.asarray(sigma_polymer, float)
    sc_eff = np.maximum(total - sp_eff, 0.0)
    return _out(sp_eff), _out(sc_eff)


def effective_transference_number(t_plus, sigma_polymer_eff, sigma_ceramic_eff):
    """Parallel-path cation transference number [-] of an infiltrated pellet.

    ``t+_eff = (sigma_c,eff + t+ sigma_p,eff) / (sigma_c,eff + sigma_p,eff)``: the ceramic
    path carries only Li+, the pore channel carries Li+ with its own t+ (physics.md §2.6 [C],
    free Li+ exchange between the paths assumed).
    """
    t = _array(t_plus, "t_plus")
    if np.any(~np.isfinite(t) | (t < 0) | (t > 1)):
        raise InputError("t_plus", t_plus, "a transference number in [0, 1]")
    sp = _check_conductivity(sigma_polymer_eff, "sigma_polymer_eff")
    sc = _check_conductivity(sigma_ceramic_eff, "sigma_ceramic_eff")
    tot = sp + sc
    if np.any(tot <= 0):
        raise InputError("sigma_polymer_eff + sigma_ceramic_eff", _out(tot), "> 0 S/m")
    return _out((sc + t * sp) / tot)

"""Calibrate a composite pellet to a measured apparent (sandwich) conductivity.

A UVEA | pellet | UVEA sandwich measured as one electrolyte of total thickness L has the
apparent conductivity (layers in series, physics.md §2.6)::

    1/s_app = (1 - f_c)/s_p + f_c/s_pellet,eff,      f_c = L_pellet / L_total

so the pellet must conduct ``s_pellet,eff = f_c / (1/s_app - (1 - f_c)/s_p)``. For each
mixing rule (:mod:`cellsim.composites.mixing`) we solve for the polymer-filled porosity
eps that gives this value, or, for the coated-particle (Nan-Smith) rule, for the interface
shell's conductivity at a given porosity, and flag whether the answer is plausible.

Plausible range of the porosity of a pressed pellet (defaults 0.05-0.40):

* upper end 0.40: a self-supporting pressed powder compact is at least as dense as a random
  packing of its grains; random close packing of spheres fills 0.64 of space and random
  loose packing about 0.56-0.60 (G. D. Scott, D. M. Kilgour, J. Phys. D 2, 863 (1969);
  G. Y. Onoda, E. G. Liniger, Phys. Rev. Lett. 64, 2727 (1990)) [L], i.e. 36-44 % porosity
  before any pressing. Cold-pressed ceramic green bodies reach 55-70 % and sintered
  pellets 80-97 % of the theoretical density [L].
* lower end 0.05: below about 5-8 % porosity a sintered ceramic's pores are closed
  (final-stage sintering, R. L. Coble, J. Appl. Phys. 32, 787 (1961)) [L], so polymer
  cannot infiltrate them.

Plausible interface-shell conductivity: at most that of the fastest known bulk Li-ion
solid conductor, LGPS 1.2e-2 S/cm = 1.2 S/m (Kamaya et al., Nat. Mater. 10, 682 (2011);
physics.md §3.2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, asdict

import numpy as np

from ..errors import InputError
from . import mixing

#: Plausible polymer-filled porosity of a pressed ceramic pellet [-] (see module docstring).
PLAUSIBLE_POROSITY: tuple[float, float] = (0.05, 0.40)
#: Largest plausible interface-shell conductivity [S/m] (LGPS, Kamaya 2011).
MAX_PLAUSIBLE_SHELL_CONDUCTIVITY: float = 1.2

#: The seed's Table S2 (room temperature, 22 degC) [S/m]: UVEA, the three LIC pellets and the
#: three UVEA-LIC-UVEA sandwiches (ionic conductivity).
SEED_TABLE_S2: dict[str, float] = {
    "uvea": 7.73e-4 * 100,
    "latp": 3.58e-5 * 100,
    "lvo": 3.18e-5 * 100,
    "lto": 2.97e-5 * 100,
    "uvea-latp-uvea": 6.49e-4 * 100,
    "uvea-lvo-uvea": 5.68e-4 * 100,
    "uvea-lto-uvea": 3.98e-4 * 100,
}

#: Models calibrated by porosity (all but coated-particle, which is calibrated by its shell).
POROSITY_MODELS: tuple[str, ...] = tuple(m for m in mixing.MODELS if m != "coated-particle")


def _pos(value, name: str, allow_zero: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(name, value, "a number") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise InputError(name, value, ">= 0" if allow_zero else "> 0")
    return v


def _target(value) -> float:
    """A target conductivity > 0 [S/m]; ``inf`` (an infeasible requirement) is allowed."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError("sigma_target", value, "a number") from None
    if math.isinf(v) and v > 0:
        return v
    return _pos(v, "sigma_target")


def _fraction(value, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(name, value, "a number") from None
    if not (0.0 <= v <= 1.0):
        raise InputError(name, value, "a fraction in [0, 1]")
    return v


def sandwich_conductivity(sigma_polymer, sigma_pellet, pellet_fraction):
    """Apparent conductivity [S/m] of polymer | pellet | polymer measured as one layer.

    ``1/s_app = (1 - f_c)/s_p + f_c/s_pellet`` (vectorised).
    """
    sp, spe, f = (np.asarray(v, float) for v in (sigma_polymer, sigma_pellet, pellet_fraction))
    with np.errstate(divide="ignore"):
        inv = (1.0 - f) / sp + f / spe
    out = 1.0 / inv
    return float(out) if np.ndim(out) == 0 else out


def required_pellet_conductivity(sigma_apparent: float, sigma_polymer: float, pellet_fraction: float) -> float:
    """Pellet conductivity [S/m] that makes the sandwich conduct ``sigma_apparent``.

    ``s_pellet = f_c / (1/s_app - (1 - f_c)/s_p)``; ``inf`` when the polymer layers alone
    already conduct less than measured (no pellet can do it).
    """
    sa = _pos(sigma_apparent, "sigma_apparent")
    sp = _pos(sigma_polymer, "sigma_polymer")
    f = _fraction(pellet_fraction, "pellet_fraction")
    if f == 0:
        raise InputError("pellet_fraction", pellet_fraction, "> 0 (a pellet in the stack)")
    rest = 1.0 / sa - (1.0 - f) / sp
    return f / rest if rest > 0 else math.inf


def pellet_fraction(pellet_thickness: float, polymer_thickness: float, n_polymer_layers: int = 2) -> float:
    """f_c = L_pellet / (L_pellet + n L_polymer) [-]."""
    lc = _pos(pellet_thickness, "pellet_thickness")
    lp = _pos(polymer_thickness, "polymer_thickness", allow_zero=True)
    if int(n_polymer_layers) != n_polymer_layers or n_polymer_layers < 0:
        raise InputError("n_polymer_layers", n_polymer_layers, "an integer >= 0")
    return lc / (lc + n_polymer_layers * lp)


def solve_porosity(model: str, sigma_target: float, sigma_polymer: float, sigma_ceramic: float,
                   **params) -> float | None:
    """Polymer-filled porosity eps [-] at which ``model`` gives ``sigma_target``.

    All sign changes of ``s(eps) - sigma_target`` on a 4001-point grid over [0, 1] are
    refined with Brent's method (relative tolerance 1e-14). Where a rule is not monotone
    (Archie, which dips below sc at small eps when sp > sc) the largest root is returned,
    the one on the polymer-continuous branch. ``None`` when no eps in [0, 1] reaches the
    target.
    """
    from scipy.optimize import brentq

    model, full = mixing.check_model(model, params)
    target = _target(sigma_target)
    sp = _pos(sigma_polymer, "sigma_polymer", allow_zero=True)
    sc = _pos(sigma_ceramic, "sigma_ceramic", allow_zero=True)
    if math.isinf(target):
        return None

    def g(e):
        return np.asarray(mixing.effective_conductivity(model, sp, sc, e, **full), float) - target

    grid = np.linspace(0.0, 1.0, 4001)
    vals = g(grid)
    roots = []
    # grid points where the rule equals the target to round-off (a target reached only at eps = 0 or 1,
    # computed there with a rounding error of either sign, has no sign change to refine)
    scale = max(abs(target), sp, sc)
    exact = grid[np.abs(vals) <= 8.0 * np.finfo(float).eps * scale]
    roots.extend(float(x) for x in exact)
    sign = np.sign(vals)
    idx = np.nonzero(sign[:-1] * sign[1:] < 0)[0]
    for i in idx:
        roots.append(brentq(lambda e: float(g(e)), grid[i], grid[i + 1], xtol=1e-15, rtol=1e-14, maxiter=200))
    return max(roots) if roots else None


def solve_shell_conductivity(sigma_target: float, sigma_polymer: float, sigma_ceramic: float,
                             polymer_fraction: float, shell_thickness_ratio: float = 0.02) -> float | None:
    """Interface-shell conductivity s_int [S/m] at which the coated-particle rule gives ``sigma_target``.

    The composite conductivity rises monotonically with s_int; the root is bracketed in
    log10(s_int) on [-30, 12] and refined with Brent's method. ``None`` when even an
    insulating shell conducts more than the target, or an s_int of 1e12 S/m less.
    """
    from scipy.optimize import brentq

    target = _target(sigma_target)
    sp = _pos(sigma_polymer, "sigma_polymer", allow_zero=True)
    sc = _pos(sigma_ceramic, "sigma_ceramic", allow_zero=True)
    eps = _fraction(polymer_fraction, "polymer_fraction")
    tr = _pos(shell_thickness_ratio, "shell_thickness_ratio", allow_zero=True)
    if math.isinf(target):
        return None

    def s_of(x):
        return float(mixing.coated_particle(sp, sc, eps, x, tr))

    if s_of(0.0) >= target:
        return 0.0 if s_of(0.0) == target else None
    lo, hi = -30.0, 12.0
    if s_of(10.0 ** hi) < target:
        return None
    if s_of(10.0 ** lo) >= target:
        return 10.0 ** lo
    x = brentq(lambda q: s_of(10.0 ** q) - target, lo, hi, xtol=1e-14, rtol=1e-15, maxiter=300)
    return 10.0 ** x


@dataclass(frozen=True)
class ModelCalibration:
    """One model's calibration of a pellet.

    Attributes
    ----------
    model : str
        Mixing rule.
    quantity : str
        ``"porosity"`` [-] or ``"shell_conductivity"`` [S/m].
    value : float or None
        Implied value; None when no value can reproduce the measurement.
    plausible : bool
        Within the plausible range (:data:`PLAUSIBLE_POROSITY`,
        :data:`MAX_PLAUSIBLE_SHELL_CONDUCTIVITY`).
    flag : str
        ``"plausible"``, ``"above-pressed-pellet"`` (porosity above the range),
        ``"closed-pores"`` (below it), ``"above-fastest-conductor"`` (shell), or
        ``"no-solution"``.
    polymer_fraction : float or None
        Porosity used (implied, or assumed for the shell calibration).
    params : dict
        All model parameters used (incl. the calibrated shell conductivity).
    sigma_pellet : float or None
        Effective pellet conductivity of the calibrated layer [S/m].
    sigma_sandwich : float or None
        Sandwich conductivity the calibrated layer reproduces [S/m].
    """

    model: str
    quantity: str
    value: float | None
    plausible: bool
    flag: str
    polymer_fraction: float | None
    params: dict = field(default_factory=dict)
    sigma_pellet: float | None = None
    sigma_sandwich: float | None = None


@dataclass(frozen=True)
class SandwichCalibration:
    """Calibration of one polymer | pellet | polymer sandwich against its measured conductivity.

    Attributes
    ----------
    name : str
        Label, e.g. ``"uvea-latp-uvea"``.
    sigma_apparent, sigma_polymer, sigma_ceramic : float
        Measured sandwich, polymer and dense-pellet conductivities [S/m].
    pellet_thickness, polymer_thickness : float
        Geometry [m] (each polymer layer), ``n_polymer_layers`` of them.
    pellet_fraction : float
        f_c [-].
    sigma_pellet_required : float
        Pellet conductivity that reproduces the measurement [S/m] (inf if none can).
    sigma_series : float
        Naive series estimate of the sandwich with a dense, non-infiltrated pellet [S/m].
    ratio_measured_to_series : float
        sigma_apparent / sigma_series [-].
    models : tuple of ModelCalibration
    """

    name: str
    sigma_apparent: float
    sigma_polymer: float
    sigma_ceramic: float
    pellet_thickness: float
    polymer_thickness: float
    n_polymer_layers: int
    pellet_fraction: float
    sigma_pellet_required: float
    sigma_series: float
    ratio_measured_to_series: float
    models: tuple = ()

    def model(self, name: str) -> ModelCalibration:
        for m in self.models:
            if m.model == name:
                return m
        raise InputError("model", name, "one of " + ", ".join(m.model for m in self.models))

    def to_dict(self) -> dict:
        d = asdict(self)
        d["models"] = [asdict(m) for m in self.models]
        return d


def _porosity_flag(eps: float | None, bounds: tuple[float, float]) -> tuple[bool, str]:
    if eps is None:
        return False, "no-solution"
    if eps > bounds[1]:
        return False, "above-pressed-pellet"
    if eps < bounds[0]:
        return False, "closed-pores"
    return True, "plausible"


def calibrate_sandwich(sigma_apparent: float, sigma_polymer: float, sigma_ceramic: float, *,
                       name: str = "sandwich",
                       pellet_thickness: float = 400e-6, polymer_thickness: float = 100e-6,
                       n_polymer_layers: int = 2,
                       models: tuple[str, ...] | None = None,
                       archie_exponent: float = 1.5,
                       shell_thickness_ratio: float = 0.02,
                       coated_polymer_fraction: float = 0.20,
                       plausible_porosity: tuple[float, float] = PLAUSIBLE_POROSITY,
                       max_shell_conductivity: float = MAX_PLAUSIBLE_SHELL_CONDUCTIVITY) -> SandwichCalibration:
    """Calibrate the pellet of one sandwich by every mixing rule.

    Parameters
    ----------
    sigma_apparent : float
        Measured sandwich conductivity [S/m] (total thickness / (R_b S)).
    sigma_polymer, sigma_ceramic : float
        Conductivity of the polymer film and of the dense pellet [S/m].
    pellet_thickness : float
        Pellet thickness [m]; default 400e-6 (the seed's "about 400 um").
    polymer_thickness : float
        Thickness of each polymer layer [m]; default 100e-6 (the lead's model-file
        assumption: 100 um UVEA on each side; the seed also uses 340 um films).
    n_polymer_layers : int
        Number of polymer layers in series with the pellet (2 for a sandwich).
    models : tuple of str, optional
        Rules to calibrate (default all of :data:`cellsim.composites.mixing.MODELS`).
    archie_exponent : float
        m of the Archie rule.
    shell_thickness_ratio : float
        t/r of the coated-particle rule.
    coated_polymer_fraction : float
        Porosity assumed when calibrating the coated-particle shell conductivity.
    plausible_porosity : (float, float)
        Plausible porosity range of a pressed pellet.
    max_shell_conductivity : float
        Largest plausible shell conductivity [S/m].

    Returns
    -------
    SandwichCalibration
    """
    sa = _pos(sigma_apparent, "sigma_apparent")
    sp = _pos(sigma_polymer, "sigma_polymer")
    sc = _pos(sigma_ceramic, "sigma_ceramic", allow_zero=True)
    lo, hi = (float(b) for b in plausible_porosity)
    if not (0.0 <= lo <= hi <= 1.0):
        raise InputError("plausible_porosity", plausible_porosity, "0 <= low <= high <= 1")
    f = pellet_fraction(pellet_thickness, polymer_thickness, n_polymer_layers)
    target = required_pellet_conductivity(sa, sp, f)
    s_series = sandwich_conductivity(sp, sc, f) if sc > 0 else 0.0
    models = tuple(models) if models is not None else mixing.MODELS
    results = []
    for model in models:
        model = mixing.check_model_name(model)
        if model == "coated-particle":
            params = {"shell_thickness_ratio": float(shell_thickness_ratio)}
            s_int = solve_shell_conductivity(target, sp, sc, coated_polymer_fraction, shell_thickness_ratio)
            if s_int is None:
                ok, flag = False, "no-solution"
            elif s_int > max_shell_conductivity:
                ok, flag = False, "above-fastest-conductor"
            else:
                ok, flag = True, "plausible"
            eps = _fraction(coated_polymer_fraction, "coated_polymer_fraction")
            value = s_int
            if s_int is not None:
                params["shell_conductivity"] = s_int
            quantity = "shell_conductivity"
        else:
            params = {"archie_exponent": float(archie_exponent)} if model == "archie" else {}
            eps = solve_porosity(model, target, sp, sc, **params)
            ok, flag = _porosity_flag(eps, (lo, hi))
            value = eps
            quantity = "porosity"
        s_pel = s_sand = None
        if value is not None:
            s_pel = float(mixing.effective_conductivity(model, sp, sc, eps, **params))
            s_sand = float(sandwich_conductivity(sp, s_pel, f))
        results.append(ModelCalibration(model=model, quantity=quantity, value=value, plausible=ok, flag=flag,
                                        polymer_fraction=eps if value is not None else None, params=params,
                                        sigma_pellet=s_pel, sigma_sandwich=s_sand))
    return SandwichCalibration(name=name, sigma_apparent=sa, sigma_polymer=sp, sigma_ceramic=sc,
                               pellet_thickness=float(pellet_thickness), polymer_thickness=float(polymer_thickness),
                               n_polymer_layers=int(n_polymer_layers), pellet_fraction=f,
                               sigma_pellet_required=target, sigma_series=s_series,
                               ratio_measured_to_series=sa / s_series if s_series > 0 else math.inf,
                               models=tuple(results))


def calibrate_seed_sandwiches(pellet_thickness: float = 400e-6, polymer_thickness: float = 100e-6,
                              table: dict[str, float] | None = None, **kwargs) -> dict[str, SandwichCalibration]:
    """Calibrate the three Table S2 sandwiches (UVEA-LATP/LVO/LTO-UVEA).

    Parameters
    ----------
    pellet_thickness, polymer_thickness : float
        Geometry [m]; defaults: 400 um pellet, 100 um UVEA on each side (an assumption of
        the model files, not a seed measurement).
    table : dict, optional
        Conductivities [S/m] keyed like :data:`SEED_TABLE_S2` (default that table).
    **kwargs
        Passed to :func:`calibrate_sandwich`.

    Returns
    -------
    dict
        ``{"uvea-latp-uvea": SandwichCalibration, ...}``
    """
    t = dict(SEED_TABLE_S2 if table is None else table)
    out = {}
    for lic in ("latp", "lvo", "lto"):
        key = f"uvea-{lic}-uvea"
        out[key] = calibrate_sandwich(t[key], t["uvea"], t[lic], name=key, pellet_thickness=pellet_thickness,
                                      polymer_thickness=polymer_thickness, **kwargs)
    return out

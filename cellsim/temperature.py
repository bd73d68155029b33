"""Temperature laws (Arrhenius, VTF) and their fits to conductivity data.

Laws (physics.md §2.7), each scaling a value known at a reference temperature T_ref:

* Arrhenius, ``form="sigma"`` (default)::

      sigma(T) = sigma_ref exp[-Ea/R (1/T - 1/T_ref)]

* Arrhenius, ``form="sigmaT"`` (hopping conduction, sigma T = A exp(-Ea/(R T)))::

      sigma(T) = sigma_ref (T_ref/T) exp[-Ea/R (1/T - 1/T_ref)]

* Vogel-Tammann-Fulcher (polymers above T_g; sigma = A T^-1/2 exp[-B/(T - T0)])::

      sigma(T) = sigma_ref (T_ref/T)^(1/2) exp[-B/(T - T0) + B/(T_ref - T0)]

Ea [J/mol] (per mole; ``Ea/N_A`` per particle, 1 eV = 96.485 kJ/mol), B and T0 [K].
Sources: S. Arrhenius (1889); H. Vogel (1921), G. S. Fulcher (1925), G. Tammann &
W. Hesse (1926); VTF with the T^-1/2 prefactor as used for PEG electrolytes (Polymer 36,
3779 (1995), physics.md §2.7 [V]).

Fits (:func:`fit_arrhenius`, :func:`fit_vtf`) are weighted least squares in ln sigma, with
the parameter covariance. The CSV table of T and sigma they are fitted to (Fig. S7 style) is
read by :func:`cellsim.data.conductivity_table.read_conductivity_table`; the bulk resistance
of a blocking-electrode spectrum by :func:`cellsim.fitting.bulk.bulk_resistance` (both
names are still importable from here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .checks import finite_number as _finite
from .constants import N_A, E_CHARGE, R, T_ROOM
from .errors import InputError

#: J/mol per eV (per particle).
EV_PER_PARTICLE_TO_J_PER_MOL = E_CHARGE * N_A

_FORMS = ("sigma", "sigmaT")


def __getattr__(name: str):
    """The names that moved out of this module, still importable from it (imported on first use)."""
    if name == "ConductivityTable":
        from .data.conductivity_table import ConductivityTable
        return ConductivityTable
    if name == "read_conductivity_table":
        from .data.conductivity_table import read_conductivity_table
        return read_conductivity_table
    if name == "bulk_resistance":
        from .fitting.bulk import bulk_resistance
        return bulk_resistance
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _temperatures(T, field_name: str = "T", above: float = 0.0) -> np.ndarray:
    try:
        t = np.asarray(T, dtype=float)
    except (TypeError, ValueError):
        raise InputError(field_name, T, "temperatures [K] as numbers") from None
    bad = ~np.isfinite(t) | (t <= above)
    if np.any(bad):
        first = float(np.atleast_1d(t)[np.atleast_1d(bad)][0])
        what = "> 0 K" if above == 0.0 else f"> T0 = {above:g} K"
        raise InputError(field_name, first, f"a finite temperature {what}")
    return t


def _out(a):
    return float(a) if np.ndim(a) == 0 else a


@dataclass(frozen=True)
class Arrhenius:
    """Arrhenius law, immutable.

    Parameters
    ----------
    activation_energy : float
        Ea [J/mol], >= 0.
    reference_temperature : float
        T_ref [K], > 0, where the scaled value equals the reference value.
    form : {"sigma", "sigmaT"}
        ``"sigma"``: sigma = A exp(-Ea/(R T)); ``"sigmaT"``: sigma T = A exp(-Ea/(R T)).

    Examples
    --------
    >>> law = Arrhenius(0.35 * EV_PER_PARTICLE_TO_J_PER_MOL, 298.15)
    >>> round(law.factor(298.15), 12)
    1.0
    """

    activation_energy: float
    reference_temperature: float = T_ROOM
    form: str = "sigma"

    def __post_init__(self):
        object.__setattr__(self, "activation_energy", _finite(self.activation_energy, "arrhenius.activation_energy", 0.0))
        object.__setattr__(self, "reference_temperature",
                           _finite(self.reference_temperature, "arrhenius.reference_temperature", 0.0, low_open=True))
        if self.form not in _FORMS:
            raise InputError("arrhenius.form", self.form, "'sigma' or 'sigmaT'")

    @classmethod
    def from_ev(cls, activation_energy_ev: float, reference_temperature: float = T_ROOM, form: str = "sigma"):
        """Build from Ea in eV (per particle)."""
        return cls(_finite(activation_energy_ev, "arrhenius.activation_energy_eV") * EV_PER_PARTICLE_TO_J_PER_MOL,
                   reference_temperature, form)

    @property
    def activation_energy_ev(self) -> float:
        """Ea [eV per particle]."""
        return self.activation_energy / EV_PER_PARTICLE_TO_J_PER_MOL

    def factor(self, T):
        """value(T)/value(T_ref) [-], vectorised over T [K] (> 0)."""
        t = _temperatures(T)
        tr = self.reference_temperature
        f = np.exp(-self.activation_energy / R * (1.0 / t - 1.0 / tr))
        if self.form == "sigmaT":
            f = f * (tr / t)
        return _out(f)

    def scale(self, value_at_ref, T):
        """Value at T [K] from the value at the reference temperature (any unit)."""
        return _out(np.asarray(value_at_ref, float) * np.asarray(self.factor(T)))

    value = scale

    def describe(self) -> str:
        pre = "sigma T" if self.form == "sigmaT" else "sigma"
        return (f"Arrhenius ({pre} = A exp(-Ea/RT)), Ea = {self.activation_energy / 1e3:.4g} kJ/mol "
                f"({self.activation_energy_ev:.4g} eV), T_ref = {self.reference_temperature:.2f} K")


@dataclass(frozen=True)
class VTF:
    """Vogel-Tammann-Fulcher law sigma = A T^-1/2 exp[-B/(T - T0)], immutable.

    Parameters
    ----------
    B : float
        Pseudo-activation temperature [K], >= 0 (pseudo-activation energy R B per mole).
    T0 : float
        Vogel temperature [K], >= 0 (typically T_g - 50 K).
    reference_temperature : float
        T_ref [K], > T0.
    """

    B: float
    T0: float
    reference_temperature: float = T_ROOM

    def __post_init__(self):
        object.__setattr__(self, "B", _finite(self.B, "vtf.B", 0.0))
        object.__setattr__(self, "T0", _finite(self.T0, "vtf.T0", 0.0))
        tr = _finite(self.reference_temperature, "vtf.reference_temperature", 0.0, low_open=True)
        if tr <= self.T0:
            raise InputError("vtf.reference_temperature", tr, f"> T0 = {self.T0:g} K")
        object.__setattr__(self, "reference_temperature", tr)

    def factor(self, T):
        """value(T)/value(T_ref) [-], vectorised over T [K] (> T0 and > 0)."""
        t = _temperatures(T, above=max(self.T0, 0.0))
        tr = self.reference_temperature
        return _out(np.sqrt(tr / t) * np.exp(-self.B / (t - self.T0) + self.B / (tr - self.T0)))

    def scale(self, value_at_ref, T):
        """Value at T [K] from the value at the reference temperature (any unit)."""
        return _out(np.asarray(value_at_ref, float) * np.asarray(self.factor(T)))

    value = scale

    def apparent_activation_energy(self, T):
        """Local Arrhenius slope [J/mol]: ``Ea_app = -R dln(sigma)/d(1/T) = R [B T^2/(T - T0)^2 - T/2]``."""
        t = _temperatures(T, above=self.T0)
        return _out(R * (self.B * t * t / (t - self.T0) ** 2 - 0.5 * t))

    def describe(self) -> str:
        return (f"VTF (sigma = A T^-1/2 exp(-B/(T - T0))), B = {self.B:.4g} K, T0 = {self.T0:.4g} K, "
                f"T_ref = {self.reference_temperature:.2f} K")


# --------------------------------------------------------------------------------------------
# Fits
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TemperatureFit:
    """Result of a fit of conductivity against temperature.

    Attributes
    ----------
    law : str
        ``"arrhenius"`` or ``"vtf"``.
    form : str
        Arrhenius form (``"sigma"``/``"sigmaT"``); ``"vtf"`` for VTF.
    names : tuple of str
        Parameter names: ``("ln_sigma_ref", "activation_energy")`` [ln(S/m), J/mol] or
        ``("ln_sigma_ref", "B", "T0")`` [ln(S/m), K, K].
    values, stderr : ndarray
        Estimates and standard errors.
    covariance : ndarray
        Parameter covariance.
    reference_temperature : float
        T_ref [K] of ``sigma_ref``.
    chi2 : float
        Weighted sum of squared residuals in ln sigma.
    dof : int
        n_points - n_parameters.
    absolute_sigma : bool
        True when the covariance uses the given uncertainties as they are; False when it is
        scaled by chi2/dof (no uncertainties given).
    temperature, sigma, weights : ndarray
        The data [K], [S/m] and the weights 1/std(ln sigma) used.
    """

    law: str
    form: str
    names: tuple
    values: np.ndarray
    stderr: np.ndarray
    covariance: np.ndarray
    reference_temperature: float
    chi2: float
    dof: int
    absolute_sigma: bool
    temperature: np.ndarray = field(repr=False, default=None)
    sigma: np.ndarray = field(repr=False, default=None)
    weights: np.ndarray = field(repr=False, default=None)

    def parameter(self, name: str) -> tuple[float, float]:
        """(value, stderr) of a named parameter."""
        if name not in self.names:
            raise InputError("parameter", name, "one of " + ", ".join(self.names))
        i = self.names.index(name)
        return float(self.values[i]), float(self.stderr[i])

    @property
    def sigma_ref(self) -> float:
        """Fitted conductivity at the reference temperature [S/m]."""
        return float(math.exp(self.values[0]))

    @property
    def sigma_ref_stderr(self) -> float:
        """Standard error of sigma_ref [S/m] (delta method: sigma_ref x stderr(ln sigma_ref))."""
        return self.sigma_ref * float(self.stderr[0])

    def model(self):
        """The fitted law as an :class:`Arrhenius` or :class:`VTF` object."""
        if self.law == "arrhenius":
            return Arrhenius(max(float(self.values[1]), 0.0), self.reference_temperature, self.form)
        return VTF(max(float(self.values[1]), 0.0), max(float(self.values[2]), 0.0), self.reference_temperature)

    def predict(self, T):
        """Fitted conductivity [S/m] at T [K]."""
        t = _temperatures(T)
        return _out(np.exp(_log_model(self.law, self.form, self.values, t, self.reference_temperature)))

    def to_dict(self) -> dict:
        """JSON-ready dict with SI-suffixed keys."""
        d = {
            "law": self.law,
            "form": self.form,
            "reference_temperature_K": self.reference_temperature,
            "sigma_ref_S_m": self.sigma_ref,
            "sigma_ref_stderr_S_m": self.sigma_ref_stderr,
            "ln_sigma_ref": float(self.values[0]),
            "ln_sigma_ref_stderr": float(self.stderr[0]),
            "parameter_names": list(self.names),
            "covariance": self.covariance.tolist(),
            "chi2": self.chi2,
            "dof": self.dof,
            "absolute_sigma": self.absolute_sigma,
            "n_points": int(self.temperature.size),
        }
        if self.law == "arrhenius":
            ea, sea = self.parameter("activation_energy")
            d.update(activation_energy_J_mol=ea, activation_energy_stderr_J_mol=sea,
                     activation_energy_eV=ea / EV_PER_PARTICLE_TO_J_PER_MOL,
                     activation_energy_stderr_eV=sea / EV_PER_PARTICLE_TO_J_PER_MOL)
        else:
            b, sb = self.parameter("B")
            t0, st0 = self.parameter("T0")
            d.update(B_K=b, B_stderr_K=sb, T0_K=t0, T0_stderr_K=st0,
                     pseudo_activation_energy_J_mol=R * b, pseudo_activation_energy_eV=R * b / EV_PER_PARTICLE_TO_J_PER_MOL)
        return d


def _log_model(law, form, p, t, tr):
    if law == "arrhenius":
        y = p[0] - p[1] / R * (1.0 / t - 1.0 / tr)
        if form == "sigmaT":
            y = y + np.log(tr / t)
        return y
    return p[0] - 0.5 * np.log(t / tr) - p[1] / (t - p[2]) + p[1] / (tr - p[2])


def _prepare(T, sigma, sigma_err, n_params):
    t = _temperatures(T)
    s = np.asarray(sigma, dtype=float)
    if t.ndim != 1 or s.shape != t.shape:
        raise InputError("sigma", f"shape {s.shape}", f"one conductivity per temperature (shape {t.shape})")
    if np.any(~np.isfinite(s) | (s <= 0)):
        raise InputError("sigma", float(s[~np.isfinite(s) | (s <= 0)][0]), "conductivities > 0 S/m")
    if t.size < n_params + 1:
        raise InputError("n_points", int(t.size), f">= {n_params + 1} points for {n_params} parameters")
    if sigma_err is None:
        w = np.ones_like(s)
        absolute = False
    else:
        e = np.asarray(sigma_err, dtype=float)
        if e.shape != s.shape or np.any(~np.isfinite(e) | (e <= 0)):
            raise InputError("sigma_err", sigma_err, "one uncertainty > 0 S/m per point")
        w = s / e  # std(ln sigma) = sigma_err/sigma to first order
        absolute = True
    return t, s, w, absolute


def fit_arrhenius(T, sigma, sigma_err=None, *, form: str = "sigma",
                  reference_temperature: float = T_ROOM) -> TemperatureFit:
    """Weighted linear least squares of ln sigma against 1/T (Arrhenius).

    Model: ``ln sigma = ln sigma_ref - Ea/R (1/T - 1/T_ref) [+ ln(T_ref/T) for sigmaT]``,
    weights ``w_i = sigma_i / sigma_err_i`` (the standard deviation of ln sigma). The
    covariance is ``(J^T W J)^-1``; without ``sigma_err`` unit weights are used and the
    covariance is scaled by chi2/dof.

    Parameters
    ----------
    T : array_like
        Temperatures [K].
    sigma : array_like
        Conductivities [S/m] (> 0).
    sigma_err : array_like, optional
        One-sigma uncertainties of sigma [S/m].
    form : {"sigma", "sigmaT"}
    reference_temperature : float
        T_ref [K] at which sigma_ref is reported (default 295.15 K).

    Returns
    -------
    TemperatureFit
        ``names = ("ln_sigma_ref", "activation_energy")``.
    """
    if form not in _FORMS:
        raise InputError("form", form, "'sigma' or 'sigmaT'")
    tr = _finite(reference_temperature, "reference_temperature", 0.0, low_open=True)
    t, s, w, absolute = _prepare(T, sigma, sigma_err, 2)
    y = np.log(s) - (np.log(tr / t) if form == "sigmaT" else 0.0)
    J = np.column_stack([np.ones_like(t), -(1.0 / t - 1.0 / tr) / R])
    Jw, yw = J * w[:, None], y * w
    p, *_ = np.linalg.lstsq(Jw, yw, rcond=None)
    res = yw - Jw @ p
    chi2 = float(res @ res)
    dof = t.size - 2
    cov = _covariance(Jw, chi2, dof, absolute)
    return TemperatureFit("arrhenius", form, ("ln_sigma_ref", "activation_energy"), p, np.sqrt(np.diag(cov)), cov,
                          tr, chi2, dof, absolute, t, s, w)


def _covariance(Jw, chi2, dof, absolute):
    # via SVD for conditioning
    _, sv, vt = np.linalg.svd(Jw, full_matrices=False)
    if sv[-1] <= sv[0] * 1e-14:
        from .errors import SolverError
        raise SolverError("the fit's Jacobian is singular: parameters are not identifiable from these data")
    cov = (vt.T / sv ** 2) @ vt
    if not absolute:
        cov = cov * (chi2 / dof if dof > 0 else math.inf)
    return cov


def fit_vtf(T, sigma, sigma_err=None, *, reference_temperature: float = T_ROOM,
            T0_bounds: tuple[float, float] | None = None) -> TemperatureFit:
    """Weighted non-linear least squares of ln sigma with the VTF law.

    Model: ``ln sigma = ln sigma_ref - 1/2 ln(T/T_ref) - B/(T - T0) + B/(T_ref - T0)``.
    For fixed T0 the model is linear in (ln sigma_ref, B); T0 is found by minimising the
    profiled chi2 (grid, then bounded scalar refinement), then all three parameters are
    polished with ``scipy.optimize.least_squares`` and the covariance is taken from its
    Jacobian, ``(J^T W J)^-1`` (scaled by chi2/dof when no uncertainties are given).

    Parameters
    ----------
    T, sigma, sigma_err, reference_temperature
        As in :func:`fit_arrhenius`; at least 4 points.
    T0_bounds : (float, float), optional
        Search range of T0 [K]; default [0, min(T) - 1 K] (also capped below T_ref).

    Returns
    -------
    TemperatureFit
        ``names = ("ln_sigma_ref", "B", "T0")``.
    """
    from scipy.optimize import least_squares, minimize_scalar

    tr = _finite(reference_temperature, "reference_temperature", 0.0, low_open=True)
    t, s, w, absolute = _prepare(T, sigma, sigma_err, 3)
    y = np.log(s) + 0.5 * np.log(t / tr)
    upper = min(float(t.min()), tr) - 1.0
    lo, hi = (0.0, upper) if T0_bounds is None else (float(T0_bounds[0]), min(float(T0_bounds[1]), upper))
    if not (0.0 <= lo < hi):
        raise InputError("T0_bounds", T0_bounds if T0_bounds is not None else (lo, hi),
                         f"0 <= low < high <= min(T) - 1 K = {upper:g} K")

    def linear(t0):
        J = np.column_stack([np.ones_like(t), -(1.0 / (t - t0) - 1.0 / (tr - t0))])
        Jw, yw = J * w[:, None], y * w
        p, *_ = np.linalg.lstsq(Jw, yw, rcond=None)
        r = yw - Jw @ p
        return float(r @ r), p

    grid = np.linspace(lo, hi, 121)
    chis = np.array([linear(g)[0] for g in grid])
    k = int(np.argmin(chis))
    a, b = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    t0 = float(minimize_scalar(lambda x: linear(x)[0], bounds=(a, b), method="bounded",
                               options={"xatol": 1e-9 * max(1.0, hi)}).x) if b > a else float(grid[k])
    p_lin = linear(t0)[1]
    p0 = np.array([p_lin[0], p_lin[1], t0])

    def resid(p):
        return w * (np.log(s) - _log_model("vtf", "vtf", p, t, tr))

    sol = least_squares(resid, p0, bounds=([-np.inf, -np.inf, lo], [np.inf, np.inf, hi]), x_scale="jac",
                        xtol=1e-14, ftol=1e-14, gtol=1e-14, max_nfev=2000)
    p = sol.x
    chi2 = float(sol.fun @ sol.fun)
    dof = t.size - 3
    # analytic Jacobian of the model in ln sigma
    d = t - p[2]
    dr = tr - p[2]
    J = np.column_stack([np.ones_like(t), -1.0 / d + 1.0 / dr, -p[1] / d ** 2 + p[1] / dr ** 2])
    cov = _covariance(J * w[:, None], chi2, dof, absolute)
    return TemperatureFit("vtf", "vtf", ("ln_sigma_ref", "B", "T0"), p, np.sqrt(np.diag(cov)), cov,
                          tr, chi2, dof, absolute, t, s, w)

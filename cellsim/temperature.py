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
the parameter covariance; :func:`read_conductivity_table` reads a CSV table of T and sigma
(Fig. S7 style).
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .constants import N_A, E_CHARGE, R, T_ROOM
from .errors import FileFormatError, InputError

#: J/mol per eV (per particle).
EV_PER_PARTICLE_TO_J_PER_MOL = E_CHARGE * N_A

_FORMS = ("sigma", "sigmaT")


def _finite(value, field_name: str, low: float | None = None, low_open: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(field_name, value, "a real number") from None
    if not math.isfinite(v):
        raise InputError(field_name, value, "a finite number")
    if low is not None and (v < low or (low_open and v == low)):
        raise InputError(field_name, value, f"{'>' if low_open else '>='} {low:g}")
    return v


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


# --------------------------------------------------------------------------------------------
# Reading tables of T and sigma
# --------------------------------------------------------------------------------------------

_T_UNITS = {"k": ("K", 0.0), "kelvin": ("K", 0.0), "degc": ("degC", 273.15), "c": ("degC", 273.15),
            "celsius": ("degC", 273.15), "°c": ("degC", 273.15), "oc": ("degC", 273.15)}
_SIGMA_NAMES = ("sigma", "conductivity", "kappa", "ionic_conductivity", "sigma_ion")
_R_NAMES = ("r", "rb", "r_b", "resistance", "bulk_resistance")
_ERR_PREFIXES = ("sigma_err", "sigma_error", "sigma_stderr", "sigma_std", "dsigma", "err_sigma", "u_sigma",
                 "sigma_uncertainty", "conductivity_err", "conductivity_error", "conductivity_stderr")


def _split_header(name: str) -> tuple[str, str]:
    """``"sigma_S_cm"`` -> ("sigma", "S/cm"); ``"T (degC)"`` -> ("t", "degC")."""
    raw = name.strip().lstrip("\ufeff")
    m = re.match(r"^(.*?)\s*[\(\[]\s*(.+?)\s*[\)\]]\s*$", raw)
    if m:
        return m.group(1).strip().lower().replace(" ", "_").replace("-", "_"), m.group(2).strip()
    key = raw.lower().replace(" ", "_").replace("-", "_")
    for base in sorted(_ERR_PREFIXES + _SIGMA_NAMES + _R_NAMES + ("t", "temperature", "temp"), key=len, reverse=True):
        if key == base:
            return key, ""
        if key.startswith(base + "_"):
            unit = raw[len(base) + 1:]
            return base, unit
    return key, ""


def _conductivity_factor(unit: str, path: str, column: str) -> float:
    from .units import parse_quantity
    from .errors import UnitError

    text = unit.replace("_", "/", 1) if "/" not in unit and " " not in unit else unit
    # "S_cm" -> "S/cm", "mS_cm" -> "mS/cm", "S_m" -> "S/m"
    try:
        return parse_quantity(f"1 {text}", "conductivity", column, path)
    except UnitError:
        raise FileFormatError(path, f"column {column!r}: unknown conductivity unit {unit!r} "
                                    "(use e.g. sigma_S_cm, sigma_mS_cm, sigma_S_m or 'sigma (S/cm)')", 1) from None


@dataclass(frozen=True)
class ConductivityTable:
    """Conductivity against temperature, SI.

    Attributes
    ----------
    temperature : ndarray
        T [K].
    sigma : ndarray
        Conductivity [S/m].
    sigma_err : ndarray or None
        One-sigma uncertainty [S/m].
    source : str
        File it was read from.
    resistance : ndarray or None
        Bulk resistance [ohm] when the conductivity was computed from resistances or
        spectra (``sigma = L/(R S)``).
    """

    temperature: np.ndarray
    sigma: np.ndarray
    sigma_err: np.ndarray | None = None
    source: str = ""
    resistance: np.ndarray | None = None


def bulk_resistance(frequency, z) -> float:
    """Bulk resistance [ohm] of a blocking-electrode spectrum (SS | electrolyte | SS).

    Read where the Nyquist plot meets the real axis between the bulk arc and the blocking
    spike: scanning from the highest frequency, (i) if -Z'' crosses zero (inductive high-
    frequency tail), Z' interpolated at the crossing; otherwise (ii) Z' at the first valley of
    -Z'' that follows a bulk arc; otherwise (iii, no arc in the window, the usual case for a
    polymer film above ~1e-4 S/cm) Z' of the highest-frequency point. This is the graphical
    reading of the seed's Eq. 1 measurements (Figs. S5a, S7a, S8), an estimate: a fit of an
    equivalent circuit (``cellsim fit``) is more accurate.

    Parameters
    ----------
    frequency : array_like
        Frequencies [Hz].
    z : array_like
        Complex impedance [ohm], ``z.imag < 0`` capacitive.
    """
    f = np.asarray(frequency, dtype=float).ravel()
    zz = np.asarray(z, dtype=complex).ravel()
    if f.size != zz.size or f.size < 2 or np.any(~np.isfinite(f)) or np.any(~np.isfinite(zz)):
        raise InputError("spectrum", f"{f.size} frequencies, {zz.size} impedances", ">= 2 finite points, one z per frequency")
    order = np.argsort(-f)
    zr, y = zz.real[order], -zz.imag[order]
    if y[0] <= 0:
        pos = np.nonzero(y > 0)[0]
        if pos.size == 0:
            raise InputError("spectrum", "no capacitive point (-Z'' > 0)", "a blocking-electrode impedance spectrum")
        k = int(pos[0])
        y0, y1 = y[k - 1], y[k]
        return float(zr[k - 1] + (zr[k] - zr[k - 1]) * (0.0 - y0) / (y1 - y0))
    seen_peak = False
    for i in range(1, y.size - 1):
        if y[i] >= y[i - 1] and y[i] > y[i + 1]:
            seen_peak = True
        elif seen_peak and y[i] <= y[i - 1] and y[i] < y[i + 1]:
            return float(zr[i])
    return float(zr[0])


def read_conductivity_table(path, thickness: float | None = None, area: float | None = None) -> ConductivityTable:
    """Read a CSV table of conductivity (or resistance, or spectra) against temperature.

    The header names the columns with their units. A temperature column ``T_K`` or
    ``T_degC`` (also ``T_C``, ``temperature_K``, ``T (K)``, ``T (degC)``) and one of

    * a conductivity column ``sigma_S_cm``, ``sigma_mS_cm``, ``sigma_S_m`` (also
      ``conductivity_...``, ``sigma (S/cm)``), optionally an uncertainty column
      ``sigma_err_<unit>`` (also ``sigma_stderr_``, ``dsigma_``, ...);
    * a bulk-resistance column ``R_ohm`` (also ``R_kohm``, ``Rb_ohm``, ``R (ohm)``),
      converted with the seed's Eq. 1, ``sigma = L/(R S)``; needs ``thickness`` and ``area``;
    * a ``file`` column naming impedance spectra (paths relative to the table; any format
      :func:`cellsim.data.read_spectrum` reads); R_b from :func:`bulk_resistance`, then Eq. 1.

    Comma, semicolon or tab separated; lines starting with ``#`` are comments.

    Parameters
    ----------
    path : str or Path
    thickness : float, optional
        Sample thickness L [m] (resistance or spectra tables).
    area : float, optional
        Electrode area S [m2] (resistance or spectra tables).

    Raises
    ------
    FileFormatError
        Missing file, missing or ambiguous columns, unknown units, non-numeric cells,
        non-positive values (the message names file, line and column).
    InputError
        Resistances or spectra without ``thickness`` and ``area``.
    """
    p = Path(path)
    where = str(p)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise FileFormatError(where, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = [(i + 1, ln) for i, ln in enumerate(text.splitlines()) if ln.strip() and not ln.lstrip().startswith("#")]
    if not lines:
        raise FileFormatError(where, "empty file: expected a header such as 'T_degC,sigma_S_cm' and data rows")
    header_line, header = lines[0]
    try:
        delim = csv.Sniffer().sniff(header, delimiters=",;\t").delimiter
    except csv.Error:
        delim = ","
    cols = next(csv.reader(io.StringIO(header), delimiter=delim))
    idx: dict[str, int] = {}
    factor = {"sigma": 1.0, "err": 1.0, "r": 1.0}
    t_offset = 0.0

    def claim(role: str, j: int, name: str):
        if role in idx:
            raise FileFormatError(where, f"two {role} columns ({cols[idx[role]]!r}, {name!r})", header_line)
        idx[role] = j

    for j, name in enumerate(cols):
        base, unit = _split_header(name)
        if base in ("t", "temperature", "temp"):
            u = _T_UNITS.get(unit.lower())
            if u is None:
                raise FileFormatError(where, f"column {name!r}: temperature unit {unit!r} not understood "
                                             "(use T_K or T_degC)", header_line)
            claim("temperature", j, name)
            t_offset = u[1]
        elif base in _ERR_PREFIXES:
            claim("uncertainty", j, name)
            factor["err"] = _conductivity_factor(unit, where, name)
        elif base in _SIGMA_NAMES:
            if not unit:
                raise FileFormatError(where, f"column {name!r} has no unit (use e.g. sigma_S_cm)", header_line)
            claim("conductivity", j, name)
            factor["sigma"] = _conductivity_factor(unit, where, name)
        elif base in _R_NAMES:
            if not unit:
                raise FileFormatError(where, f"column {name!r} has no unit (use e.g. R_ohm)", header_line)
            claim("resistance", j, name)
            factor["r"] = _resistance_factor(unit, where, name)
        elif base in ("file", "path", "spectrum"):
            claim("file", j, name)
    kinds = [k for k in ("conductivity", "resistance", "file") if k in idx]
    if "temperature" not in idx or len(kinds) != 1:
        raise FileFormatError(where, f"header {header.strip()!r} needs a temperature column (T_K or T_degC) and "
                                     "exactly one of: a conductivity column with its unit (e.g. sigma_S_cm), a "
                                     "resistance column (R_ohm) or a spectrum file column (file)", header_line)
    kind = kinds[0]
    if kind != "conductivity":
        if thickness is None or area is None:
            raise InputError("thickness/area", (thickness, area),
                             f"the sample thickness and electrode area to convert the {kind} column to "
                             "conductivity (sigma = L/(R S))", where)
        thickness = _finite(thickness, "thickness", 0.0, low_open=True)
        area = _finite(area, "area", 0.0, low_open=True)
    T, V, E = [], [], []
    for lineno, ln in lines[1:]:
        row = next(csv.reader(io.StringIO(ln), delimiter=delim))
        if len(row) != len(cols):
            raise FileFormatError(where, f"{len(row)} columns, the header has {len(cols)}", lineno)

        def number(role):
            j = idx[role]
            cell = row[j].strip()
            try:
                v = float(cell)
            except ValueError:
                raise FileFormatError(where, f"column {cols[j]!r}: {cell!r} is not a number", lineno) from None
            if not math.isfinite(v):
                raise FileFormatError(where, f"column {cols[j]!r}: {cell!r} is not finite", lineno)
            return v

        tk = number("temperature") + t_offset
        if tk <= 0:
            raise FileFormatError(where, f"column {cols[idx['temperature']]!r}: {row[idx['temperature']].strip()} "
                                         "is not above 0 K", lineno)
        if kind == "file":
            fname = row[idx["file"]].strip()
            fpath = Path(fname) if Path(fname).is_absolute() else p.parent / fname
            from .data import read_spectrum

            spec = read_spectrum(fpath)
            try:
                v = bulk_resistance(spec.frequency, spec.z)
            except InputError as exc:
                raise FileFormatError(str(fpath), f"no bulk resistance: {exc}", None) from None
            if not v > 0:
                raise FileFormatError(str(fpath), f"bulk resistance read as {v:g} ohm (not > 0)", None)
        else:
            col = "conductivity" if kind == "conductivity" else "resistance"
            v = number(col)
            if v <= 0:
                raise FileFormatError(where, f"column {cols[idx[col]]!r}: {row[idx[col]].strip()} is not > 0", lineno)
            v *= factor["sigma"] if kind == "conductivity" else factor["r"]
        if "uncertainty" in idx:
            e = number("uncertainty")
            if e <= 0:
                raise FileFormatError(where, f"column {cols[idx['uncertainty']]!r}: {row[idx['uncertainty']].strip()} "
                                             "is not an uncertainty > 0", lineno)
            E.append(e * factor["err"])
        T.append(tk)
        V.append(v)
    if not T:
        raise FileFormatError(where, "no data rows after the header", header_line)
    V = np.array(V)
    if kind == "conductivity":
        return ConductivityTable(np.array(T), V, np.array(E) if E else None, where)
    sigma = thickness / (V * area)
    err = None
    if E:  # uncertainty given in conductivity units
        err = np.array(E)
    return ConductivityTable(np.array(T), sigma, err, where, resistance=V)



def _resistance_factor(unit: str, path: str, column: str) -> float:
    from .errors import UnitError
    from .units import parse_quantity

    try:
        return parse_quantity(f"1 {unit}", "resistance", column, path)
    except UnitError:
        raise FileFormatError(path, f"column {column!r}: unknown resistance unit {unit!r} (use e.g. R_ohm, R_kohm)",
                              1) from None

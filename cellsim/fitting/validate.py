"""Model vs measurement (SPEC C7): fit a stack's uncertain parameters to a measured spectrum.

The stack's equivalent circuit is composed by :func:`cellsim.circuits.compose_circuit`
(physics.md §2.3). Every circuit parameter carries a provenance line with the status of
its source (``[seed]``, ``[verified]``, ``[literature]``, ``[estimate]``, ``[assumed]``,
``[calibrated]``, ...). The fit frees only the *uncertain* parameters of the quantities a
measurement can correct:

* interfaces (charge transfer, polymer|ceramic transfer, interphases, blocking double
  layers): their R, C, CPE Q and n,
* layer bulk and grain-boundary resistances (i.e. the layers' effective conductivities),

when their provenance status is ``estimate``, ``assumed`` or ``calibrated``. Everything else
(geometric capacitances, diffusion elements, electronic leakage, and every value with a
measured or verified source) keeps its sourced value. Parameters of identical interfaces
of a symmetric cell (same kind, same source, same value) are tied to one value, since a
spectrum cannot tell them apart.

The fitted parameters are reported as physical quantities with standard errors
(propagated to first order from the fit's full covariance):

* interface area-specific resistance ASR = R S [ohm m2] (lab: ohm cm2),
* interface capacitance per area c = C/S [F/m2] (lab: uF/cm2), CPE q = Q/S [F s^(n-1)/m2]
  and exponent n,
* layer conductivity sigma = L/(R S) [S/m] (lab: mS/cm; seed Eq. 1),
  stderr(sigma) = sigma stderr(R)/R,

together with the residuals, the lin-KK test of the data (:func:`cellsim.fitting.lin_kk`)
and an overlay plot (data, model with sourced values, fitted model).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..errors import InputError

__all__ = ["ValidationResult", "validate_model", "uncertain_parameters", "UNCERTAIN_STATUSES"]

UNCERTAIN_STATUSES = ("estimate", "assumed", "calibrated")
_STATUS = re.compile(r"\[(seed|verified|literature|computed|estimate|assumed|calibrated)\]")


@dataclass(frozen=True, eq=False)
class ValidationResult:
    """Result of :func:`validate_model`.

    Attributes
    ----------
    stack : cellsim.stack.Stack
    circuit : cellsim.circuits.Circuit
        The composed circuit.
    model_parameters : dict
        The composed (sourced) values [SI].
    fitted : list of str
        Names of the parameters that were fitted (tied followers included).
    ties : list of list of str
        Groups of parameters constrained to one value.
    fit : cellsim.fitting.FitResult
    quantities : list of dict
        Each with ``quantity`` (``asr``, ``capacitance``, ``cpe_q``, ``cpe_n``,
        ``conductivity``, ``grain_boundary_conductivity``), ``where`` (interface or
        layer name(s)), ``parameter``, ``value``, ``stderr``, ``model_value`` [SI], ``unit``
        (SI), ``key`` (JSON key with SI suffix) and the lab-unit ``lab_value``,
        ``lab_stderr``, ``lab_unit``.
    kk : cellsim.fitting.KKResult
    frequency, z, z_model, z_fit : numpy.ndarray
        [Hz], measured, predicted with sourced values and fitted impedance [ohm].
    """

    stack: object
    circuit: object
    model_parameters: dict
    fitted: list
    ties: list
    fit: object
    quantities: list
    kk: object
    frequency: np.ndarray
    z: np.ndarray
    z_model: np.ndarray
    z_fit: np.ndarray
    notes: list = field(default_factory=list)

    @property
    def weighted_ssr(self) -> float:
        """chi^2 of the fit."""
        return self.fit.weighted_ssr

    def plot(self, path=None, title: str | None = None):
        """Nyquist overlay of the measurement, the model with sourced values and the fit.

        Returns the matplotlib figure (saved atomically to ``path`` when given).
        """
        from .. import plotting
        from ..frequencies import dense_frequencies

        fd = dense_frequencies(self.frequency)
        name = getattr(self.stack, "name", "model")
        return plotting.nyquist([
            {"frequency": self.frequency, "z": self.z, "label": "measured", "style": "points"},
            {"frequency": fd, "z": self.circuit.impedance(fd, self.model_parameters), "label": f"{name} (sourced values)"},
            {"frequency": fd, "z": self.circuit.impedance(fd, self.fit.values), "label": "fitted"}],
            path, title=title or f"{name}: model vs measurement")

    @property
    def model_weighted_ssr(self) -> float:
        """chi^2 of the prediction with the sourced values (same weighting)."""
        from .fit import weights

        sr, si = weights(self.z, self.fit.weighting if self.fit.weighting in ("modulus", "proportional", "unit")
                         else "modulus")
        d = self.z_model - self.z
        return float(np.sum((d.real / sr) ** 2 + (d.imag / si) ** 2))


def uncertain_parameters(composed) -> list[str]:
    """Names of the composed circuit's parameters that :func:`validate_model` fits by default.

    Parameters of interface/blocking groups (all) and of bulk/grain-boundary groups (their
    resistance only) whose provenance carries an uncertain status (module docstring).
    """
    c = composed.circuit
    owner = c.parameter_elements
    names = c.parameter_names
    out = []
    for g in composed.groups:
        if g.kind not in ("interface", "blocking", "bulk", "grain_boundary"):
            continue
        elements = set(re.findall(r"[A-Za-z]+\d+", g.text))
        for n, el in zip(names, owner):
            if el not in elements:
                continue
            if g.kind in ("bulk", "grain_boundary") and not el.startswith("R"):
                continue
            statuses = set(_STATUS.findall(composed.provenance.get(n, "")))
            if statuses & set(UNCERTAIN_STATUSES):
                out.append(n)
    return [n for n in names if n in set(out)]


def _group_of(composed, name: str):
    el = composed.circuit.parameter_elements[composed.circuit.index(name)]
    for g in composed.groups:
        if el in set(re.findall(r"[A-Za-z]+\d+", g.text)):
            return g
    return None  # pragma: no cover - every parameter belongs to a group


def _ties(composed, fitted: list[str]) -> list[list[str]]:
    """Groups of fitted interface parameters identical up to the interface name."""
    c = composed.circuit
    keys: dict = {}
    for n in fitted:
        g = _group_of(composed, n)
        if g is None or g.kind not in ("interface", "blocking"):
            continue
        prov = composed.provenance[n]
        prov = prov.replace(g.where, "*")
        key = (g.kind, c.parameter_labels[c.index(n)], prov, round(float(np.log(composed.parameters[n])), 9))
        keys.setdefault(key, []).append(n)
    return [v for v in keys.values() if len(v) > 1]


def validate_model(model, data, *, fit_parameters=None, tie_symmetric: bool = True, weight: str = "modulus",
                   fmin: float | None = None, fmax: float | None = None, temperature: float | None = None,
                   n_starts: int = 6, seed: int = 0) -> ValidationResult:
    """Fit a stack's uncertain parameters to a measured spectrum and report physical quantities.

    Parameters
    ----------
    model : cellsim.stack.Stack or str or path
        The cell (a model name such as ``"li-uvea-latp-uvea-li"`` or a TOML path is loaded).
    data : cellsim.data.Spectrum or str or path
        The measurement (a path is read with :func:`cellsim.data.read_spectrum`, first loop).
    fit_parameters : sequence of str, optional
        Override the parameters to fit (names of the composed circuit); default
        :func:`uncertain_parameters`.
    tie_symmetric : bool
        Tie the parameters of identical interfaces (symmetric cells).
    weight, fmin, fmax, n_starts, seed
        As in :func:`cellsim.fitting.fit`.
    temperature : float, optional
        T [K] of the measurement; default the stack's.

    Returns
    -------
    ValidationResult

    Raises
    ------
    cellsim.errors.InputError
        When no parameter is left to fit or a name is unknown.
    """
    from ..circuits import compose_circuit
    from ..data import Spectrum, read_spectrum
    from .fit import fit
    from .kk import lin_kk

    if isinstance(model, (str, bytes)) or hasattr(model, "__fspath__"):
        from ..models import load_model

        model = load_model(model)
    stack = model
    if not isinstance(data, Spectrum):
        data = read_spectrum(data)
    spec = data.band(fmin, fmax) if (fmin is not None or fmax is not None) else data
    cc = compose_circuit(stack, temperature=temperature)
    circuit = cc.circuit
    if fit_parameters is None:
        fitted = uncertain_parameters(cc)
    else:
        fitted = list(fit_parameters)
        for n in fitted:
            circuit.index(n)
    if not fitted:
        raise InputError("fit_parameters", [], "at least one parameter to fit (the model has no uncertain "
                                               "interface or conductivity parameters)")
    ties = _ties(cc, fitted) if tie_symmetric else []
    fixed = {n: v for n, v in cc.parameters.items() if n not in fitted}
    guess = {n: cc.parameters[n] for n in fitted}
    res = fit(circuit, spec, guess=guess, fixed=fixed, weight=weight, n_starts=n_starts, seed=seed, tie=ties)
    kk = lin_kk(spec.frequency, spec.z)
    z_model = circuit.impedance(spec.frequency, cc.values)
    quantities = _quantities(stack, cc, res, fitted, ties, temperature)
    notes = list(cc.notes)
    return ValidationResult(stack=stack, circuit=circuit, model_parameters=dict(cc.parameters), fitted=fitted,
                            ties=ties, fit=res, quantities=quantities, kk=kk, frequency=spec.frequency, z=spec.z,
                            z_model=z_model, z_fit=res.z_fit, notes=notes)


def _quantities(stack, cc, res, fitted, ties, temperature) -> list[dict]:
    circuit = cc.circuit
    S = stack.area
    follower = {n for grp in ties for n in grp[1:]}
    tied_with = {grp[0]: grp for grp in ties}
    out = []
    for n in fitted:
        if n in follower:
            continue
        i = circuit.index(n)
        v, e = float(res.values[i]), float(res.stderr[i])
        v0 = float(cc.parameters[n])
        g = _group_of(cc, n)
        members = tied_with.get(n, [n])
        where = " = ".join(_group_of(cc, m).where for m in members)
        label = circuit.parameter_labels[i]
        prefix = circuit.parameter_elements[i].rstrip("0123456789")
        if g.kind in ("interface", "blocking"):
            if prefix == "R":
                q = dict(quantity="asr", value=v * S, stderr=e * S, model_value=v0 * S, unit="ohm m2",
                         key="asr_ohm_m2", lab_factor=1e4, lab_unit="ohm cm2")
            elif prefix == "C":
                q = dict(quantity="capacitance", value=v / S, stderr=e / S, model_value=v0 / S, unit="F/m2",
                         key="capacitance_F_m2", lab_factor=1e2, lab_unit="uF/cm2")
            elif prefix == "CPE" and label != "n":
                q = dict(quantity="cpe_q", value=v / S, stderr=e / S, model_value=v0 / S, unit="F s^(n-1)/m2",
                         key="cpe_q_F_s_m2", lab_factor=1e2, lab_unit="uF s^(n-1)/cm2")
            else:
                q = dict(quantity="cpe_n" if prefix == "CPE" else label, value=v, stderr=e, model_value=v0, unit="",
                         key=f"{'cpe_n' if prefix == 'CPE' else label}", lab_factor=1.0, lab_unit="")
        else:
            layer = stack.layers[stack.layer_index(g.where)]
            L = layer.thickness
            sigma = L / (v * S)
            kind = "conductivity" if g.kind == "bulk" else "grain_boundary_conductivity"
            q = dict(quantity=kind, value=sigma, stderr=sigma * e / v, model_value=L / (v0 * S), unit="S/m",
                     key=f"{kind}_S_m", lab_factor=10.0, lab_unit="mS/cm")
        f = q.pop("lab_factor")
        q.update(where=where, parameter=n, tied=members[1:], lab_value=q["value"] * f, lab_stderr=q["stderr"] * f,
                 lab_model_value=q["model_value"] * f, circuit_value=v, circuit_stderr=e)
        out.append(q)
    return out

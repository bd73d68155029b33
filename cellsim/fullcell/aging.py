"""Degradation laws of a Li | sandwich | NMC811 full cell and their parameters.

Three mechanisms set the capacity retention over hundreds of cycles
(:func:`cellsim.fullcell.retention.simulate_cycles`); their values, sources and ranges are in
``parameters/fullcell_aging.toml`` (nothing there is calibrated on the seed):

* **Loss of NMC811 active material** (PyBaMM ``"loss of active material": "current-driven"``):
  the active volume fraction falls in proportion to the charge passed,

  .. math:: \\frac{d\\varepsilon}{dt} = -\\varepsilon_0 \\, f_{LAM} \\frac{|i|}{2 Q_c},
            \\qquad \\varepsilon(t) = \\varepsilon_0 \\left(1 - f_{LAM} \\frac{\\int |i| dt}{2 Q_c}\\right)

  with i the current density [A/m2], Q_c the cathode's areal capacity [C/m2] and f_LAM the
  fraction lost per full cycle (:func:`lam_per_cycle`, log-linear in the upper cut-off voltage
  between the 4.2 and 4.4 V values).
* **Li inventory loss at the Li metal**: interphase (SEI) growth, PyBaMM's
  ``"SEI": "solvent-diffusion limited"`` on the planar Li, with the closed form
  (Marquis thesis eq. 5.91 as implemented by PyBaMM; :func:`sei_li_loss`)

  .. math:: L(t) = \\sqrt{L_0^2 + 2 \\bar V D c\\, t / z}, \\qquad
            Q_{SEI}(t) = F z (L(t) - L_0) / \\bar V \\;\\approx\\; k \\sqrt{t},

  plus dead Li: a fraction 1 - CE_Li of every plated charge. With a Li-excess anode these
  only draw down the Li reservoir; the capacity falls once the reservoir is empty.
* **Growth of the sandwich's resistance**: any callable ``resistance_growth(t_s)`` returning
  the added area-specific resistance [ohm m2] at time t [s] since assembly (the hook the
  symmetric-cell lifetime model can supply); the default is the parabolic law
  :class:`ParabolicGrowth`, R_add(t) = R_ref sqrt(t / t_ref) (Peled 1979: diffusion-limited
  film growth, thickness ~ sqrt(t)).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy as np

from ..constants import F
from ..errors import InputError

#: Signature of the resistance hook: ``resistance_growth(t_s) -> added ASR [ohm m2]`` (t [s] since assembly;
#: must accept a NumPy array of times and be 0 at t = 0).
ResistanceGrowth = Callable[[np.ndarray], np.ndarray]

#: parameter name -> (dimension, meaning)
PARAMETERS: dict[str, tuple[str, str]] = {
    "lam_per_cycle_4p2V": ("dimensionless", "NMC811 active material lost per full cycle, 4.2 V cut-off"),
    "lam_per_cycle_4p4V": ("dimensionless", "NMC811 active material lost per full cycle, 4.4 V cut-off"),
    "interphase_growth_asr": ("area_resistance", "interphase ASR added after reference_time"),
    "reference_time": ("time", "time at which the growth laws are stated"),
    "sei_li_loss": ("charge_density", "Li consumed by the Li-side SEI after reference_time"),
    "li_coulombic_efficiency": ("dimensionless", "Li plating/stripping Coulombic efficiency"),
    "cv_cutoff_c_rate": ("dimensionless", "current ending the CV step, as a C-rate"),
}


@dataclass(frozen=True)
class AgingParameters:
    """Ageing parameters in SI (see ``parameters/fullcell_aging.toml``); ``sources`` per name."""

    lam_per_cycle_4p2V: float
    lam_per_cycle_4p4V: float
    interphase_growth_asr: float
    reference_time: float
    sei_li_loss: float
    li_coulombic_efficiency: float
    cv_cutoff_c_rate: float
    sources: dict

    def __post_init__(self):
        for name in ("lam_per_cycle_4p2V", "lam_per_cycle_4p4V"):
            if not 0 <= getattr(self, name) < 0.1:
                raise InputError(f"aging.{name}", getattr(self, name), "a fraction per cycle in [0, 0.1)")
        for name in ("interphase_growth_asr", "sei_li_loss"):
            if not getattr(self, name) >= 0:
                raise InputError(f"aging.{name}", getattr(self, name), ">= 0")
        if not self.reference_time > 0:
            raise InputError("aging.reference_time", self.reference_time, "> 0 s")
        if not 0 < self.li_coulombic_efficiency <= 1:
            raise InputError("aging.li_coulombic_efficiency", self.li_coulombic_efficiency, "a fraction in (0, 1]")
        if not 0 < self.cv_cutoff_c_rate < 1:
            raise InputError("aging.cv_cutoff_c_rate", self.cv_cutoff_c_rate, "a C-rate in (0, 1)")

    def with_values(self, **values) -> "AgingParameters":
        """A copy with values replaced [SI]; their source becomes 'set by the user [assumed]'."""
        for k in values:
            if k not in PARAMETERS:
                raise InputError("aging parameter", k, "one of " + ", ".join(PARAMETERS))
        src = dict(self.sources)
        src.update({k: "set by the user [assumed]" for k in values})
        return replace(self, sources=src, **values)


def load_aging(path=None) -> AgingParameters:
    """The shipped ageing parameters (``parameters/fullcell_aging.toml``) or a file's."""
    from ..paths import data_dir

    p = Path(data_dir("parameters") / "fullcell_aging.toml" if path is None else path)
    try:
        stamp = p.stat().st_mtime_ns
    except OSError:
        stamp = None
    values, sources = _parse(str(p), stamp)
    return AgingParameters(sources=dict(sources), **values)


@functools.lru_cache(maxsize=4)
def _parse(path: str, stamp) -> tuple[dict, dict]:
    from ..paths import read_toml
    from ..uncertainty.ranges import parse_entry_range
    from ..units import parse_quantity

    table = read_toml(Path(path)).get("aging")
    if not isinstance(table, dict):
        raise InputError(f"{path}: [aging]", table, "a table of ageing parameters")
    missing = [k for k in PARAMETERS if k not in table]
    if missing:
        raise InputError(f"{path}: [aging]", ", ".join(missing), "every parameter of " + ", ".join(PARAMETERS))
    values, sources = {}, {}
    for name, raw in table.items():
        if name not in PARAMETERS:
            raise InputError(f"{path}: aging.{name}", raw, "one of " + ", ".join(PARAMETERS))
        if not isinstance(raw, dict) or "value" not in raw or "source" not in raw:
            raise InputError(f"{path}: aging.{name}", raw, "{ value = ..., source = ..., status = ... }")
        parse_entry_range(raw, f"aging.{name}", path)
        dim = PARAMETERS[name][0]
        values[name] = parse_quantity(raw["value"], dim, f"{path}: aging.{name}")
        sources[name] = f"{raw['source']} [{raw.get('status', 'estimate')}]"
    return values, sources


# --------------------------------------------------------------------------- the laws
def lam_per_cycle(params: AgingParameters, vmax: float) -> float:
    """Active-material fraction lost per full cycle at upper cut-off ``vmax`` [V].

    f(V) = f_4.2 (f_4.4 / f_4.2)^((V - 4.2) / 0.2): log-linear through the two sourced values
    (extrapolated outside 4.2-4.4 V; 0 when either value is 0).
    """
    a, b = params.lam_per_cycle_4p2V, params.lam_per_cycle_4p4V
    if a == 0 or b == 0:
        return 0.0
    return a * (b / a) ** ((vmax - 4.2) / 0.2)


def lam_rate_function(f_lam: float, eps0: float, areal_capacity: float):
    """PyBaMM's "Positive electrode current-driven LAM rate" [1/s]: -eps0 f_LAM |i| / (2 Q_c)."""
    scale = eps0 * f_lam / (2.0 * areal_capacity)

    def rate(i, T):
        return -scale * abs(i)

    return rate


def active_fraction_after(throughput: float, f_lam: float, areal_capacity: float) -> float:
    """eps / eps0 = 1 - f_LAM q / (2 Q_c) after an areal charge throughput q [C/m2] (closed form)."""
    return 1.0 - f_lam * throughput / (2.0 * areal_capacity)


@dataclass(frozen=True)
class ParabolicGrowth:
    """Default ``resistance_growth`` hook: R_add(t) = asr_ref sqrt(t / t_ref) [ohm m2].

    Parameters
    ----------
    asr_ref : float
        Added area-specific resistance at ``t_ref`` [ohm m2].
    t_ref : float
        Reference time [s].
    """

    asr_ref: float
    t_ref: float

    def __call__(self, t_s):
        return self.asr_ref * np.sqrt(np.maximum(np.asarray(t_s, dtype=float), 0.0) / self.t_ref)

    @classmethod
    def from_parameters(cls, params: AgingParameters) -> "ParabolicGrowth":
        return cls(params.interphase_growth_asr, params.reference_time)


def no_growth(t_s):
    """A ``resistance_growth`` hook adding nothing (0 ohm m2 at every time)."""
    return np.zeros_like(np.asarray(t_s, dtype=float))


@dataclass(frozen=True)
class SEIGrowth:
    """PyBaMM solvent-diffusion-limited SEI on the Li metal, set to lose ``loss_ref`` [C/m2] of Li at ``t_ref``.

    Chen2020's SEI molar volume ``V_bar`` [m3/mol], solvent concentration ``c_sol`` [mol/m3],
    initial thickness ``L0`` [m] and Li per SEI ``z`` are kept; the solvent diffusivity is
    D = (L_ref^2 - L0^2) z / (2 V_bar c_sol t_ref) with L_ref = L0 + loss_ref V_bar / (F z).
    """

    loss_ref: float
    t_ref: float
    V_bar: float = 9.585e-05
    c_sol: float = 2636.0
    L0: float = 5e-09
    z: float = 2.0

    @property
    def diffusivity(self) -> float:
        """The solvent diffusivity [m2/s] that gives ``loss_ref`` at ``t_ref``."""
        L_ref = self.L0 + self.loss_ref * self.V_bar / (F * self.z)
        return (L_ref ** 2 - self.L0 ** 2) * self.z / (2.0 * self.V_bar * self.c_sol * self.t_ref)

    def thickness(self, t_s):
        """L(t) = sqrt(L0^2 + 2 V_bar D c t / z) [m]."""
        t = np.asarray(t_s, dtype=float)
        return np.sqrt(self.L0 ** 2 + 2.0 * self.V_bar * self.diffusivity * self.c_sol * t / self.z)

    def li_loss(self, t_s):
        """Li consumed per area Q(t) = F z (L(t) - L0) / V_bar [C/m2] (closed form)."""
        return F * self.z * (self.thickness(t_s) - self.L0) / self.V_bar

    def pybamm_parameters(self) -> dict:
        return {"SEI solvent diffusivity [m2.s-1]": self.diffusivity, "Bulk solvent concentration [mol.m-3]": self.c_sol,
                "SEI partial molar volume [m3.mol-1]": self.V_bar, "Initial SEI thickness [m]": self.L0,
                "Ratio of lithium moles to SEI moles": self.z,
                # the film's resistance is the resistance_growth hook's, not PyBaMM's (which would count it twice)
                "SEI resistivity [Ohm.m]": 0.0}


def sei_li_loss(params: AgingParameters, t_s):
    """Li consumed by the Li-side SEI after t [s] [C/m2] (closed form of :class:`SEIGrowth`)."""
    return SEIGrowth(params.sei_li_loss, params.reference_time).li_loss(t_s)


def check_resistance_growth(hook, t_max: float) -> None:
    """InputError unless ``hook`` is callable, 0 at t = 0 and finite, >= 0 on [0, t_max]."""
    if not callable(hook):
        raise InputError("resistance_growth", type(hook).__name__, "a callable t_s -> added ASR [ohm m2]")
    t = np.array([0.0, t_max / 2, t_max])
    r = np.asarray(hook(t), dtype=float)
    if r.shape != t.shape or not np.all(np.isfinite(r)) or np.any(r < 0) or not math.isclose(r[0], 0.0, abs_tol=1e-15):
        raise InputError("resistance_growth", r.tolist(),
                         "a vectorised callable, 0 ohm m2 at t = 0 and finite >= 0 after")

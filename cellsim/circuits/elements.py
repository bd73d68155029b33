"""Equivalent-circuit elements: formulas, parameter names, units and kinds.

Every element is described by an :class:`ElementType` (its prefix letters, its
parameters with units, the closed-form impedance as a NumPy function, and the opcode the
numba kernel in :mod:`cellsim.circuits._kernels` uses for it). Element *names* in a
circuit string are the prefix letters followed by an index or label (``R0``, ``CPE1``,
``Wo1``, ``Zd_left``); a name's type is its maximal run of leading letters.

Conventions follow impedance.py 1.7.1 (``impedance.models.circuits.elements``) for every
element both codes have: the same prefixes, parameter order and formulas, so that a
circuit ``R0-p(R1,CPE1)`` has the parameters ``R0, R1, CPE1_0, CPE1_1`` in both.
Angular frequency is ``w = 2 pi f`` [rad/s] and ``j`` the imaginary unit.

=========  ======================  =======================  ==========================================
prefix     parameters              units                    impedance
=========  ======================  =======================  ==========================================
R          R                       ohm                      R
C          C                       F                        1/(j w C)
L          L                       H                        j w L
CPE        Q, n                    ohm^-1 s^n, 1            1/(Q (j w)^n)
W          A_W                     ohm s^-1/2               A_W (1 - j)/sqrt(w)
Wo         Z0, tau                 ohm, s                   Z0 coth(sqrt(j w tau))/sqrt(j w tau)
Ws         Z0, tau                 ohm, s                   Z0 tanh(sqrt(j w tau))/sqrt(j w tau)
G          R_G, t_G                ohm, s                   R_G/sqrt(1 + j w t_G)
Gs         R_G, t_G, phi           ohm, s, 1                R_G/(sqrt(1 + j w t_G) tanh(phi sqrt(1 + j w t_G)))
K          R, tau_k                ohm, s                   R/(1 + j w tau_k)
Zarc       R, tau_k, gamma         ohm, s, 1                R/(1 + (j w tau_k)^gamma)
La         L, alpha                ohm^(1/alpha) s, 1       (j w L)^alpha
TLMQ       R_ion, Q_s, gamma       ohm, ohm^-1 s^gamma, 1   sqrt(R_ion Z_s) coth(sqrt(R_ion/Z_s)),  Z_s = 1/(Q_s (j w)^gamma)
Zd         R_d, tau                ohm, s                   R_d tanh(sqrt(j w tau))/sqrt(j w tau)
=========  ======================  =======================  ==========================================

``Zd`` (cellsim only) is the finite-length diffusion impedance of a binary polymer
electrolyte layer between two anion-blocking faces; :func:`polymer_diffusion_parameters`
gives ``(R_d, tau)`` from the physical properties of the layer (physics.md §2.3).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..constants import F as FARADAY
from ..constants import R as GAS_CONSTANT
from ..constants import T_ROOM
from ..errors import InputError

__all__ = [
    "ElementType",
    "ELEMENTS",
    "element_type",
    "split_name",
    "element_impedance",
    "polymer_diffusion_parameters",
    "polymer_diffusion_impedance",
    "POSITIVE",
    "EXPONENT",
]

POSITIVE = "positive"
"""Parameter kind: strictly positive, fitted in log space, bounds (0, inf)."""
EXPONENT = "exponent"
"""Parameter kind: an exponent in (0, 1], fitted linearly, bounds (0, 1]."""

# Opcodes of the circuit program (must equal the constants in _kernels.py; a test checks).
OP_SERIES = 0
OP_PARALLEL = 1
OP_R = 10
OP_C = 11
OP_L = 12
OP_CPE = 13
OP_W = 14
OP_WO = 15
OP_WS = 16
OP_G = 17
OP_GS = 18
OP_K = 19
OP_ZARC = 20
OP_LA = 21
OP_TLMQ = 22
OP_ZD = 23

_NAME = re.compile(r"^([A-Za-z]+)([0-9_][A-Za-z0-9_]*)?$")


@dataclass(frozen=True)
class ElementType:
    """One kind of circuit element.

    Attributes
    ----------
    prefix : str
        The letters that start an element name (``"CPE"``).
    labels : tuple of str
        Physical names of the parameters in order (``("Q", "n")``).
    units : tuple of str
        Units of the parameters, SI (``""`` for dimensionless).
    kinds : tuple of str
        :data:`POSITIVE` or :data:`EXPONENT` per parameter.
    formula : str
        The impedance in plain text.
    description : str
        What the element models.
    opcode : int
        Its operation code in the compiled circuit program.
    needs_log : bool
        Whether the kernel needs ``log(w)`` for it (power-law elements).
    in_impedance_py : bool
        Whether impedance.py 1.7.1 has the same element (same name, order, formula).
    reference : callable
        NumPy closed form ``reference(params, omega)`` where ``params`` is a sequence of
        scalars or arrays broadcastable against ``omega`` [rad/s].
    """

    prefix: str
    labels: tuple[str, ...]
    units: tuple[str, ...]
    kinds: tuple[str, ...]
    formula: str
    description: str
    opcode: int
    needs_log: bool
    in_impedance_py: bool
    reference: Callable

    @property
    def n_params(self) -> int:
        """Number of parameters."""
        return len(self.labels)

    def parameter_names(self, name: str) -> list[str]:
        """Parameter names of an element called ``name`` (impedance.py convention).

        A one-parameter element's parameter is the element name itself (``R0``); an
        element with several parameters has ``name_0, name_1, ...`` (``CPE1_0``).
        """
        if self.n_params == 1:
            return [name]
        return [f"{name}_{i}" for i in range(self.n_params)]


# --------------------------------------------------------------------------------------
# Closed forms (NumPy). ``p`` is a sequence of parameters, ``w`` angular frequency [rad/s].
# --------------------------------------------------------------------------------------


def _z_r(p, w):
    """Resistor: Z = R [ohm]."""
    return np.asarray(p[0], dtype=float) + 0j * w


def _z_c(p, w):
    """Capacitor: Z = 1/(j w C), C [F]."""
    return 1.0 / (1j * w * p[0])


def _z_l(p, w):
    """Inductor: Z = j w L, L [H]."""
    return 1j * w * p[0]


def _z_cpe(p, w):
    """Constant phase element: Z = 1/(Q (j w)^n), Q [ohm^-1 s^n], n in (0, 1]."""
    return 1.0 / (p[0] * (1j * w) ** p[1])


def _z_w(p, w):
    """Semi-infinite Warburg: Z = A_W (1 - j)/sqrt(w), A_W [ohm s^-1/2]."""
    return p[0] * (1 - 1j) / np.sqrt(w)


def _z_wo(p, w):
    """Finite-length Warburg, reflective (open) end: Z = Z0 coth(sqrt(j w tau))/sqrt(j w tau)."""
    x = np.sqrt(1j * w * p[1])
    return p[0] / (x * np.tanh(x))


def _z_ws(p, w):
    """Finite-length Warburg, transmissive (short) end: Z = Z0 tanh(sqrt(j w tau))/sqrt(j w tau)."""
    x = np.sqrt(1j * w * p[1])
    return p[0] * np.tanh(x) / x


def _z_g(p, w):
    """Gerischer: Z = R_G/sqrt(1 + j w t_G)."""
    return p[0] / np.sqrt(1 + 1j * w * p[1])


def _z_gs(p, w):
    """Finite-length Gerischer: Z = R_G/(sqrt(1 + j w t_G) tanh(phi sqrt(1 + j w t_G)))."""
    x = np.sqrt(1 + 1j * w * p[1])
    return p[0] / (x * np.tanh(p[2] * x))


def _z_k(p, w):
    """Voigt RC element of lin-KK: Z = R/(1 + j w tau_k)."""
    return p[0] / (1 + 1j * w * p[1])


def _z_zarc(p, w):
    """ZARC (Cole-Cole): Z = R/(1 + (j w tau_k)^gamma)."""
    return p[0] / (1 + (1j * w * p[1]) ** p[2])


def _z_la(p, w):
    """Modified inductance: Z = (j w L)^alpha."""
    return (1j * w * p[0]) ** p[1]


def _z_tlmq(p, w):
    """Simplified transmission line: Z = sqrt(R_ion Z_s) coth(sqrt(R_ion/Z_s)), Z_s = 1/(Q_s (j w)^gamma)."""
    zs = 1.0 / (p[1] * (1j * w) ** p[2])
    return np.sqrt(p[0] * zs) / np.tanh(np.sqrt(p[0] / zs))


ELEMENTS: dict[str, ElementType] = {}


def _register(*args, **kwargs) -> None:
    et = ElementType(*args, **kwargs)
    ELEMENTS[et.prefix] = et


_register("R", ("R",), ("ohm",), (POSITIVE,), "Z = R", "resistor", OP_R, False, True, _z_r)
_register("C", ("C",), ("F",), (POSITIVE,), "Z = 1/(j w C)", "capacitor", OP_C, False, True, _z_c)
_register("L", ("L",), ("H",), (POSITIVE,), "Z = j w L", "inductor", OP_L, False, True, _z_l)
_register("CPE", ("Q", "n"), ("ohm^-1 s^n", ""), (POSITIVE, EXPONENT), "Z = 1/(Q (j w)^n)",
          "constant phase element", OP_CPE, True, True, _z_cpe)
_register("W", ("A_W",), ("ohm s^-1/2",), (POSITIVE,), "Z = A_W (1 - j)/sqrt(w)",
          "semi-infinite Warburg diffusion", OP_W, False, True, _z_w)
_register("Wo", ("Z0", "tau"), ("ohm", "s"), (POSITIVE, POSITIVE),
          "Z = Z0 coth(sqrt(j w tau))/sqrt(j w tau)",
          "finite-length Warburg, reflective (open, blocking) end", OP_WO, False, True, _z_wo)
_register("Ws", ("Z0", "tau"), ("ohm", "s"), (POSITIVE, POSITIVE),
          "Z = Z0 tanh(sqrt(j w tau))/sqrt(j w tau)",
          "finite-length Warburg, transmissive (short) end", OP_WS, False, True, _z_ws)
_register("G", ("R_G", "t_G"), ("ohm", "s"), (POSITIVE, POSITIVE), "Z = R_G/sqrt(1 + j w t_G)",
          "Gerischer (diffusion with a first-order reaction)", OP_G, False, True, _z_g)
_register("Gs", ("R_G", "t_G", "phi"), ("ohm", "s", ""), (POSITIVE, POSITIVE, POSITIVE),
          "Z = R_G/(sqrt(1 + j w t_G) tanh(phi sqrt(1 + j w t_G)))",
          "finite-length Gerischer", OP_GS, False, True, _z_gs)
_register("K", ("R", "tau_k"), ("ohm", "s"), (POSITIVE, POSITIVE), "Z = R/(1 + j w tau_k)",
          "Voigt RC element (lin-KK)", OP_K, False, True, _z_k)
_register("Zarc", ("R", "tau_k", "gamma"), ("ohm", "s", ""), (POSITIVE, POSITIVE, EXPONENT),
          "Z = R/(1 + (j w tau_k)^gamma)", "ZARC / Cole-Cole relaxation", OP_ZARC, True, True, _z_zarc)
_register("La", ("L", "alpha"), ("ohm^(1/alpha) s", ""), (POSITIVE, EXPONENT), "Z = (j w L)^alpha",
          "modified inductance (BioLogic note 42)", OP_LA, True, True, _z_la)
_register("TLMQ", ("R_ion", "Q_s", "gamma"), ("ohm", "ohm^-1 s^gamma", ""), (POSITIVE, POSITIVE, EXPONENT),
          "Z = sqrt(R_ion Z_s) coth(sqrt(R_ion/Z_s)), Z_s = 1/(Q_s (j w)^gamma)",
          "simplified transmission line (Landesfeind 2016, Eq. 11)", OP_TLMQ, True, True, _z_tlmq)
_register("Zd", ("R_d", "tau"), ("ohm", "s"), (POSITIVE, POSITIVE),
          "Z = R_d tanh(sqrt(j w tau))/sqrt(j w tau), R_d = 2RTL(1-t+)^2 chi/(F^2 D c0 A), tau = L^2/(4D)",
          "finite-length salt diffusion of a binary polymer layer between anion-blocking faces",
          OP_ZD, False, False, _z_ws)


def split_name(name: str) -> tuple[str, str]:
    """Split an element name into (prefix, label): ``"CPE1" -> ("CPE", "1")``.

    The prefix is the maximal run of leading letters; the label (possibly empty) starts
    with a digit or underscore and continues with letters, digits or underscores.

    Raises
    ------
    ValueError
        If ``name`` is not of that form.
    """
    m = _NAME.match(name)
    if not m:
        raise ValueError(f"invalid element name {name!r}")
    return m.group(1), m.group(2) or ""


def element_type(name: str) -> ElementType:
    """The :class:`ElementType` of an element name or prefix (``"CPE1"`` or ``"CPE"``).

    Raises
    ------
    InputError
        If the prefix is not a known element.
    """
    try:
        prefix, _ = split_name(name)
    except ValueError:
        prefix = None
    if prefix is None or prefix not in ELEMENTS:
        raise InputError("element", name, "one of " + ", ".join(ELEMENTS) + " followed by an index, e.g. 'R0'")
    return ELEMENTS[prefix]


def element_impedance(name: str, params, frequencies) -> np.ndarray:
    """Impedance of one element from its closed form (NumPy).

    Parameters
    ----------
    name : str
        Element name or prefix (``"CPE1"`` or ``"CPE"``).
    params : sequence of float
        The element's parameters in order (see :data:`ELEMENTS`).
    frequencies : array_like
        Frequencies f [Hz], w = 2 pi f.

    Returns
    -------
    numpy.ndarray of complex
        Z [ohm], same shape as ``frequencies``.
    """
    et = element_type(name)
    params = list(params)
    if len(params) != et.n_params:
        raise InputError(f"{name} parameters", params, f"{et.n_params} values ({', '.join(et.labels)})")
    w = 2.0 * np.pi * np.asarray(frequencies, dtype=float)
    return np.asarray(et.reference(params, w), dtype=complex)


def polymer_diffusion_parameters(diffusivity: float, transference_number: float, concentration: float,
                                 thickness: float, area: float = 1.0, temperature: float = T_ROOM,
                                 thermodynamic_factor: float = 1.0) -> tuple[float, float]:
    """``(R_d, tau)`` of the finite-length diffusion impedance ``Zd`` of a binary polymer layer.

    The layer (thickness L) lies between two faces that block the anion (Li metal or a
    single-ion ceramic). Linearising the concentrated-binary-electrolyte equations about a
    uniform salt concentration gives (physics.md §2.3; Sørensen and Jacobsen,
    Electrochim. Acta 27 (1982) 1671)

    .. math::

        Z_d = R_d \\frac{\\tanh\\sqrt{j \\omega \\tau}}{\\sqrt{j \\omega \\tau}},\\quad
        R_d = \\frac{2 R T L (1 - t_+)^2 \\chi}{F^2 D c_0 A},\\quad
        \\tau = \\frac{L^2}{4 D}

    (the half-thickness L/2 acts as the transmissive diffusion length).

    Parameters
    ----------
    diffusivity : float
        Salt diffusion coefficient D [m2/s].
    transference_number : float
        Cation transference number t+ [1], in [0, 1).
    concentration : float
        Salt concentration c0 [mol/m3].
    thickness : float
        Layer thickness L [m].
    area : float, optional
        Electrode area A [m2]; 1 gives the area-specific R_d [ohm m2].
    temperature : float, optional
        T [K], default the seed's 295.15 K.
    thermodynamic_factor : float, optional
        chi = 1 + dln(f+-)/dln(c) [1], default 1 (ideal solution).

    Returns
    -------
    R_d : float
        Diffusion resistance [ohm] (the low-frequency limit of Zd).
    tau : float
        Diffusion time constant [s].
    """
    values = {"diffusivity": diffusivity, "concentration": concentration, "thickness": thickness,
              "area": area, "temperature": temperature, "thermodynamic_factor": thermodynamic_factor}
    units = {"diffusivity": "m2/s", "concentration": "mol/m3", "thickness": "m", "area": "m2",
             "temperature": "K", "thermodynamic_factor": ""}
    for key, v in values.items():
        if not (isinstance(v, (int, float, np.floating, np.integer)) and math.isfinite(v) and v > 0):
            raise InputError(key, v, f"a finite number > 0 {units[key]}".rstrip())
    t = transference_number
    if not (isinstance(t, (int, float, np.floating, np.integer)) and math.isfinite(t) and 0 <= t < 1):
        raise InputError("transference_number", t, "a number in [0, 1)")
    r_d = (2.0 * GAS_CONSTANT * temperature * thickness * (1.0 - t) ** 2 * thermodynamic_factor
           / (FARADAY ** 2 * diffusivity * concentration * area))
    tau = thickness ** 2 / (4.0 * diffusivity)
    return float(r_d), float(tau)


def polymer_diffusion_impedance(frequencies, diffusivity: float, transference_number: float,
                                concentration: float, thickness: float, area: float = 1.0,
                                temperature: float = T_ROOM, thermodynamic_factor: float = 1.0) -> np.ndarray:
    """Zd [ohm] of a binary polymer layer from its physical properties.

    Same arguments as :func:`polymer_diffusion_parameters` plus ``frequencies`` [Hz];
    equals ``element_impedance("Zd", (R_d, tau), frequencies)``.
    """
    r_d, tau = polymer_diffusion_parameters(diffusivity, transference_number, concentration, thickness,
                                            area, temperature, thermodynamic_factor)
    return element_impedance("Zd", (r_d, tau), frequencies)

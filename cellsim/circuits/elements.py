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
gives ``(R_d, tau)`` from the physical properties of the layer (physics.md §2.3); it lives
with the other layer formulas in :mod:`cellsim.formulas` and is re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..constants import T_ROOM
from ..errors import InputError
from ..formulas import polymer_diffusion_parameters

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

from .opcodes import OP_C, OP_CPE, OP_G, OP_GS, OP_K, OP_L, OP_LA, OP_R, OP_TLMQ, OP_W, OP_WO, OP_WS, OP_ZARC, OP_ZD

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


ELEMENTS: dict[str, ElementType] = {}


def element(prefix: str, *, labels: tuple[str, ...], units: tuple[str, ...], kinds: tuple[str, ...], formula: str,
            description: str, opcode: int, needs_log: bool = False, in_impedance_py: bool = True):
    """Register the decorated NumPy closed form ``reference(p, w)`` as the element ``prefix``.

    The formula, the reference implementation and the parameter names, units and kinds
    of an element stand together at one place; see :class:`ElementType` for the fields.
    Returns the function unchanged.
    """
    def register(reference: Callable) -> Callable:
        if prefix in ELEMENTS:
            raise ValueError(f"element {prefix!r} registered twice")
        ELEMENTS[prefix] = ElementType(prefix, labels, units, kinds, formula, description, opcode, needs_log,
                                       in_impedance_py, reference)
        return reference

    return register


# --------------------------------------------------------------------------------------
# Closed forms (NumPy). ``p`` is a sequence of parameters, ``w`` angular frequency [rad/s].
# --------------------------------------------------------------------------------------

@element("R", labels=("R",), units=("ohm",), kinds=(POSITIVE,), formula="Z = R", description="resistor",
         opcode=OP_R)
def _z_r(p, w):
    """Resistor: Z = R [ohm]."""
    return np.asarray(p[0], dtype=float) + 0j * w


@element("C", labels=("C",), units=("F",), kinds=(POSITIVE,), formula="Z = 1/(j w C)", description="capacitor",
         opcode=OP_C)
def _z_c(p, w):
    """Capacitor: Z = 1/(j w C), C [F]."""
    return 1.0 / (1j * w * p[0])


@element("L", labels=("L",), units=("H",), kinds=(POSITIVE,), formula="Z = j w L", description="inductor",
         opcode=OP_L)
def _z_l(p, w):
    """Inductor: Z = j w L, L [H]."""
    return 1j * w * p[0]


@element("CPE", labels=("Q", "n"), units=("ohm^-1 s^n", ""), kinds=(POSITIVE, EXPONENT),
         formula="Z = 1/(Q (j w)^n)", description="constant phase element", opcode=OP_CPE, needs_log=True)
def _z_cpe(p, w):
    """Constant phase element: Z = 1/(Q (j w)^n), Q [ohm^-1 s^n], n in (0, 1]."""
    return 1.0 / (p[0] * (1j * w) ** p[1])


@element("W", labels=("A_W",), units=("ohm s^-1/2",), kinds=(POSITIVE,), formula="Z = A_W (1 - j)/sqrt(w)",
         description="semi-infinite Warburg diffusion", opcode=OP_W)
def _z_w(p, w):
    """Semi-infinite Warburg: Z = A_W (1 - j)/sqrt(w), A_W [ohm s^-1/2]."""
    return p[0] * (1 - 1j) / np.sqrt(w)


@element("Wo", labels=("Z0", "tau"), units=("ohm", "s"), kinds=(POSITIVE, POSITIVE),
         formula="Z = Z0 coth(sqrt(j w tau))/sqrt(j w tau)",
         description="finite-length Warburg, reflective (open, blocking) end", opcode=OP_WO)
def _z_wo(p, w):
    """Finite-length Warburg, reflective (open) end: Z = Z0 coth(sqrt(j w tau))/sqrt(j w tau)."""
    x = np.sqrt(1j * w * p[1])
    return p[0] / (x * np.tanh(x))


@element("Ws", labels=("Z0", "tau"), units=("ohm", "s"), kinds=(POSITIVE, POSITIVE),
         formula="Z = Z0 tanh(sqrt(j w tau))/sqrt(j w tau)",
         description="finite-length Warburg, transmissive (short) end", opcode=OP_WS)
def _z_ws(p, w):
    """Finite-length Warburg, transmissive (short) end: Z = Z0 tanh(sqrt(j w tau))/sqrt(j w tau)."""
    x = np.sqrt(1j * w * p[1])
    return p[0] * np.tanh(x) / x


@element("G", labels=("R_G", "t_G"), units=("ohm", "s"), kinds=(POSITIVE, POSITIVE),
         formula="Z = R_G/sqrt(1 + j w t_G)", description="Gerischer (diffusion with a first-order reaction)",
         opcode=OP_G)
def _z_g(p, w):
    """Gerischer: Z = R_G/sqrt(1 + j w t_G)."""
    return p[0] / np.sqrt(1 + 1j * w * p[1])


@element("Gs", labels=("R_G", "t_G", "phi"), units=("ohm", "s", ""), kinds=(POSITIVE, POSITIVE, POSITIVE),
         formula="Z = R_G/(sqrt(1 + j w t_G) tanh(phi sqrt(1 + j w t_G)))", description="finite-length Gerischer",
         opcode=OP_GS)
def _z_gs(p, w):
    """Finite-length Gerischer: Z = R_G/(sqrt(1 + j w t_G) tanh(phi sqrt(1 + j w t_G)))."""
    x = np.sqrt(1 + 1j * w * p[1])
    return p[0] / (x * np.tanh(p[2] * x))


@element("K", labels=("R", "tau_k"), units=("ohm", "s"), kinds=(POSITIVE, POSITIVE),
         formula="Z = R/(1 + j w tau_k)", description="Voigt RC element (lin-KK)", opcode=OP_K)
def _z_k(p, w):
    """Voigt RC element of lin-KK: Z = R/(1 + j w tau_k)."""
    return p[0] / (1 + 1j * w * p[1])


@element("Zarc", labels=("R", "tau_k", "gamma"), units=("ohm", "s", ""), kinds=(POSITIVE, POSITIVE, EXPONENT),
         formula="Z = R/(1 + (j w tau_k)^gamma)", description="ZARC / Cole-Cole relaxation", opcode=OP_ZARC,
         needs_log=True)
def _z_zarc(p, w):
    """ZARC (Cole-Cole): Z = R/(1 + (j w tau_k)^gamma)."""
    return p[0] / (1 + (1j * w * p[1]) ** p[2])


@element("La", labels=("L", "alpha"), units=("ohm^(1/alpha) s", ""), kinds=(POSITIVE, EXPONENT),
         formula="Z = (j w L)^alpha", description="modified inductance (BioLogic note 42)", opcode=OP_LA,
         needs_log=True)
def _z_la(p, w):
    """Modified inductance: Z = (j w L)^alpha."""
    return (1j * w * p[0]) ** p[1]


@element("TLMQ", labels=("R_ion", "Q_s", "gamma"), units=("ohm", "ohm^-1 s^gamma", ""),
         kinds=(POSITIVE, POSITIVE, EXPONENT),
         formula="Z = sqrt(R_ion Z_s) coth(sqrt(R_ion/Z_s)), Z_s = 1/(Q_s (j w)^gamma)",
         description="simplified transmission line (Landesfeind 2016, Eq. 11)", opcode=OP_TLMQ, needs_log=True)
def _z_tlmq(p, w):
    """Simplified transmission line: Z = sqrt(R_ion Z_s) coth(sqrt(R_ion/Z_s)), Z_s = 1/(Q_s (j w)^gamma)."""
    zs = 1.0 / (p[1] * (1j * w) ** p[2])
    return np.sqrt(p[0] * zs) / np.tanh(np.sqrt(p[0] / zs))


# Zd has the closed form of Ws; its parameters follow from the layer's physical properties
# (:func:`cellsim.formulas.polymer_diffusion_parameters`).
element("Zd", labels=("R_d", "tau"), units=("ohm", "s"), kinds=(POSITIVE, POSITIVE),
        formula="Z = R_d tanh(sqrt(j w tau))/sqrt(j w tau), R_d = 2RTL(1-t+)^2 chi/(F^2 D c0 A), tau = L^2/(4D)",
        description="finite-length salt diffusion of a binary polymer layer between anion-blocking faces",
        opcode=OP_ZD, in_impedance_py=False)(_z_ws)

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

"""Equivalent circuits: element library, circuit strings, fast evaluation, stack -> circuit.

>>> from cellsim.circuits import Circuit
>>> c = Circuit("R0-p(R1,CPE1)")
>>> c.parameter_names
['R0', 'R1', 'CPE1_0', 'CPE1_1']

The numba kernel loads on the first evaluation, and :mod:`cellsim.circuits.compose` (stack
-> circuit) on first use of :func:`compose_circuit`.
"""

from __future__ import annotations

from .circuit import Circuit, numpy_impedance
from .elements import (
    ELEMENTS,
    EXPONENT,
    POSITIVE,
    ElementType,
    element_impedance,
    element_type,
    polymer_diffusion_impedance,
    polymer_diffusion_parameters,
)
from .parser import Element, Parallel, Series, parse, to_string

__all__ = [
    "Circuit",
    "ComposedCircuit",
    "compose_circuit",
    "numpy_impedance",
    "ELEMENTS",
    "EXPONENT",
    "POSITIVE",
    "ElementType",
    "element_impedance",
    "element_type",
    "polymer_diffusion_impedance",
    "polymer_diffusion_parameters",
    "Element",
    "Parallel",
    "Series",
    "parse",
    "to_string",
]


def __getattr__(name: str):
    if name in ("compose_circuit", "ComposedCircuit"):
        from . import compose

        return getattr(compose, name)
    raise AttributeError(f"module 'cellsim.circuits' has no attribute {name!r}")

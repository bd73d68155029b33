"""cellsim: physics-based simulation of layered solid-state electrolytes in Li-metal cells.

The public API is imported lazily so that ``import cellsim`` stays fast; heavy modules
(numba kernels, pybamm, matplotlib, dask) load only when used.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_LAZY = {
    # stack model and library
    "Material": "cellsim.materials",
    "Parameter": "cellsim.materials",
    "Layer": "cellsim.stack",
    "Interface": "cellsim.stack",
    "Electrode": "cellsim.stack",
    "Stack": "cellsim.stack",
    "load_model": "cellsim.models",
    "load_material": "cellsim.library",
    "list_materials": "cellsim.library",
    # circuits and data
    "Circuit": "cellsim.circuits",
    "Spectrum": "cellsim.data",
    "read_spectrum": "cellsim.data",
    "FitResult": "cellsim.fitting",
    "fit": "cellsim.fitting",
    # transport
    "Protocol": "cellsim.transport",
    "Solution": "cellsim.transport",
    "simulate": "cellsim.transport",
}


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(_LAZY[name])
        return getattr(module, name)
    raise AttributeError(f"module 'cellsim' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))

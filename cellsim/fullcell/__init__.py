"""Li | sandwich electrolyte | NMC811 full cells through PyBaMM (SPEC C13).

``FullCellDesign.from_stack(stack)`` maps a cellsim stack onto PyBaMM's Li-metal half-cell
model (polymer layers -> separator, middle layer and interfaces -> series resistance, see
:mod:`cellsim.fullcell.design`); :func:`simulate` runs the seed's first cycle (0.2 C, CC
charge then CC discharge) and returns a :class:`FullCellResult`. :func:`compare` and
:func:`thickness_sweep` compare middle layers and thicknesses; :func:`voltage_capacity_plot`
draws them. :func:`simulate_cycles` runs N cycles with degradation (NMC811 active-material
loss, Li-side SEI and dead Li, the sandwich's resistance growing through the
``resistance_growth(t_s) -> ASR [ohm m2]`` hook; :mod:`cellsim.fullcell.aging`) and returns the
capacity retention per cycle. PyBaMM and matplotlib are imported only when a simulation or plot runs.

Example::

    from cellsim import load_model
    from cellsim.fullcell import FullCellDesign, simulate
    design = FullCellDesign.from_stack(load_model("li-uvea-lvo-uvea-nmc811"))
    result = simulate(design, c_rate=0.2)
    result.discharge_capacity_mAh_g, result.mean_discharge_voltage_V
"""

from __future__ import annotations

import importlib

_LAZY = {
    "Cathode": "cellsim.fullcell.design",
    "Sandwich": "cellsim.fullcell.design",
    "FullCellDesign": "cellsim.fullcell.design",
    "anode_capacity": "cellsim.fullcell.design",
    "n_p_ratio": "cellsim.fullcell.design",
    "n_p_ratio_seed": "cellsim.fullcell.design",
    "simulate": "cellsim.fullcell.cycling",
    "parameter_values": "cellsim.fullcell.cycling",
    "FullCellResult": "cellsim.fullcell.cycling",
    "diffusion_resistance": "cellsim.fullcell.polarization",
    "sandwich_polarization": "cellsim.fullcell.polarization",
    "compare": "cellsim.fullcell.comparison",
    "thickness_sweep": "cellsim.fullcell.comparison",
    "approximation_check": "cellsim.fullcell.comparison",
    "transport_check": "cellsim.fullcell.comparison",
    "ideal_electrolyte": "cellsim.fullcell.comparison",
    "li_anode": "cellsim.fullcell.design",
    "capacity_limits": "cellsim.fullcell.comparison",
    "voltage_capacity_plot": "cellsim.fullcell.plot",
    "retention_plot": "cellsim.fullcell.plot",
    "simulate_cycles": "cellsim.fullcell.retention",
    "RetentionResult": "cellsim.fullcell.retention",
    "load_aging": "cellsim.fullcell.aging",
    "AgingParameters": "cellsim.fullcell.aging",
    "ParabolicGrowth": "cellsim.fullcell.aging",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'cellsim.fullcell' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))

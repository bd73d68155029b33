"""Small-signal (frequency-domain) impedance of the transport model (physics.md §2.3, §5 item 5).

>>> from cellsim.models import load_model
>>> from cellsim.transport.smallsignal import transport_impedance
>>> z = transport_impedance(load_model("li-uvea-li"), [1e5, 1.0, 1e-3])   # doctest: +SKIP

The numba kernels (:mod:`._kernels`) compile on first use (cached on disk).
"""

from __future__ import annotations

from .impedance import (
    DEFAULT_CELLS,
    ConcentrationLaws,
    SteadyState,
    face_refined_grid,
    limiting_current_densities,
    steady_state,
    transport_impedance,
)

__all__ = ["DEFAULT_CELLS", "ConcentrationLaws", "SteadyState", "face_refined_grid", "limiting_current_densities", "steady_state",
           "transport_impedance"]

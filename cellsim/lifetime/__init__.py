"""Long galvanostatic cycling of symmetric cells: lifetime over thousands of hours (``cellsim cycle``).

Modules: :mod:`.mechanisms` (closed forms of the slow mechanisms), :mod:`.parameters`
(``parameters/lifetime.toml``), :mod:`.cell` (what the model needs of the stack), :mod:`.state`
(the slow state and its motion over cycles), :mod:`.transport_cycle` (one cycle through the
transport solver), :mod:`.simulated` (a cycle with its failures), :mod:`.compress` (time
compression), :mod:`.cycle` (:func:`run_cycle`), :mod:`.calibrate`, :mod:`.refit` and :mod:`.interval`
(lifetime intervals, ``--interval``), :mod:`.plot`.
"""

from .cycle import CycleResult, run_cycle
from .parameters import LifetimeParameters, load_lifetime_parameters

__all__ = ["run_cycle", "CycleResult", "LifetimeParameters", "load_lifetime_parameters"]

"""1D transport solver over a whole stack (physics.md §2.1, §2.4, §5).

Public API (the contract of ``/work/briefs/transport_api.md``)::

    from cellsim.transport import simulate, Protocol, Solution, SolverOptions
    sol = simulate(stack, "Plate at 1 mA/cm2 for 1 h; Rest for 10 min", output_dt=10.0)

Lab protocols (Bruce-Vincent, DC resistance steps, electronic conductivity) are in
:mod:`cellsim.transport.lab`.
"""

from .protocol import Protocol, Step
from .solution import Event, Solution
from .solver import SolverOptions, TransportProblem, simulate

__all__ = ["simulate", "Protocol", "Step", "Solution", "Event", "SolverOptions", "TransportProblem"]

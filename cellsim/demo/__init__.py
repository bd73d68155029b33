"""``cellsim demo``: the seed reproduced side by side, as tables, figures and one HTML report.

Each section is a function in :mod:`cellsim.demo.sections` that returns a
:class:`~cellsim.demo.section.Section`; :func:`run_demo` runs them in order, prints a
summary table and writes ``report.html`` with every figure embedded (PNG and SVG files
are written next to it).
"""

from .report import run_demo
from .section import Section

__all__ = ["Section", "run_demo"]

"""One section of the demo report, and pyplot on the Agg backend for its figures.

The section modules (:mod:`~cellsim.demo.sections`, :mod:`~cellsim.demo.cells`,
:mod:`~cellsim.demo.lab`, :mod:`~cellsim.demo.shorts`) build :class:`Section` objects;
:mod:`~cellsim.demo.report` assembles them. Both import this module, never each other
the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..htmlreport import pyplot  # noqa: F401  (the sections draw with it)


@dataclass
class Section:
    """One part of the report.

    Attributes
    ----------
    key : str
        Short identifier (figure file prefix).
    title : str
        Heading.
    intro : str
        What the section shows; which numbers are seed inputs, calibrated, predicted.
    tables : list of (caption, headers, rows)
    figures : list of (name, matplotlib Figure, caption)
    summary : list of rows [quantity, seed, cellsim, note] for the printed summary.
    notes : list of str
        Disagreements with the seed and caveats, shown prominently.
    """

    key: str
    title: str
    intro: str = ""
    tables: list = field(default_factory=list)
    figures: list = field(default_factory=list)
    summary: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    inputs: list = field(default_factory=list)



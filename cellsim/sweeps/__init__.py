"""Sweeps and screening (capability C12): thickness sweeps and LIC screening over the library.

A sweep spec (TOML, examples in ``models/sweeps/``) names a base model, axes over it (layer
thicknesses, a layer's material, temperature, area, protocol parameters; as grids, lists or
random draws) and the outputs per point (:mod:`cellsim.sweeps.outputs`). :func:`run_sweep`
computes the points in-process, in local processes or on a Dask cluster and commits each
finished point to a SQLite file (:mod:`cellsim.sweeps.store`), so that an interrupted sweep
resumes without losing or repeating a point. :func:`load_results` gives a pandas DataFrame,
:mod:`cellsim.sweeps.views` ranking tables, heat maps and Pareto fronts, and
:func:`screen_lics` the ranked LIC screening of the seed's sandwich (for the demo).

Examples
--------
>>> from cellsim.sweeps import load_spec, run_sweep, load_results   # doctest: +SKIP
>>> spec = load_spec("lic-screening")
>>> run_sweep(spec, "screening.sqlite")
>>> df = load_results("screening.sqlite")
"""

from __future__ import annotations

from .outputs import OUTPUTS, Column, PointContext, register_output
from .runner import SweepReport, compute_chunk, compute_point, point_stack, run_sweep
from .screening import screen_lics
from .spec import Axis, SweepSpec, load_spec, sweep_files
from .store import ResultStore, export_results, load_results, read_meta

__all__ = ["OUTPUTS", "Axis", "Column", "PointContext", "ResultStore", "SweepReport", "SweepSpec", "compute_chunk",
           "compute_point", "export_results", "load_results", "load_spec", "point_stack", "read_meta",
           "register_output", "run_sweep", "screen_lics", "sweep_files"]

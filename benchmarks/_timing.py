"""Timing helpers shared by the benchmark scripts (run as ``python benchmarks/NAME.py``, so
this directory is on ``sys.path``)."""

from __future__ import annotations

import statistics
import time


def timed(fn):
    """``(wall seconds, fn())`` of one call, timed with ``time.perf_counter``."""
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def stats(xs, suffix: str = "") -> dict:
    """Median, min and max of timings ``xs`` [s], keyed ``median``/``min``/``max`` + ``suffix``."""
    return {"median" + suffix: statistics.median(xs), "min" + suffix: min(xs), "max" + suffix: max(xs)}

"""One BLAS thread for the small dense linear algebra of the spectrum analyses.

The DRT and lin-KK solve many problems of ~100 unknowns; a multi-threaded BLAS gains
nothing there and, on a machine whose cores are busy, loses a factor 5-50 to thread
contention (measured: a 4000 x 101 QR took 1.6 s with the default OpenBLAS threads on
a loaded 2-core machine, 0.02 s with one thread).
"""

from __future__ import annotations

import contextlib


def single_thread():
    """Context manager limiting BLAS/OpenMP to one thread (no-op without threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a declared dependency
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)

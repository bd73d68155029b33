"""One BLAS thread per process for the CLI and the sweep workers.

cellsim's linear algebra is small (tridiagonal solves in numba, dense problems of ~100
unknowns in the spectrum analyses); a multi-threaded BLAS gains nothing there, and when
several processes share the cores (sweep workers, or other work on the machine) its threads
fight over them (cellsim/fitting/_blas.py measured a factor 5-50). Parallelism comes from
worker processes instead, one per core.

:func:`pin_blas_threads` limits the BLAS libraries already loaded (threadpoolctl) and, for
those loaded later, sets the usual environment variables unless the user set them.
``CELLSIM_BLAS_THREADS`` chooses another number.

Compiled batch kernels that split their items over numba's threads (``prange``: the circuit
evaluator's batches) ask :func:`kernel_threads` how many they may use and take
:func:`parallel_slot` for the call: numba's thread count (``NUMBA_NUM_THREADS``, or
``numba.set_num_threads``) in an ordinary process, one thread in a sweep worker (the workers
already fill the cores), and one parallel kernel at a time per process (another Python thread
that calls one meanwhile runs it on its own thread: no oversubscription, and numba's default
``workqueue`` threading layer does not allow concurrent parallel launches).
"""

from __future__ import annotations

import os
import threading

_ENV = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
_PINNED: list = []   # the threadpoolctl controller, kept alive for the life of the process


def blas_threads() -> int:
    """BLAS threads per process: ``CELLSIM_BLAS_THREADS`` (an integer >= 1), else 1."""
    raw = os.environ.get("CELLSIM_BLAS_THREADS", "1")
    try:
        n = int(raw)
    except ValueError:
        return 1
    return n if n >= 1 else 1


def pin_blas_threads() -> int:
    """Limit BLAS to :func:`blas_threads` threads in this process (once; later calls return at once).

    Returns the number of threads."""
    n = blas_threads()
    if _PINNED:
        return n
    for name in _ENV:
        os.environ.setdefault(name, str(n))
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl is a declared dependency
        _PINNED.append(None)
        return n
    _PINNED.append(threadpool_limits(limits=n, user_api="blas"))
    return n


_WORKER: list = []


def mark_worker() -> None:
    """This process is one of several sweep workers (one core each): batches run on one thread."""
    if not _WORKER:
        _WORKER.append(True)


def batch_threads(n_items: int) -> int:
    """Threads for a batch of ``n_items`` compiled simulations in this process: one per core
    (at most one per item), or 1 in a sweep worker (:func:`mark_worker`)."""
    if _WORKER:
        return 1
    return max(1, min(int(n_items), os.cpu_count() or 1))


def kernel_threads() -> int:
    """Threads a compiled batch kernel (numba ``prange``) may use in this process: 1 in a
    sweep worker (:func:`mark_worker`), else numba's thread count for the calling thread
    (``NUMBA_NUM_THREADS`` by default; ``numba.set_num_threads`` lowers it)."""
    if _WORKER:
        return 1
    import numba  # loaded with the kernels anyway; not at ``import cellsim``

    return int(numba.get_num_threads())


_PARALLEL_LOCK = threading.Lock()


class parallel_slot:
    """Context manager: ``with parallel_slot() as ok:`` -- ``ok`` is True when this call may
    launch a numba parallel kernel (no other one runs in this process and
    :func:`kernel_threads` > 1), else the caller runs its serial kernel. Never waits."""

    __slots__ = ("_held",)

    def __enter__(self) -> bool:
        self._held = kernel_threads() > 1 and _PARALLEL_LOCK.acquire(blocking=False)
        return self._held

    def __exit__(self, *exc) -> None:
        if self._held:
            _PARALLEL_LOCK.release()


_BESIDE: list = []   # the thread pool of run_beside, made at its first use
_BESIDE_LOCK = threading.Lock()


def run_beside(fn, *args):
    """Start ``fn(*args)`` on another thread when this process may use another core
    (:func:`batch_threads`: not in a sweep worker, more than one core) and return its
    :class:`concurrent.futures.Future` (a compiled simulation releases the GIL, so two of them use
    two cores); else return None (the caller then runs it itself)."""
    if batch_threads(2) < 2:
        return None
    with _BESIDE_LOCK:
        if not _BESIDE:
            from concurrent.futures import ThreadPoolExecutor

            _BESIDE.append(ThreadPoolExecutor(max_workers=os.cpu_count() or 2, thread_name_prefix="cellsim-beside"))
    return _BESIDE[0].submit(fn, *args)

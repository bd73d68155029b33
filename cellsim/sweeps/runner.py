"""Running a sweep: build each point's stack, compute its outputs, commit it, count it.

Three executors share one loop (:func:`run_sweep`):

``inprocess``
    chunks computed in this process; outputs that have a vectorised ``batch`` form
    (:mod:`cellsim.sweeps.outputs`) are evaluated over a whole chunk with NumPy.
``processes``
    chunks sent to a :class:`concurrent.futures.ProcessPoolExecutor` (workers forked from
    a forkserver that has imported cellsim);
    a pool broken by a dying worker is rebuilt and its unfinished chunks sent again.
``dask``
    chunks submitted to a ``dask.distributed`` cluster: an existing scheduler
    (``scheduler="tcp://host:8786"``), a given ``client``, or a
    :class:`~distributed.LocalCluster` started for the run. A worker lost mid-run loses no
    points: the scheduler recomputes its chunks, and only the client writes results.

Only this process writes the results file (:class:`~cellsim.sweeps.store.ResultStore`), and
a chunk's points count as done (progress bar, ``on_commit``) only after the transaction
holding them is committed. Points whose computation raises a
:class:`~cellsim.errors.CellsimError` are stored with status ``"error"`` and the message; a
resumed sweep does not compute them again.
"""

from __future__ import annotations

import importlib
import math
import os
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from ..errors import CellsimError, InputError
from ..threads import mark_worker
from .points import _materials_of, point_protocol, point_stack, structure_stack  # noqa: F401 (re-exported)
from .spec import SweepSpec, load_spec

EXECUTORS = ("inprocess", "processes", "dask")


# --- computing points ----------------------------------------------------------------------
_IMPORTED_PLUGINS: set[str] = set()


def ensure_plugins(spec: SweepSpec) -> None:
    """Import the spec's plugin modules (they register outputs) in this process."""
    for mod in getattr(spec, "plugins", ()):
        if mod not in _IMPORTED_PLUGINS:
            importlib.import_module(mod)
            _IMPORTED_PLUGINS.add(mod)


def _worker_name() -> str:
    """The Dask worker's address inside a Dask task, else ``host:pid``."""
    if "distributed" in sys.modules:  # never import distributed just to ask
        try:
            return str(sys.modules["distributed"].get_worker().address)
        except (ValueError, AttributeError):
            pass
    return f"{socket.gethostname()}:{os.getpid()}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _sql_value(v: Any) -> Any:
    """A value as SQLite stores it: Python float/int/str or None (NaN -> None)."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, (int, float, str)):
        return v
    return str(v)


def axis_columns(spec: SweepSpec, values: Mapping[str, Any]) -> dict[str, Any]:
    return {a.column: values[a.name] for a in spec.axes}


def _output_row(name: str, res: Mapping[str, Any]) -> dict[str, Any]:
    from .outputs import OUTPUTS

    cols = {c.name for c in OUTPUTS[name].columns}
    extra = set(res) - cols
    if extra:
        raise TypeError(f"output {name!r} returned undeclared columns {sorted(extra)}; declared: {sorted(cols)}")
    return {c: _sql_value(res.get(c)) for c in cols}


def compute_point(spec: SweepSpec, pid: int, values: Mapping[str, Any], outputs: Sequence[str] | None = None,
                  stack=None) -> dict[str, Any]:
    """Compute one point with the scalar output functions; a row for the results table.

    A :class:`~cellsim.errors.CellsimError` raised while building the stack or computing an
    output makes the row ``status = "error"`` with the message (output columns empty).
    """
    from .outputs import OUTPUTS, PointContext

    t0 = time.perf_counter()
    row: dict[str, Any] = {"point_id": int(pid), **{k: _sql_value(v) for k, v in axis_columns(spec, values).items()}}
    outs = spec.outputs if outputs is None else outputs
    current = "stack"
    try:
        st = point_stack(spec, values) if stack is None else stack
        ctx = PointContext(st, point_protocol(spec, values), spec.options, values)
        for name in outs:
            current = name
            row.update(_output_row(name, OUTPUTS[name].func(ctx)))
        row.update(status="ok", error=None)
    except CellsimError as exc:
        for name in outs:
            row.update({c.name: None for c in OUTPUTS[name].columns})
        what = "building the stack" if current == "stack" else f"output {current!r}"
        row.update(status="error", error=f"{what}: {exc}")
    row.update(elapsed_s=time.perf_counter() - t0, worker=_worker_name(), finished_at=_now())
    return row


def compute_chunk(spec: SweepSpec, ids: Sequence[int], vectorise: bool = True) -> list[dict[str, Any]]:
    """Rows of the points ``ids``.

    With ``vectorise`` the outputs that have a ``batch`` form are evaluated over the whole
    chunk at once (:class:`LayerTable`); the others point by point. If building the batch
    table raises a CellsimError the chunk is computed point by point, so that the error is
    stored with the point that causes it. ``elapsed_s`` of a vectorised point is its share
    of the chunk's time.
    """
    from .outputs import OUTPUTS

    if hasattr(spec, "compute_chunk"):  # a study with its own points (e.g. cellsim.uncertainty)
        return spec.compute_chunk(ids)
    ensure_plugins(spec)
    pts = list(spec.points(ids))
    batch_outs = [o for o in spec.outputs if vectorise and OUTPUTS[o].batch is not None]
    if not batch_outs or not pts:
        return [compute_point(spec, pid, v) for pid, v in pts]
    t0 = time.perf_counter()
    try:
        table = LayerTable.build(spec, pts)
        cols: dict[str, Any] = {}
        for o in batch_outs:
            res = OUTPUTS[o].batch(table)
            declared = {c.name for c in OUTPUTS[o].columns}
            if set(res) != declared:
                raise TypeError(f"batch output {o!r} returned {sorted(res)}; declared {sorted(declared)}")
            cols.update(res)
    except CellsimError:
        return [compute_point(spec, pid, v) for pid, v in pts]
    share = (time.perf_counter() - t0) / len(pts)
    scalar_outs = [o for o in spec.outputs if o not in batch_outs]
    worker = _worker_name()
    rows = []
    for k, (pid, values) in enumerate(pts):
        if scalar_outs:
            row = compute_point(spec, pid, values, scalar_outs)
            if row["status"] == "error":
                for o in batch_outs:
                    row.update({c.name: None for c in OUTPUTS[o].columns})
                rows.append(row)
                continue
            row["elapsed_s"] += share
        else:
            row = {"point_id": int(pid), **{c: _sql_value(v) for c, v in axis_columns(spec, values).items()},
                   "status": "ok", "error": None, "elapsed_s": share, "worker": worker, "finished_at": None}
        for c, arr in cols.items():
            row[c] = _sql_value(arr[k])
        rows.append(row)
    now = _now()
    for r in rows:
        if r["finished_at"] is None:
            r["finished_at"] = now
    return rows


@dataclass
class LayerTable:
    """Per-point, per-layer properties of many points as arrays (the input of ``batch`` outputs).

    Shapes: ``(n,)`` for cell values, ``(n, n_layers)`` for layer values. Conductivities,
    diffusivities and interfacial resistances are evaluated at each point's temperature,
    once per distinct (materials, temperature, polymer fractions); thicknesses and areas
    are the points' own values, so ``L/(sigma S)`` and the other closed forms are array
    expressions.

    Attributes
    ----------
    area : ndarray (n,)
        S [m2].
    thickness : ndarray (n, n_layers)
        L [m].
    sigma, sigma_e : ndarray (n, n_layers)
        Ionic and electronic conductivity [S/m] at the point's temperature.
    is_polymer : ndarray of bool (n, n_layers)
        Binary polymer layers (where ``diffusivity``, ``concentration``, ``tplus`` apply).
    diffusivity [m2/s], concentration [mol/m3], tplus [-] : ndarray (n, n_layers)
        NaN outside polymer layers.
    layer_names : ndarray of object (n, n_layers)
    interface_asr : ndarray (n,)
        Sum of the interfaces' linear ASR [ohm m2] at the point's temperature.
    cost_per_volume : ndarray (n, n_layers)
        sum over phases of fraction x density x cost [USD/m3] (0 without data).
    costed : ndarray of object (n,)
        Comma-joined labels of the costed materials.
    scarcest_element : ndarray of object (n,), scarcest_ppm : ndarray (n,)
    options : dict
        The spec's options (SI).
    """

    area: Any
    thickness: Any
    sigma: Any
    sigma_e: Any
    is_polymer: Any
    diffusivity: Any
    concentration: Any
    tplus: Any
    layer_names: Any
    interface_asr: Any
    cost_per_volume: Any
    costed: Any
    scarcest_element: Any
    scarcest_ppm: Any
    options: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return self.thickness.shape[0]

    @property
    def n_layers(self) -> int:
        return self.thickness.shape[1]

    @staticmethod
    def _series(L, s):
        import numpy as np

        with np.errstate(divide="ignore"):
            return np.where(s > 0, L / np.where(s > 0, s, 1.0), np.inf).sum(axis=1)

    def bulk_resistance(self):
        """sum_i L_i/(sigma_i S) [ohm] (seed Eq. 1 per layer; inf with an ionic insulator)."""
        return self._series(self.thickness, self.sigma) / self.area

    def interface_resistance(self):
        """sum_k ASR_k / S [ohm]."""
        return self.interface_asr / self.area

    def electronic_resistance(self):
        """sum_i L_i/(sigma_e,i S) [ohm] (inf when any layer is an electronic insulator)."""
        return self._series(self.thickness, self.sigma_e) / self.area

    @classmethod
    def build(cls, spec: SweepSpec, points: Sequence[tuple[int, Mapping[str, Any]]]) -> "LayerTable":
        import numpy as np

        from .outputs import cost_per_volume, scarcest

        n = len(points)
        base = spec.base_stack()
        nl = len(base.layers)
        frac_axes = [a for a in spec.axes if a.targets[0].prop == "polymer_fraction"]
        temp_axes = [a for a in spec.axes if a.targets[0].kind == "temperature"]
        keys: dict[tuple, int] = {}
        kidx = np.empty(n, dtype=np.int64)
        reps: list[Mapping[str, Any]] = []
        for i, (_, v) in enumerate(points):
            key = (_materials_of(spec, v), tuple(v[a.name] for a in temp_axes), tuple(v[a.name] for a in frac_axes))
            j = keys.get(key)
            if j is None:
                j = keys[key] = len(reps)
                reps.append({a.name: v[a.name] for a in spec.axes if a.is_material or a in temp_axes or a in frac_axes})
            kidx[i] = j
        k = len(reps)
        sig = np.zeros((k, nl))
        sige = np.zeros((k, nl))
        pol = np.zeros((k, nl), dtype=bool)
        D = np.full((k, nl), np.nan)
        c0 = np.full((k, nl), np.nan)
        tp = np.full((k, nl), np.nan)
        names = np.empty((k, nl), dtype=object)
        iasr = np.zeros(k)
        cpv = np.zeros((k, nl))
        costed = np.empty(k, dtype=object)
        scel = np.empty(k, dtype=object)
        scppm = np.full(k, np.nan)
        for j, v in enumerate(reps):
            st = point_stack(spec, v)
            T = st.temperature
            labels: list[str] = []
            for li, layer in enumerate(st.layers):
                sig[j, li] = layer.ionic_conductivity(T)
                sige[j, li] = layer.electronic_conductivity(T)
                names[j, li] = layer.name
                if layer.kind == "polymer":
                    pol[j, li] = True
                    D[j, li] = layer.salt_diffusivity(T)
                    c0[j, li] = layer.salt_concentration()
                    tp[j, li] = layer.transference_number()
                c, lab = cost_per_volume(layer)
                cpv[j, li] = c
                labels += [x for x in lab if x not in labels]
            costed[j] = ",".join(labels)
            iasr[j] = sum(i.resistance(T) for i in st.interfaces)
            el, ppm = scarcest(st.layers)
            scel[j] = el
            scppm[j] = np.nan if ppm is None else ppm
        thickness = np.repeat(np.array([[l.thickness for l in base.layers]]), n, axis=0)
        area = np.full(n, base.area)
        for a in spec.axes:
            t0 = a.targets[0]
            if t0.prop == "thickness":
                col = np.array([v[a.name] for _, v in points], dtype=float)
                for t in a.targets:
                    thickness[:, t.layer] = col
            elif t0.kind == "area":
                area = np.array([v[a.name] for _, v in points], dtype=float)
        return cls(area=area, thickness=thickness, sigma=sig[kidx], sigma_e=sige[kidx], is_polymer=pol[kidx],
                   diffusivity=D[kidx], concentration=c0[kidx], tplus=tp[kidx], layer_names=names[kidx],
                   interface_asr=iasr[kidx], cost_per_volume=cpv[kidx], costed=costed[kidx],
                   scarcest_element=scel[kidx], scarcest_ppm=scppm[kidx], options=dict(spec.options))


# --- executors ---------------------------------------------------------------------------------
def _chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for i in range(0, len(ids), size):
        yield list(ids[i:i + size])


def default_chunk_size(n_remaining: int, n_workers: int, executor: str, vectorise: bool,
                       expensive: bool = False) -> int:
    """Points per task: large in-process chunks when vectorised; else about 8 tasks per worker.

    With ``expensive`` outputs (a simulation per point, such as CCD: tens of ms each) a task
    holds at most 50 points and each worker gets about 32 tasks, so that the last tasks,
    which some workers finish while others idle, are short (one task of 8 per worker can
    leave a worker idle for an eighth of the run)."""
    if executor == "inprocess":
        return 2000 if vectorise else 100
    if expensive:
        return max(1, min(50, math.ceil(n_remaining / max(1, 32 * n_workers))))
    return max(1, min(2000, math.ceil(n_remaining / max(1, 8 * n_workers))))


#: outputs that simulate each point (chunked small across workers)
EXPENSIVE_OUTPUTS = ("ccd",)


def _inprocess(spec, chunks, vectorise) -> Iterator[list[dict]]:
    for ids in chunks:
        yield compute_chunk(spec, ids, vectorise)


_WORKER_SPEC: SweepSpec | None = None


def prepare_worker(spec) -> None:
    """Ready this process to compute points of ``spec``: one BLAS thread
    (:func:`cellsim.threads.pin_blas_threads`) and, when the spec computes CCDs, the compiled
    step-up engine loaded from the numba cache (or compiled) before the first point, so that
    no chunk carries that cost. Once per process."""
    from ..threads import pin_blas_threads

    pin_blas_threads()
    if "ccd" in tuple(getattr(spec, "outputs", ()) or ()) and not _WARMED:
        from ..shortcircuit.ccd import warm_up_engine

        warm_up_engine()
        _WARMED.append(True)


_WARMED: list = []


def _init_process(spec: SweepSpec, parent_pid: int | None = None) -> None:
    global _WORKER_SPEC
    _WORKER_SPEC = spec
    if parent_pid is not None:
        exit_with_parent(parent_pid)
    ensure_plugins(spec)
    prepare_worker(spec)
    mark_worker()


def _process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, killed but not yet reaped, counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - exists, owned by another user
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            state = fh.read().rsplit(b")", 1)[1].split()[0]
        return state not in (b"Z", b"X")
    except (OSError, IndexError):  # no /proc (macOS): os.kill said it exists
        return True


def exit_with_parent(parent_pid: int, poll_s: float = 0.5) -> None:
    """Make this worker process end when the sweep process ``parent_pid`` dies, even by SIGKILL.

    A pool worker waits on its task queue, whose pipe other workers keep open, so it never
    sees the sweep process go. Two guards: on Linux ``prctl(PR_SET_PDEATHSIG, SIGTERM)`` ends
    the worker when its parent (the sweep process, or the forkserver, which exits with it)
    dies; and, everywhere, a daemon thread checks every ``poll_s`` seconds whether
    ``parent_pid`` still runs and ends the worker with ``os._exit`` when it does not.
    """
    import signal
    import sys
    import threading

    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            PR_SET_PDEATHSIG = 1
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl in this libc
            pass
    if not _process_alive(parent_pid):  # died before the guards were set
        os._exit(1)

    def watch() -> None:
        import time

        while _process_alive(parent_pid):
            time.sleep(poll_s)
        os._exit(1)

    threading.Thread(target=watch, name="cellsim-parent-watch", daemon=True).start()


def _process_chunk(ids: list[int], vectorise: bool) -> list[dict]:
    return compute_chunk(_WORKER_SPEC, ids, vectorise)


def _processes(spec, chunks, vectorise, n_workers, max_restarts: int = 3) -> Iterator[list[dict]]:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    todo = list(chunks)
    todo.reverse()
    restarts = 0
    # forkserver: workers fork from a server that has imported cellsim once (fast, and safe
    # with threads in this process, unlike fork); spawn where forkserver does not exist
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["cellsim.sweeps.runner"])
    else:  # pragma: no cover - Windows
        ctx = mp.get_context("spawn")
    while todo:
        pool = ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, initializer=_init_process,
                                   initargs=(spec, os.getpid()))
        pending: dict[Any, list[int]] = {}
        broken = False
        try:
            while todo or pending:
                while todo and len(pending) < 2 * n_workers:
                    ids = todo.pop()
                    pending[pool.submit(_process_chunk, ids, vectorise)] = ids
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    ids = pending.pop(fut)
                    try:
                        rows = fut.result()
                    except BrokenProcessPool:
                        todo.append(ids)
                        broken = True
                        continue
                    yield rows
                if broken:
                    break
        finally:
            pool.shutdown(wait=not broken, cancel_futures=True)
        if broken:
            todo.extend(pending.values())
            restarts += 1
            if restarts > max_restarts:
                raise CellsimError(f"the process pool broke {restarts} times (a worker process died); "
                                   f"{sum(len(c) for c in todo)} points not computed; run again with --resume")


def _dask_chunk(spec: SweepSpec, ids: list[int], vectorise: bool) -> list[dict]:
    prepare_worker(spec)
    mark_worker()
    return compute_chunk(spec, ids, vectorise)


def _lost_rows(spec: SweepSpec, ids: Sequence[int], why: str) -> list[dict]:
    from .outputs import OUTPUTS

    if hasattr(spec, "lost_rows"):
        return spec.lost_rows(ids, why)
    rows = []
    for pid, values in spec.points(ids):
        row = {"point_id": pid, **{k: _sql_value(v) for k, v in axis_columns(spec, values).items()}}
        for o in spec.outputs:
            row.update({c.name: None for c in OUTPUTS[o].columns})
        row.update(status="error", error=why, elapsed_s=None, worker=None, finished_at=_now())
        rows.append(row)
    return rows


def _dask(spec, chunks, vectorise, client, in_flight: int) -> Iterator[list[dict]]:
    from distributed import as_completed
    from distributed.scheduler import KilledWorker

    todo = list(chunks)
    todo.reverse()
    ids_of: dict[Any, list[int]] = {}
    client.run(prepare_worker, spec)   # one BLAS thread, numba kernels loaded: before any point

    def submit():
        ids = todo.pop()
        fut = client.submit(_dask_chunk, spec, ids, vectorise, pure=False)
        ids_of[fut] = ids
        return fut

    first = [submit() for _ in range(min(in_flight, len(todo)))]
    ac = as_completed(first)
    for fut in ac:
        ids = ids_of.pop(fut)
        try:
            rows = fut.result()
        except KilledWorker as exc:
            rows = _lost_rows(spec, ids, f"every worker that computed this point died ({exc}); not retried")
        fut.release()
        yield rows
        if todo:
            ac.add(submit())


#: Dask settings of the LocalCluster a sweep starts: the workers' statistical profiler (a thread
#: that samples the computing thread every 10 ms for the dashboard, which this cluster does not
#: serve) is off. It cost about 4 % of the CPU time per CCD point (1440 points of the sweep
#: benchmark on 2 workers, two runs each: 18.5-19.0 s instead of 19.3-19.7 s of CPU per
#: worker, 19.3-19.7 s instead of 20.2-20.4 s wall).
LOCAL_CLUSTER_CONFIG = {"distributed.worker.profile.enabled": False}


def local_cluster(n_workers: int):
    """The :class:`distributed.LocalCluster` a sweep starts: ``n_workers`` processes of one thread
    each, no dashboard, :data:`LOCAL_CLUSTER_CONFIG` (the worker processes inherit it)."""
    import logging

    import dask
    from distributed import LocalCluster

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        return LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                            silence_logs=logging.ERROR)


def _n_dask_workers(client) -> int:
    try:
        return max(1, len(client.scheduler_info().get("workers", {})))
    except Exception:  # pragma: no cover
        return 1


# --- the loop -----------------------------------------------------------------------------------
@dataclass
class SweepReport:
    """What a run did (the ``--json`` summary of ``cellsim sweep``)."""

    path: str
    spec_name: str
    spec_hash: str
    n_points: int
    n_done_before: int
    n_computed: int
    n_ok: int
    n_error: int
    elapsed_s: float
    executor: str
    workers: int
    chunk_size: int
    outputs: list = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.n_ok + self.n_error == self.n_points

    @property
    def points_per_s(self) -> float | None:
        return self.n_computed / self.elapsed_s if self.elapsed_s > 0 and self.n_computed else None

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d.update(complete=self.complete, points_per_s=self.points_per_s)
        return d


def _progress(total: int, initial: int, enabled: bool | None, desc: str):
    from tqdm import tqdm

    if enabled is None:
        enabled = sys.stderr.isatty()
    return tqdm(total=total, initial=initial, disable=not enabled, unit="pt", desc=desc, dynamic_ncols=True,
                smoothing=0.1)


def run_sweep(spec: SweepSpec | str | os.PathLike, out: str | os.PathLike, *, resume: bool = False,
              executor: str = "inprocess", workers: int | None = None, scheduler: str | None = None,
              client=None, chunk_size: int | None = None, vectorise: bool = True, progress: bool | None = None,
              on_commit: Callable[[int, int], None] | None = None, synchronous: str = "NORMAL") -> SweepReport:
    """Run (or resume) a sweep into the SQLite file ``out``.

    Parameters
    ----------
    spec : SweepSpec or path
        The sweep (a path or shipped name is loaded with :func:`~cellsim.sweeps.load_spec`).
    out : path
        Results file (created; with ``resume`` an existing one is continued).
    resume : bool
        Continue the sweep stored in ``out``: only the points it does not hold are
        computed. The file must hold the same spec (hash of spec and base model).
    executor : {"inprocess", "processes", "dask"}
    workers : int, optional
        Processes (``processes``), or workers of the LocalCluster started for ``dask``
        without ``scheduler``/``client`` (default: the CPU count).
    scheduler : str, optional
        Address of a running Dask scheduler.
    client : distributed.Client, optional
        An existing Dask client (overrides ``scheduler``).
    chunk_size : int, optional
        Points per task (default: the spec's ``chunk_size``, else see :func:`default_chunk_size`).
    vectorise : bool
        Use the outputs' vectorised forms where they exist.
    progress : bool, optional
        Show a progress bar (default: only when stderr is a terminal).
    on_commit : callable, optional
        ``on_commit(n_done, n_points)`` after each committed chunk.
    synchronous : {"NORMAL", "FULL"}
        SQLite ``synchronous`` setting (see :class:`~cellsim.sweeps.store.ResultStore`).

    Returns
    -------
    SweepReport
    """
    from .store import ResultStore

    if not isinstance(spec, SweepSpec) and not hasattr(spec, "compute_chunk"):
        spec = load_spec(spec)
    if executor not in EXECUTORS:
        raise InputError("executor", executor, "one of " + ", ".join(EXECUTORS))
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise InputError("workers", workers, "an integer >= 1")
    if chunk_size is not None and (not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1):
        raise InputError("chunk_size", chunk_size, "an integer >= 1")
    ensure_plugins(spec)
    t_start = time.perf_counter()
    with ResultStore(out, spec, resume=resume, synchronous=synchronous) as store:
        done = store.done_ids()
        n_before = len(done)
        remaining = [i for i in range(spec.n_points) if i not in done]
        owned_client = cluster = None
        n_workers = 1
        if executor == "processes":
            n_workers = workers or os.cpu_count() or 1
        elif executor == "dask" and remaining:
            if client is None:
                from distributed import Client

                if scheduler:
                    try:
                        owned_client = client = Client(scheduler, timeout="10s")
                    except (OSError, ValueError, TimeoutError) as exc:
                        raise InputError("--scheduler", scheduler, f"the address of a running Dask scheduler "
                                         f"({exc})") from None
                else:
                    cluster = local_cluster(workers or os.cpu_count() or 1)
                    owned_client = client = Client(cluster)
            n_workers = _n_dask_workers(client)
        expensive = any(o in EXPENSIVE_OUTPUTS for o in tuple(getattr(spec, "outputs", ()) or ()))
        size = chunk_size or spec.chunk_size or default_chunk_size(len(remaining), n_workers, executor, vectorise,
                                                                   expensive)
        chunks = _chunks(remaining, size)
        n_computed = 0
        bar = _progress(spec.n_points, n_before, progress, spec.name)
        try:
            if not remaining:
                stream: Iterable[list[dict]] = ()
            elif executor == "inprocess":
                stream = _inprocess(spec, chunks, vectorise)
            elif executor == "processes":
                stream = _processes(spec, chunks, vectorise, n_workers)
            else:
                stream = _dask(spec, chunks, vectorise, client, in_flight=max(2, 3 * n_workers))
            for rows in stream:
                written = store.write(rows)  # committed before the points count as done
                n_computed += written
                bar.update(written)
                if on_commit is not None:
                    on_commit(n_before + n_computed, spec.n_points)
        finally:
            bar.close()
            if owned_client is not None:
                owned_client.close()
            if cluster is not None:
                cluster.close()
        counts = store.status_counts()
    return SweepReport(path=str(out), spec_name=spec.name, spec_hash=spec.spec_hash, n_points=spec.n_points,
                       n_done_before=n_before, n_computed=n_computed, n_ok=counts.get("ok", 0),
                       n_error=counts.get("error", 0), elapsed_s=time.perf_counter() - t_start, executor=executor,
                       workers=n_workers, chunk_size=size, outputs=list(spec.outputs))

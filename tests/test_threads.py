"""One BLAS thread per process (cellsim/threads.py) for the CLI and the sweep workers."""

import pytest

from cellsim import threads


def test_blas_threads_reads_the_override(monkeypatch):
    monkeypatch.delenv("CELLSIM_BLAS_THREADS", raising=False)
    assert threads.blas_threads() == 1
    monkeypatch.setenv("CELLSIM_BLAS_THREADS", "3")
    assert threads.blas_threads() == 3
    for bad in ("0", "-2", "many"):
        monkeypatch.setenv("CELLSIM_BLAS_THREADS", bad)
        assert threads.blas_threads() == 1


def test_pin_limits_the_loaded_blas_and_sets_the_environment(monkeypatch):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import numpy  # noqa: F401  (loads a BLAS)

    monkeypatch.delenv("CELLSIM_BLAS_THREADS", raising=False)
    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    monkeypatch.setattr(threads, "_PINNED", [])
    try:
        assert threads.pin_blas_threads() == 1
        import os

        assert os.environ["OPENBLAS_NUM_THREADS"] == "1"
        blas = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
        assert blas and all(i["num_threads"] == 1 for i in blas)
        assert threads.pin_blas_threads() == 1 and len(threads._PINNED) == 1   # once per process
    finally:
        for c in threads._PINNED:
            if c is not None:
                c.restore_original_limits()


def test_the_cli_pins_blas_before_a_command(monkeypatch):
    from cellsim import cli

    calls = []
    monkeypatch.setattr(threads, "pin_blas_threads", lambda: calls.append(1) or 1)
    assert cli.main(["info", "li-uvea-li"]) == 0
    assert calls == [1]


def test_run_beside_returns_the_value_and_raises_the_error(monkeypatch):
    import threading

    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threads, "_WORKER", [])
    seen = []
    job = threads.run_beside(lambda a, b: seen.append(threading.get_ident()) or a + b, 2, 3)
    assert job is not None and job.result() == 5
    assert seen and seen[0] != threading.get_ident()     # ran on another thread

    def fails():
        raise ValueError("from the other thread")

    with pytest.raises(ValueError, match="from the other thread"):
        threads.run_beside(fails).result()


def test_run_beside_declines_in_a_worker_or_on_one_core(monkeypatch):
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 1)
    monkeypatch.setattr(threads, "_WORKER", [])
    assert threads.run_beside(max, 1, 2) is None
    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threads, "_WORKER", [True])
    assert threads.run_beside(max, 1, 2) is None


def test_the_counterfactual_run_beside_gives_the_serial_result(monkeypatch):
    """run_ccd's second (transparent-middle) simulation on its own thread: the same result as
    run one after the other."""
    from cellsim.models import load_model
    from cellsim.shortcircuit.ccd import StepUpProtocol, run_ccd

    monkeypatch.setattr(threads.os, "cpu_count", lambda: 2)
    monkeypatch.setattr(threads, "_WORKER", [])
    stack = load_model("li-uvea-latp-uvea-li")
    p = StepUpProtocol.parse(start="1 mA/cm2", increment="1 mA/cm2", stop="15 mA/cm2", step_time="0.5 h")
    calls = []
    real = threads.run_beside
    monkeypatch.setattr(threads, "run_beside", lambda *a: calls.append(1) or real(*a))
    a = run_ccd(stack, p)
    assert calls == [1]
    monkeypatch.setattr(threads, "run_beside", lambda *a: None)
    b = run_ccd(stack, p)
    assert (a.ccd, a.kind, a.ccd_transparent_middle, a.depends_on_middle_layer, a.notes) == \
        (b.ccd, b.kind, b.ccd_transparent_middle, b.depends_on_middle_layer, b.notes)

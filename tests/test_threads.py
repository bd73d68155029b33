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

"""Durability: a sweep killed with SIGKILL resumes with every point exactly once; a Dask
worker lost mid-run loses no point."""

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pandas as pd
import pytest

from cellsim.sweeps import load_results, load_spec, run_sweep
from cellsim.sweeps.runner import compute_chunk

from .conftest import REPO

SLOW = """
[sweep]
base_model = "li-uvea-latp-uvea-li"
outputs = ["bulk_resistance", "slow_bulk"]
plugins = ["tests.sweeps.slow_plugin"]

[[axes]]
name = "uvea_thickness"
target = ["layers.UVEA-1.thickness", "layers.UVEA-2.thickness"]
start = "10 um"
stop = "300 um"
num = {num}
scale = "log"

[[axes]]
name = "lic"
target = "middle.material"
values = ["latp", "llzo", "lvo"]
form = "dense"
"""

VOLATILE = ["elapsed_s", "worker", "finished_at"]


def _count(path) -> int:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return con.execute("SELECT COUNT(*) FROM points").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return 0


def _check_complete(spec, out):
    df = load_results(out)
    con = sqlite3.connect(out)
    n, distinct = con.execute("SELECT COUNT(*), COUNT(DISTINCT point_id) FROM points").fetchone()
    con.close()
    assert n == distinct == spec.n_points
    assert df["point_id"].tolist() == list(range(spec.n_points))
    assert (df["status"] == "ok").all()
    ref = pd.DataFrame(compute_chunk(spec, list(range(spec.n_points)))).sort_values("point_id")
    pd.testing.assert_frame_equal(df.drop(columns=VOLATILE).reset_index(drop=True),
                                  ref[df.columns].drop(columns=VOLATILE).reset_index(drop=True))
    return df


def test_sigkill_mid_run_then_resume_holds_every_point_once(write_spec, tmp_path, monkeypatch):
    spec_path = write_spec(SLOW.format(num=20))
    spec = load_spec(spec_path)
    out = tmp_path / "r.sqlite"
    env = dict(os.environ, CELLSIM_TEST_SLEEP_S="0.03", PYTHONPATH=str(REPO))
    code = ("import sys; from cellsim.cli import main; "
            f"sys.exit(main(['sweep', {str(spec_path)!r}, '--out', {str(out)!r}, '--chunk-size', '2']))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while _count(out) < 10:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the sweep did not start"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    before = load_results(out)
    n_before = len(before)
    assert 10 <= n_before < spec.n_points, n_before  # killed mid-run, with committed points
    assert before["point_id"].is_unique
    monkeypatch.setenv("CELLSIM_TEST_SLEEP_S", "0")
    rep = run_sweep(spec, out, resume=True)
    assert (rep.n_done_before, rep.n_computed) == (n_before, spec.n_points - n_before)
    df = _check_complete(spec, out)
    # the points committed before the kill are kept as they were, not recomputed
    kept = df.set_index("point_id").loc[before["point_id"]]
    assert kept["finished_at"].tolist() == before["finished_at"].tolist()
    assert kept["worker"].tolist() == before["worker"].tolist()


def test_dask_local_cluster_losing_a_worker_mid_run_completes(write_spec, tmp_path, monkeypatch):
    import dask
    import distributed

    from cellsim.sweeps.runner import local_cluster

    monkeypatch.setenv("CELLSIM_TEST_SLEEP_S", "0.03")  # inherited by the spawned worker processes
    spec = load_spec(write_spec(SLOW.format(num=16)))
    out = tmp_path / "r.sqlite"
    cluster = local_cluster(2)  # the cluster run_sweep starts
    client = distributed.Client(cluster)
    # the workers' statistical profiler is off in the worker processes (LOCAL_CLUSTER_CONFIG)
    assert set(client.run(lambda: dask.config.get("distributed.worker.profile.enabled")).values()) == {False}
    killed = {}

    def kill_one_worker(done, total):
        if not killed and done >= 8:
            busy = sorted(a for a, keys in client.processing().items() if keys)
            pids = client.run(os.getpid)
            addr = busy[0] if busy else sorted(pids)[0]
            os.kill(pids[addr], signal.SIGKILL)  # a worker in the middle of a chunk
            killed.update(addr=addr, pid=pids[addr], done=done, busy=bool(busy))

    try:
        rep = run_sweep(spec, out, executor="dask", client=client, chunk_size=2, on_commit=kill_one_worker)
    finally:
        client.close()
        cluster.close()
    assert killed and killed["done"] < spec.n_points and killed["busy"]  # died mid-run, holding a chunk
    assert rep.complete and rep.n_ok == spec.n_points and rep.n_error == 0
    _check_complete(spec, out)
    with pytest.raises(ProcessLookupError):
        os.kill(killed["pid"], 0)


def test_pool_workers_exit_when_the_sweep_process_is_killed(write_spec, tmp_path):
    from cellsim.sweeps.runner import _process_alive

    spec_path = write_spec(SLOW.format(num=40))
    out = tmp_path / "r.sqlite"
    env = dict(os.environ, CELLSIM_TEST_SLEEP_S="0.05", PYTHONPATH=str(REPO))
    code = ("import sys; from cellsim.cli import main; "
            f"sys.exit(main(['sweep', {str(spec_path)!r}, '--out', {str(out)!r}, '--chunk-size', '2', "
            "'--processes', '2']))")
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the pool did not start"
            time.sleep(0.1)
            if _count(out):
                try:
                    workers = {int(w.rsplit(":", 1)[1]) for w in load_results(out)["worker"].dropna()}
                except Exception:  # the store is being written
                    workers = set()
        assert proc.pid not in workers
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    deadline = time.monotonic() + 20
    while any(_process_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _process_alive(pid)]
    for pid in left:  # do not leave them behind even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert not left, f"pool workers {left} outlived the killed sweep process"

"""Running sweeps: results file, errors per point, resume rules, executors, export."""

import os
import sqlite3

import numpy as np
import pandas as pd
import pytest

from cellsim.errors import FileFormatError, InputError
from cellsim.sweeps import export_results, load_results, load_spec, read_meta, run_sweep
from cellsim.sweeps.runner import compute_chunk

from .conftest import BASE

VOLATILE = ["elapsed_s", "worker", "finished_at"]


def _frame_of_rows(rows):
    return pd.DataFrame(rows).sort_values("point_id").reset_index(drop=True)


def test_inprocess_run_stores_every_point_once_with_si_columns(write_spec, tmp_path):
    spec = load_spec(write_spec(BASE))
    out = tmp_path / "r.sqlite"
    rep = run_sweep(spec, out, chunk_size=5)
    assert (rep.n_points, rep.n_computed, rep.n_ok, rep.n_error, rep.complete) == (12, 12, 12, 0, True)
    df = load_results(out)
    assert df["point_id"].tolist() == list(range(12))
    assert list(df.columns[:3]) == ["point_id", "uvea_thickness_m", "temperature_K"]
    for c in ("bulk_resistance_ohm", "limiting_current_density_A_m2", "status", "error", "elapsed_s", "worker",
              "finished_at"):
        assert c in df.columns
    assert (df["status"] == "ok").all() and df["error"].isna().all()
    ref = _frame_of_rows(compute_chunk(spec, list(range(12))))
    pd.testing.assert_frame_equal(df.drop(columns=VOLATILE), ref[df.columns].drop(columns=VOLATILE))
    meta = read_meta(out)
    assert meta["spec_hash"] == spec.spec_hash and meta["n_points"] == 12
    assert meta["columns"]["uvea_thickness_m"]["unit"] == "um"
    con = sqlite3.connect(out)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()


def test_processes_executor_gives_the_same_results(write_spec, tmp_path):
    spec = load_spec(write_spec(BASE))
    run_sweep(spec, tmp_path / "a.sqlite")
    b = run_sweep(spec, tmp_path / "b.sqlite", executor="processes", workers=2, chunk_size=2)
    assert b.executor == "processes" and b.workers == 2 and b.n_ok == 12
    da, db = load_results(tmp_path / "a.sqlite"), load_results(tmp_path / "b.sqlite")
    pd.testing.assert_frame_equal(da.drop(columns=VOLATILE), db.drop(columns=VOLATILE))
    assert set(db["worker"]) != set(da["worker"])  # computed in other processes


def test_cellsim_errors_are_stored_per_point_and_not_retried(write_spec, tmp_path):
    text = BASE.replace('outputs = ["bulk_resistance", "j_lim"]',
                        'outputs = ["bulk_resistance", "fail_thick"]\nplugins = ["tests.sweeps.slow_plugin"]')
    spec = load_spec(write_spec(text))
    out = tmp_path / "r.sqlite"
    rep = run_sweep(spec, out)
    df = load_results(out)
    thick = df["uvea_thickness_m"] > 150e-6
    assert rep.n_error == thick.sum() == 3 and rep.n_ok == 9
    bad = df[thick]
    assert (bad["status"] == "error").all()
    assert bad["error"].str.startswith("output 'fail_thick': layers[0].thickness = ").all()
    assert bad["error"].str.endswith("expected <= 150 um for the fail_thick test output").all()
    assert bad["bulk_resistance_ohm"].isna().all() and bad["fail_thick_m"].isna().all()
    assert df[~thick]["fail_thick_m"].tolist() == df[~thick]["uvea_thickness_m"].tolist()
    again = run_sweep(spec, out, resume=True)
    assert again.n_computed == 0 and again.n_error == 3 and again.complete


def test_existing_file_needs_resume_and_the_same_spec(write_spec, tmp_path):
    spec = load_spec(write_spec(BASE, "a.toml"))
    out = tmp_path / "r.sqlite"
    run_sweep(spec, out)
    with pytest.raises(InputError, match="a new file, or --resume"):
        run_sweep(spec, out)
    other = load_spec(write_spec(BASE.replace("num = 4", "num = 5"), "b.toml"))
    with pytest.raises(InputError) as ei:
        run_sweep(other, out, resume=True)
    msg = str(ei.value)
    assert "it holds another sweep" in msg and spec.spec_hash[:12] in msg and other.spec_hash[:12] in msg
    assert len(load_results(out)) == 12  # untouched


def test_resume_refuses_a_changed_base_model(write_spec, tmp_path):
    from cellsim.models import resolve_model

    model = tmp_path / "cell.toml"
    model.write_text(resolve_model("li-uvea-latp-uvea-li").read_text(encoding="utf-8"), encoding="utf-8")
    spec_path = write_spec(BASE.replace('"li-uvea-latp-uvea-li"', '"cell.toml"'))
    out = tmp_path / "r.sqlite"
    run_sweep(load_spec(spec_path), out)
    model.write_text(model.read_text(encoding="utf-8").replace('"1.33 cm2"', '"2 cm2"'), encoding="utf-8")
    with pytest.raises(InputError, match="model file .*cell.toml changed"):
        run_sweep(load_spec(spec_path), out, resume=True)


def test_interrupted_run_resumes_without_loss_or_repeat(write_spec, tmp_path):
    spec = load_spec(write_spec(BASE))
    out = tmp_path / "r.sqlite"
    seen = []

    def stop_after_two_chunks(done, total):
        seen.append(done)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, chunk_size=3, on_commit=stop_after_two_chunks)
    assert seen == [3, 6] and len(load_results(out)) == 6
    rep = run_sweep(spec, out, resume=True, chunk_size=3, on_commit=lambda d, t: seen.append(d))
    assert (rep.n_done_before, rep.n_computed, rep.complete) == (6, 6, True)
    assert seen[2:] == [9, 12]
    df = load_results(out)
    assert df["point_id"].tolist() == list(range(12))


def test_not_a_results_file(write_spec, tmp_path):
    spec = load_spec(write_spec(BASE))
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(os.urandom(3000))
    with pytest.raises(FileFormatError, match="not a SQLite results file"):
        run_sweep(spec, junk, resume=True)
    with pytest.raises(FileFormatError):
        load_results(junk)
    plain = tmp_path / "plain.sqlite"
    con = sqlite3.connect(plain)
    con.execute("CREATE TABLE x (a)")
    con.commit()
    con.close()
    with pytest.raises(FileFormatError, match="not a cellsim sweep results file"):
        run_sweep(spec, plain, resume=True)
    with pytest.raises(InputError, match="existing directory"):
        run_sweep(spec, tmp_path / "no" / "r.sqlite")


def test_export_csv_is_atomic_and_complete(write_spec, tmp_path, monkeypatch):
    spec = load_spec(write_spec(BASE))
    out = tmp_path / "r.sqlite"
    run_sweep(spec, out)
    csv = tmp_path / "r.csv"
    export_results(out, csv)
    back = pd.read_csv(csv)
    assert back["point_id"].tolist() == list(range(12))
    pd.testing.assert_series_equal(back["bulk_resistance_ohm"], load_results(out)["bulk_resistance_ohm"],
                                   check_exact=False, rtol=1e-15)
    before = csv.read_bytes()

    def broken(self, path, *a, **k):
        with open(path, "w") as fh:
            fh.write("point_id,half a fi")
        raise OSError("disk full")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        export_results(out, csv)
    assert csv.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_export_parquet_needs_pyarrow(write_spec, tmp_path):
    import importlib.util

    spec = load_spec(write_spec(BASE))
    out = tmp_path / "r.sqlite"
    run_sweep(spec, out)
    target = tmp_path / "r.parquet"
    if importlib.util.find_spec("pyarrow") is None:
        with pytest.raises(InputError, match="writing Parquet needs pyarrow"):
            export_results(out, target)
        assert not target.exists()
    else:
        export_results(out, target)
        assert pd.read_parquet(target)["point_id"].tolist() == list(range(12))
    with pytest.raises(InputError, match=".csv or .parquet"):
        export_results(out, tmp_path / "r.xlsx")


def test_process_pool_broken_by_a_dying_worker_is_rebuilt(write_spec, tmp_path):
    from cellsim.models import resolve_model

    model = tmp_path / "crash-once.toml"  # the crash_once output kills the first process that computes it
    model.write_text(resolve_model("li-uvea-latp-uvea-li").read_text(encoding="utf-8"), encoding="utf-8")
    marker = tmp_path / "crash-once.crashed"
    text = BASE.replace('outputs = ["bulk_resistance", "j_lim"]',
                        'outputs = ["bulk_resistance", "crash_once"]\nplugins = ["tests.sweeps.slow_plugin"]').replace(
        '"li-uvea-latp-uvea-li"', '"crash-once.toml"')
    spec = load_spec(write_spec(text))
    out = tmp_path / "r.sqlite"
    rep = run_sweep(spec, out, executor="processes", workers=2, chunk_size=3)
    assert marker.exists()  # a worker died
    assert rep.complete and rep.n_ok == 12
    df = load_results(out)
    assert df["point_id"].tolist() == list(range(12))
    # point by point vs vectorised: the same sum to round-off
    np.testing.assert_allclose(df["crash_once_ohm"], df["bulk_resistance_ohm"], rtol=1e-14)
    assert str(marker.read_text()) not in "".join(df["worker"])  # nothing stored from the dead process


def test_expensive_outputs_get_short_tasks():
    from cellsim.sweeps.runner import default_chunk_size

    # closed forms: about 8 tasks per worker, up to 2000 points
    assert default_chunk_size(10_000, 2, "processes", False) == 625
    # a simulation per point: at most 50 points, about 32 tasks per worker
    assert default_chunk_size(10_000, 2, "dask", False, expensive=True) == 50
    assert default_chunk_size(640, 2, "processes", False, expensive=True) == 10
    assert default_chunk_size(3, 2, "processes", False, expensive=True) == 1


def test_a_worker_is_pinned_and_warmed_once_before_ccd_points(monkeypatch):
    from cellsim import threads
    from cellsim.shortcircuit import ccd
    from cellsim.sweeps import runner

    calls = []
    monkeypatch.setattr(threads, "pin_blas_threads", lambda: calls.append("pin") or 1)
    monkeypatch.setattr(ccd, "warm_up_engine", lambda: calls.append("warm") or 0.0)
    monkeypatch.setattr(runner, "_WARMED", [])

    class Spec:
        outputs = ("bulk_resistance",)

    runner.prepare_worker(Spec())
    assert calls == ["pin"]
    Spec.outputs = ("bulk_resistance", "ccd")
    runner.prepare_worker(Spec())
    runner.prepare_worker(Spec())
    assert calls == ["pin", "pin", "warm", "pin"]


def test_warm_up_loads_the_compiled_engine():
    from cellsim.shortcircuit.ccd import warm_up_engine

    assert warm_up_engine() >= 0.0

"""``cellsim sweep``: results file, --json summary, --resume, --export, one-line errors (exit 2)."""

import json
import sqlite3
import textwrap

import pandas as pd
import pytest

from cellsim.cli import main

SPEC = """
[sweep]
base_model = "li-uvea-latp-uvea-li"
outputs = ["bulk_resistance", "total_resistance", "j_lim"]

[[axes]]
name = "uvea_thickness"
target = ["layers.UVEA-1.thickness", "layers.UVEA-2.thickness"]
values = ["20 um", "100 um"]

[[axes]]
name = "lic"
target = "middle.material"
values = ["latp", "llzo", "lto"]
form = "dense"
"""


def run_cli(capsys, *args):
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def spec_file(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(textwrap.dedent(SPEC), encoding="utf-8")
    return p


def test_sweep_json_summary_and_one_row_per_point(capsys, spec_file, tmp_path):
    out = tmp_path / "r.sqlite"
    code, stdout, err = run_cli(capsys, "sweep", spec_file, "--out", out, "--json", "--export", tmp_path / "r.csv")
    assert code == 0, err
    d = json.loads(stdout)
    for key, want in (("n_points", 6), ("n_ok", 6), ("n_error", 0), ("n_computed", 6), ("n_done_before", 0),
                      ("complete", True), ("executor", "inprocess")):
        assert d[key] == want, key
    assert d["elapsed_s"] > 0 and d["spec_hash"] and d["export"] == str(tmp_path / "r.csv")
    con = sqlite3.connect(out)
    assert con.execute("SELECT COUNT(*), COUNT(DISTINCT point_id) FROM points").fetchone() == (6, 6)
    con.close()
    assert len(pd.read_csv(tmp_path / "r.csv")) == 6
    code, stdout, _ = run_cli(capsys, "sweep", spec_file, "--out", out, "--resume", "--json")
    d = json.loads(stdout)
    assert code == 0 and d["n_computed"] == 0 and d["n_done_before"] == 6


def test_sweep_table_in_lab_units(capsys, spec_file, tmp_path):
    code, stdout, _ = run_cli(capsys, "sweep", spec_file, "--out", tmp_path / "r.sqlite", "--processes", "2")
    assert code == 0
    assert "6 points: 6 ok, 0 error" in stdout and "[processes, 2 workers]" in stdout
    assert "best 6 by total_resistance_ohm" in stdout
    assert "uvea_thickness [um]" in stdout and "J_lim [mA/cm2]" in stdout
    # dense LLZO is the best conductor of the three, with the thin polymer
    first = stdout.split("best 6 by total_resistance_ohm:")[1].splitlines()[3].split()
    assert first[:3] == ["1", "20", "llzo"]


@pytest.mark.parametrize("edit, needle", [
    (('"llzo"', '"unobtainium"'), "axes[1] (lic).values = 'unobtainium' is not allowed; expected a material"),
    (('"20 um"', '"20 parsnips"'), "axes[0] (uvea_thickness).values = '20 parsnips' is not allowed"),
    (('values = ["20 um", "100 um"]', "values = []"), "empty range"),
    (('target = "middle.material"', 'target = "layers.CERAMIC.material"'), "axes[1] (lic).target"),
])
def test_bad_spec_exits_2_with_one_line_and_writes_nothing(capsys, tmp_path, edit, needle):
    spec = tmp_path / "bad.toml"
    spec.write_text(textwrap.dedent(SPEC).replace(*edit), encoding="utf-8")
    out = tmp_path / "r.sqlite"
    code, stdout, err = run_cli(capsys, "sweep", spec, "--out", out)
    assert code == 2 and stdout == ""
    assert err.count("\n") == 1 and err.startswith(f"cellsim: error: {spec}:") and needle in err, err
    assert "Traceback" not in err and not out.exists()


def test_bad_options_exit_2(capsys, spec_file, tmp_path):
    out = tmp_path / "r.sqlite"
    code, _, err = run_cli(capsys, "sweep", spec_file, "--out", out, "--export", tmp_path / "r.xlsx")
    assert code == 2 and "--export" in err and err.count("\n") == 1 and not out.exists()
    code, _, err = run_cli(capsys, "sweep", spec_file, "--out", out, "--processes", "0")
    assert code == 2 and "--processes" in err
    code, _, err = run_cli(capsys, "sweep", spec_file, "--out", out, "--processes", "2", "--dask-workers", "2")
    assert code == 2 and "not allowed with argument" in err
    code, _, err = run_cli(capsys, "sweep", "no-such-spec", "--out", out)
    assert code == 2 and err.count("\n") == 1 and "unknown sweep spec 'no-such-spec'" in err
    run_cli(capsys, "sweep", spec_file, "--out", out)
    code, _, err = run_cli(capsys, "sweep", spec_file, "--out", out)
    assert code == 2 and err.count("\n") == 1 and "--resume" in err
    code, _, err = run_cli(capsys, "sweep", "uvea-thickness", "--out", out, "--resume")
    assert code == 2 and err.count("\n") == 1 and "it holds another sweep" in err


def test_sweep_on_a_dask_scheduler_and_on_a_local_cluster(capsys, spec_file, tmp_path):
    import distributed

    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        code, stdout, err = run_cli(capsys, "sweep", spec_file, "--out", tmp_path / "a.sqlite", "--scheduler",
                                    cluster.scheduler_address, "--json")
    assert code == 0, err
    d = json.loads(stdout)
    assert (d["executor"], d["workers"], d["n_ok"]) == ("dask", 1, 6)
    code, stdout, err = run_cli(capsys, "sweep", spec_file, "--out", tmp_path / "b.sqlite", "--dask-workers", "1",
                                "--json")
    assert code == 0, err
    d = json.loads(stdout)
    assert (d["executor"], d["workers"], d["n_ok"]) == ("dask", 1, 6)
    a = pd.read_sql_query("SELECT * FROM points", sqlite3.connect(tmp_path / "a.sqlite"))
    b = pd.read_sql_query("SELECT * FROM points", sqlite3.connect(tmp_path / "b.sqlite"))
    pd.testing.assert_frame_equal(a.drop(columns=["elapsed_s", "worker", "finished_at"]),
                                  b.drop(columns=["elapsed_s", "worker", "finished_at"]))

"""Output files are written with the process umask (not mkstemp's 0600), by every atomic writer."""

import os
import stat

import numpy as np
import pytest


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield 0o644
    os.umask(old)


@pytest.fixture
def umask_007():
    old = os.umask(0o007)
    yield 0o660
    os.umask(old)


def _mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("mask", ["umask_022", "umask_007"])
def test_writers_follow_the_umask(tmp_path, request, mask):
    want = request.getfixturevalue(mask)
    from cellsim.cli.cmd_eis import write_csv as eis_csv
    from cellsim.data import Spectrum, write_csv
    from cellsim.demo.report import atomic_write_bytes
    from cellsim.modelfile import write_text_atomic
    from cellsim.plotting import _pyplot, save_figure

    f = np.array([10.0, 1.0])
    z = np.array([1 - 1j, 2 - 2j])
    eis_csv(tmp_path / "eis.csv", f, z)
    write_csv(tmp_path / "spec.csv", Spectrum(f, z))
    atomic_write_bytes(tmp_path / "r.html", b"<html></html>")
    write_text_atomic(tmp_path / "m.toml", "x = 1\n")
    plt = _pyplot()
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    save_figure(fig, tmp_path / "fig.png")
    plt.close(fig)
    for name in ("eis.csv", "spec.csv", "r.html", "m.toml", "fig.png"):
        assert _mode(tmp_path / name) == want, name
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert not leftovers


def test_sweep_export_follows_the_umask(tmp_path, umask_022):
    from cellsim.sweeps import export_results, load_spec, run_sweep

    spec_file = tmp_path / "s.toml"
    spec_file.write_text('[sweep]\nbase_model = "li-uvea-latp-uvea-li"\noutputs = ["bulk_resistance"]\n\n'
                         '[[axes]]\nname = "t"\ntarget = "temperature"\nvalues = ["22 degC", "40 degC"]\n')
    store = tmp_path / "r.sqlite"
    run_sweep(load_spec(spec_file), store)
    export_results(store, tmp_path / "r.csv")
    assert _mode(tmp_path / "r.csv") == umask_022


def test_arrhenius_plot_follows_the_umask(tmp_path, umask_022):
    from cellsim.cli import main

    T = np.array([20.0, 40.0, 60.0, 80.0])
    sigma = 1e-3 * np.exp(-0.3 / 8.617e-5 * (1 / (T + 273.15) - 1 / 293.15))
    data = tmp_path / "s.csv"
    data.write_text("T_degC,sigma_S_cm\n" + "".join(f"{a},{b!r}\n" for a, b in zip(T, sigma.tolist())))
    assert main(["arrhenius", str(data), "--plot", str(tmp_path / "a.png")]) == 0
    assert _mode(tmp_path / "a.png") == umask_022


def test_simulate_csv_follows_the_umask(tmp_path, umask_022):
    from cellsim.models import load_model
    from cellsim.transport import simulate
    from cellsim.transport.output import write_solution_csv

    sol = simulate(load_model("li-uvea-li"), "Plate at 0.1 mA/cm2 for 1 min", output_dt=30.0)
    write_solution_csv(tmp_path / "sim.csv", sol)
    assert _mode(tmp_path / "sim.csv") == umask_022
    head = (tmp_path / "sim.csv").read_text().splitlines()
    assert head[0].startswith("time_s,voltage_V,current_density_A_m2,step") and len(head) >= 3

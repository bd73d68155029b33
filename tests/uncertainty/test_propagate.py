"""Propagation: design, exact per-sample values, statistics, censoring, the sweep store (resume)."""

import math

import numpy as np
import pytest

from cellsim.errors import CellsimError, InputError
from cellsim.models import load_model
from cellsim.uncertainty.propagate import (bootstrap_stderr, build_study, propagate, summarize, unit_design,
                                           values_from_unit)
from cellsim.uncertainty.space import apply, discover

MODEL = "li-uvea-latp-uvea-li"


def test_unit_design_is_seeded_and_in_the_cube():
    for method in ("sobol", "lhs"):
        a, b = unit_design(50, 3, method, 7), unit_design(50, 3, method, 7)
        assert np.array_equal(a, b) and a.shape == (50, 3) and a.min() >= 0 and a.max() < 1
        assert not np.array_equal(a, unit_design(50, 3, method, 8))
    lhs = unit_design(40, 2, "lhs", 1)
    for j in range(2):  # one point per stratum
        assert sorted(np.floor(lhs[:, j] * 40).astype(int)) == list(range(40))
    with pytest.raises(InputError, match="--method"):
        unit_design(4, 2, "grid")


def test_discovery_and_apply_set_every_target():
    st = load_model(MODEL)
    sp = discover(st)
    names = sp.names
    assert "uvea.transference_number" in names and "layers.UVEA-1.thickness" in names
    assert "shortcircuit.flaw_size" in names and "ion_transfer.resistance" in names
    assert "charge_transfer.resistance" in names  # calibrated with a stderr
    assert "uvea.ionic_conductivity" not in names  # seed value: no range
    vals = {"uvea.transference_number": 0.55, "layers.UVEA-1.thickness": 70e-6, "ion_transfer.resistance": 2e-3,
            "shortcircuit.flaw_size": 3e-6}
    new, prm = apply(st, sp, vals)
    for layer in new.layers:  # the material parameter reaches every layer and composite phase made of UVEA
        mats = [layer.composite.polymer] if layer.composite is not None else [layer.material]
        for m in mats:
            if m.name == "uvea":
                assert m.get("transference_number") == 0.55
    assert new.layers[0].thickness == 70e-6 and new.layers[2].thickness == st.layers[2].thickness
    assert [i.resistance() for i in new.interfaces if i.kind == "ion_transfer"] == [2e-3, 2e-3]
    assert prm.flaw_size == 3e-6
    with pytest.raises(InputError):
        apply(st, sp, {"uvea.transference_number": 1.5})


def test_bulk_resistance_samples_exact(tmp_path):
    """Every stored sample equals sum L_i / (sigma_i S) with its sampled thicknesses (closed form)."""
    from cellsim.sweeps import load_results

    st = load_model(MODEL)
    out = tmp_path / "s.sqlite"
    res = propagate(MODEL, "bulk_resistance", samples=32, seed=3, out=out)
    df = load_results(out)
    assert len(df) == 32 and (df["status"] == "ok").all()
    S = st.area
    for _, r in df.iterrows():
        want = 0.0
        for layer in st.layers:
            L = r.get(f"layers.{layer.name}.thickness", layer.thickness)
            want += L / (layer.ionic_conductivity() * S)
        assert r["bulk_resistance_ohm"] == pytest.approx(want, rel=1e-12)
    assert res["median"] == pytest.approx(float(np.quantile(df["bulk_resistance_ohm"], 0.5)), rel=1e-15)


def test_summarize_quantiles_bootstrap_and_censoring():
    x = np.arange(1.0, 101.0)
    s = summarize(x, seed=2)
    assert s["median"] == 50.5 and s["q05"] == pytest.approx(5.95) and s["q95"] == pytest.approx(95.05)
    assert s["median_stderr"] == pytest.approx(bootstrap_stderr(x, 0.5, seed=2), rel=0)
    # bootstrap stderr of the median of a uniform sample ~ sqrt(q(1-q)/n)/f = 0.5/sqrt(100) * 100 = 5
    assert 3 < s["median_stderr"] < 7
    v = np.array([10.0, 20.0, 30.0, 150.0, 150.0, np.nan])
    c = np.array([False, False, False, True, True, False])
    s = summarize(v, c, target=150.0, stop=150.0)
    assert s["samples"] == 5 and s["n_failed"] == 1 and s["n_censored"] == 2
    assert s["p_exceeds"] == pytest.approx(0.4)  # the censored samples exceed any target up to the stop
    assert s["p_exceeds_stderr"] == pytest.approx(math.sqrt(0.4 * 0.6 / 5))
    assert s["censored"] == {"median": False, "q05": False, "q95": True}
    with pytest.raises(InputError, match="stop"):
        summarize(v, c, target=200.0, stop=150.0)
    with pytest.raises(CellsimError):
        summarize(np.array([np.nan]))


def test_killed_run_resumes_without_loss(tmp_path):
    """A run interrupted after its first committed chunk resumes: the stored rows are kept, the rest computed."""
    from cellsim.sweeps import load_results
    from cellsim.sweeps.runner import run_sweep

    st = load_model(MODEL)
    sp = discover(st, shortcircuit=False)
    x = values_from_unit(sp, unit_design(20, len(sp), "sobol", 0))
    study = build_study(MODEL, "dcr", x, sp, {})
    out = tmp_path / "dcr.sqlite"

    class Killed(Exception):
        pass

    def kill(done, total):
        raise Killed

    with pytest.raises(Killed):
        run_sweep(study, out, chunk_size=5, on_commit=kill)
    assert len(load_results(out)) == 5
    rep = run_sweep(study, out, resume=True, chunk_size=5)
    assert rep.n_done_before == 5 and rep.n_computed == 15 and rep.complete
    full = load_results(out)
    ref = run_sweep(build_study(MODEL, "dcr", x, sp, {}), tmp_path / "ref.sqlite")
    assert ref.complete
    assert np.allclose(full["dcr_ohm"], load_results(tmp_path / "ref.sqlite")["dcr_ohm"], rtol=1e-13, atol=0)
    other = build_study(MODEL, "dcr", x[:10], sp, {})
    with pytest.raises(InputError, match="another sweep"):
        run_sweep(other, out, resume=True)


def test_posterior_values_replace_ranges():
    from cellsim.uncertainty.posterior import Posterior

    st = load_model("li-uvea-li")
    sp = discover(st, shortcircuit=False)
    post = Posterior(({"name": "charge_transfer.resistance", "kind": "interface", "property": "resistance",
                       "where": ["Li|UVEA", "UVEA|Li"], "unit": "ohm m2"},),
                     np.array([0.01]), np.array([[1e-6]]))
    sp2 = post.extend(sp, st)
    assert sp2["charge_transfer.resistance"].status == "posterior"
    u = unit_design(4000, len(sp2), "sobol", 0)
    x = values_from_unit(sp2, u, post)
    col = x[:, sp2.names.index("charge_transfer.resistance")]
    assert col.min() > 0
    assert np.mean(col) == pytest.approx(0.01, rel=2e-3) and np.std(col) == pytest.approx(1e-3, rel=2e-2)


@pytest.mark.slow
def test_processes_and_inprocess_agree():
    """The study pickles to worker processes and gives the same samples there (sweep machinery executors)."""
    a = propagate(MODEL, "asr", samples=12, seed=4)
    b = propagate(MODEL, "asr", samples=12, seed=4, executor="processes", workers=2)
    for k in ("median", "q05", "q95", "mean"):
        assert a[k] == b[k]


def test_ccd_chunks_run_as_a_batch_with_the_single_run_results():
    """A CCD chunk goes through run_ccd_batch (threads); every row equals evaluate() of its sample alone."""
    from cellsim.shortcircuit.ccd import load_parameters
    from cellsim.uncertainty.outputs import evaluate

    model = "li-uvea-latp-uvea-li"
    st = load_model(model)
    sp = discover(st, shortcircuit=True)
    x = values_from_unit(sp, unit_design(4, len(sp), "sobol", 1))
    options = {"protocol": {"start": 5.0, "increment": 5.0, "stop": 100.0, "step_time": 1800.0}}
    study = build_study(model, "ccd", x, sp, options)
    rows = study.compute_chunk([0, 1, 2, 3])
    prm = load_parameters()
    for row, values in zip(rows, x):
        assert row["status"] == "ok", row["error"]
        s, p = apply(st, sp, dict(zip(sp.names, values)), prm)
        value, censored = evaluate("ccd", s, p, options)
        assert row["ccd_A_m2"] == value and row["censored"] == int(censored)

"""Measured spectrum -> posterior (CNLS covariance, emcee chain) -> narrower interval of what it informs."""

import json

import numpy as np
import pytest

from cellsim.errors import FileFormatError, InputError
from cellsim.uncertainty.posterior import Posterior, posterior_from_validation, posterior_mcmc

SPECTRUM = "li-tegdme-li_geis_prerun.mpr"


@pytest.fixture(scope="module")
def uncalibrated_model(tmp_path_factory):
    """Li|UVEA|Li with the library's (estimated, ranged) Li|polymer interface instead of the Table S1 calibration."""
    from cellsim.models import resolve_model

    text = resolve_model("li-uvea-li").read_text(encoding="utf-8")
    text = text[:text.index("# Table S1 calibration")] + text[text.index("[seed]"):]
    p = tmp_path_factory.mktemp("post") / "li-uvea-li-uncalibrated.toml"
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def validation(eis_data_dir, uncalibrated_model):
    from cellsim.fitting.validate import validate_model

    return validate_model(str(uncalibrated_model), eis_data_dir / SPECTRUM)


def test_cnls_posterior_is_the_fit_covariance(validation, tmp_path):
    post = posterior_from_validation(validation, SPECTRUM, "m")
    res = validation.fit
    S = validation.stack.area
    for e, m, s in zip(post.parameters, post.mean, post.stderr):
        q = next(q for q in validation.quantities if q["parameter"] == e["circuit_parameter"])
        assert m == pytest.approx(q["value"], rel=1e-12) and s == pytest.approx(q["stderr"], rel=1e-9)
    # one off-diagonal element by hand: cov(ASR_1, Q_1/S) = S * (1/S) * cov(R1, CPE1_0)
    i, j = res.free_names.index("R1"), res.free_names.index("CPE1_0")
    a, b = post.names.index("Li|UVEA.resistance"), post.names.index("Li|UVEA.cpe_q")
    assert post.covariance[a, b] == pytest.approx(res.covariance[i, j], rel=1e-12)
    f = post.write(tmp_path / "p.json")
    back = Posterior.read(f)
    assert back.names == post.names and np.allclose(back.covariance, post.covariance, rtol=1e-15, atol=0)


def test_mcmc_agrees_with_cnls_and_reports_diagnostics(validation):
    cnls = posterior_from_validation(validation)
    mc = posterior_mcmc(validation, n_steps=3000, seed=1)
    d = mc.mcmc
    assert 0.2 < d["acceptance_fraction"] < 0.8
    assert set(d["autocorr_time"]) == set(validation.fit.free_names)
    assert d["effective_samples"] == pytest.approx(d["n_walkers"] * (d["n_steps"] - d["burn"]) /
                                                   max(d["autocorr_time"].values()), rel=1e-12)
    # near-Gaussian likelihood: chain mean within 0.5 CNLS standard errors, spread within 25 %
    assert np.all(np.abs(mc.mean - cnls.mean) < 0.5 * cnls.stderr)
    assert np.allclose(mc.stderr, cnls.stderr, rtol=0.25)


def test_measured_spectrum_narrows_the_interval_it_informs(validation, uncalibrated_model, tmp_path):
    from cellsim.uncertainty.propagate import propagate

    post = posterior_from_validation(validation, SPECTRUM)
    prior = propagate(str(uncalibrated_model), "asr", samples=128, seed=1)
    informed = propagate(str(uncalibrated_model), "asr", samples=128, seed=1, posterior=post)
    w0, w1 = prior["q95"] - prior["q05"], informed["q95"] - informed["q05"]
    assert w1 < 0.2 * w0
    # the informed median is the measured ASR: bulk L/sigma plus both fitted interface ASRs
    st = validation.stack
    want = st.layers[0].asr() + post.mean[post.names.index("Li|UVEA.resistance")] + \
        post.mean[post.names.index("UVEA|Li.resistance")]
    assert informed["median"] == pytest.approx(want, rel=0.01)


def test_bad_posterior_files(tmp_path):
    p = tmp_path / "x.json"
    p.write_text("{")
    with pytest.raises(FileFormatError, match="not JSON"):
        Posterior.read(p)
    p.write_text(json.dumps({"kind": "something"}))
    with pytest.raises(FileFormatError, match="not a cellsim posterior"):
        Posterior.read(p)
    p.write_text(json.dumps({"kind": "cellsim-posterior", "parameters": [{"name": "a"}], "mean": [1.0],
                             "covariance": [[-1.0]]}))
    with pytest.raises(InputError, match="covariance"):
        Posterior.read(p)

"""The calibrated pellets through the stack model's composite layer (cellsim.stack.Composite)."""

from __future__ import annotations

import pytest

from cellsim.composites import calibrate as cal
from cellsim.constants import T_ROOM

stack = pytest.importorskip("cellsim.stack")
library = pytest.importorskip("cellsim.library")


@pytest.mark.parametrize("lic", ["latp", "lvo", "lto"])
def test_library_layers_with_calibrated_fraction_reproduce_table_s2(lic):
    uvea, ceramic = library.load_material("uvea"), library.load_material(lic)
    res = cal.calibrate_seed_sandwiches()[f"uvea-{lic}-uvea"]
    assert res.sigma_polymer == pytest.approx(uvea.get("ionic_conductivity", T_ROOM), rel=1e-12)
    assert res.sigma_ceramic == pytest.approx(ceramic.get("ionic_conductivity", T_ROOM), rel=1e-12)
    for m in res.models:
        comp = stack.Composite(uvea, ceramic, m.polymer_fraction, m.model, m.params, "calibrated", "calibrated")
        pellet = stack.Layer("pellet", ceramic, 400e-6, "composite", comp)
        polymer = stack.Layer("uvea", uvea, 100e-6)
        r = 2 * polymer.thickness / polymer.ionic_conductivity(T_ROOM) + pellet.thickness / pellet.ionic_conductivity(T_ROOM)
        s_app = 600e-6 / r
        assert f"{s_app / 100:.2e}" == f"{res.sigma_apparent / 100:.2e}", m.model

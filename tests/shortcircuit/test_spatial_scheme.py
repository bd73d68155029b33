"""The step-up CCD on the fourth-order compact finite volumes (``SolverOptions(spatial_order=4)``):
an independent discretisation of the same model, which run_ccd integrates with the Python engine
(the compiled one carries BDF2 on the second-order scheme). Every shipped model gives the same CCD
and short kind on both schemes at the CCD's default 16 cells per layer."""

import dataclasses

import pytest

from cellsim.models import list_models, load_model
from cellsim.shortcircuit.ccd import StepUpProtocol, ccd_solver_options, run_ccd


@pytest.mark.parametrize("model", list_models())
def test_ccd_and_kind_do_not_depend_on_the_spatial_scheme(model):
    protocol = StepUpProtocol.parse(start="0.1 mA/cm2", increment="0.1 mA/cm2", stop="15 mA/cm2", step_time="0.5 h")
    base = ccd_solver_options()
    compact = dataclasses.replace(base, method="sdirk4", grid_stretch=1.0, spatial_order=4)
    stack = load_model(model)
    a = run_ccd(stack, protocol, options=base)
    b = run_ccd(stack, protocol, options=compact)
    assert b.engine["engine"] == "python"
    assert (b.ccd, b.kind) == (a.ccd, a.kind)

"""Full-cell design numbers (no PyBaMM): capacities, C-rate currents, N/P, leakage, mapping."""

import math
import subprocess
import sys

import numpy as np
import pytest

from cellsim.constants import F, R
from cellsim.errors import InputError
from cellsim.fullcell.design import (Cathode, FullCellDesign, Sandwich, anode_capacity, li_anode, mAh_cm2, n_p_ratio,
                                     n_p_ratio_seed)
from cellsim.fullcell.polarization import diffusion_buildup, diffusion_resistance, sandwich_polarization
from cellsim.models import load_model

MAH_CM2 = 3.6e4  # C/m2 per mAh/cm2
SEED_CELLS = ["li-uvea-lvo-uvea-nmc811", "li-uvea-latp-uvea-nmc811"]


@pytest.fixture(scope="module", params=SEED_CELLS)
def stack(request):
    return load_model(request.param)


def test_cathode_capacity_from_loading(stack):
    c = Cathode.from_electrode(stack.right)
    # 7.4 mg/cm2 x 0.9 x 210 mAh/g = 1.3986 mAh/cm2; the seed's "1.6" is 7.4 x 210 = 1.554
    assert mAh_cm2(c.areal_capacity) == pytest.approx(7.4 * 0.9 * 210 / 1000, rel=1e-12)
    assert mAh_cm2(c.seed_areal_capacity) == pytest.approx(7.4 * 210 / 1000, rel=1e-12)
    assert round(mAh_cm2(c.seed_areal_capacity), 1) == 1.6


def test_c_rate_current_is_this_cells(stack):
    d = FullCellDesign.from_stack(stack)
    # 1 C = 210 mA/g x m_am; m_am = 7.4 mg/cm2 x 0.9 x 1.33 cm2
    m_am_g = 7.4e-3 * 0.9 * 1.33
    assert d.current(1.0) == pytest.approx(0.210 * m_am_g, rel=1e-12)
    assert d.current(0.2) == pytest.approx(0.2 * 0.210 * m_am_g, rel=1e-12)
    for bad in (0, -0.2, float("nan"), float("inf")):
        with pytest.raises(InputError):
            d.current(bad)


def test_n_p_ratio_seed_plated_li():
    two, seed_c = 2 * MAH_CM2, 1.6 * MAH_CM2
    assert n_p_ratio_seed(two, seed_c) == pytest.approx(2.25, rel=1e-12)  # the seed's figure
    assert n_p_ratio(two, seed_c) == pytest.approx(1.25, rel=1e-12)  # the usual definition
    stack = load_model("li-uvea-latp-uvea-nmc811")
    d = FullCellDesign.from_stack(stack, anode=li_anode(areal_capacity=two))
    qc = 7.4 * 0.9 * 210 / 1000
    assert d.n_p_ratio == pytest.approx(2 / qc, rel=1e-12)
    assert d.n_p_ratio == pytest.approx(1.4300, abs=1e-4)
    assert d.n_p_ratio_seed == pytest.approx((2 + qc) / qc, rel=1e-12)


def test_n_p_ratio_li_foil(stack):
    d = FullCellDesign.from_stack(stack)
    q_li = 250e-6 * F * 534.0 / 6.94e-3  # C/m2
    assert anode_capacity(stack.left) == pytest.approx(q_li, rel=1e-12)
    assert d.n_p_ratio == pytest.approx(q_li / (0.074 * 0.9 * 210 * 3600), rel=1e-12)
    assert 36 < d.n_p_ratio < 38


def test_self_discharge_is_v_over_r_electronic(stack):
    d = FullCellDesign.from_stack(stack)
    T, S = stack.temperature, stack.area
    r_e = sum(l.thickness / (l.electronic_conductivity(T) * S) for l in stack.layers)
    assert d.electronic_resistance == pytest.approx(r_e, rel=1e-12)
    for V in (None, 3.7, 4.2):
        U = d.vmax if V is None else V
        assert d.self_discharge_current(V) == pytest.approx(U / stack.electronic_resistance(), rel=1e-12)
        assert d.capacity_loss_per_day(V) == pytest.approx(U / r_e * 86400 / d.capacity, rel=1e-12)


def test_sandwich_mapping(stack):
    s = Sandwich.from_stack(stack)
    T, S = stack.temperature, stack.area
    uvea = stack.layers[0]
    assert s.thickness == pytest.approx(stack.layers[0].thickness + stack.layers[2].thickness, rel=1e-12)
    assert s.conductivity == pytest.approx(uvea.ionic_conductivity(T), rel=1e-12)
    assert s.diffusivity == pytest.approx(uvea.salt_diffusivity(T), rel=1e-12)
    assert s.transference_number == uvea.transference_number()
    middle = stack.layers[1]
    expected = middle.bulk_resistance(S, T) + sum(i.resistance(T) for i in stack.interfaces[1:]) / S
    assert s.series_resistance == pytest.approx(expected, rel=1e-12)
    assert s.li_charge_transfer == pytest.approx(stack.interfaces[0].charge_transfer_resistance(T), rel=1e-12)
    assert s.li_exchange_current_density(T) == pytest.approx(R * T / (F * s.li_charge_transfer), rel=1e-12)


def test_design_rejects_non_full_cells():
    with pytest.raises(InputError, match="nmc811"):
        FullCellDesign.from_stack(load_model("li-uvea-li"))
    with pytest.raises(InputError, match="polymer"):  # Li | LATP | NMC811: no binary electrolyte next to Li
        FullCellDesign.from_stack(load_model("li-latp-li").replace(right=load_model("li-uvea-latp-uvea-nmc811").right))
    with pytest.raises(InputError):
        li_anode()
    with pytest.raises(InputError):
        FullCellDesign.from_stack(load_model("li-uvea-latp-uvea-nmc811"), vmin=4.3, vmax=4.2)


def _fd_polarization(L, D, t_end, n):
    """Finite-volume salt profile in a layer with flux g = 1 in at x = 0 and out at x = L (D dc/dx = -g)."""
    from scipy.integrate import solve_ivp

    dx = L / n

    def rhs(_, c):
        flux = np.zeros(n + 1)
        flux[1:-1] = -D * np.diff(c) / dx
        flux[0], flux[-1] = 1.0, 1.0
        return -np.diff(flux) / dx

    sol = solve_ivp(rhs, (0, t_end), np.zeros(n), method="BDF", rtol=1e-10, atol=1e-14)
    c = sol.y[:, -1]
    # face values by linear extrapolation (second order)
    return (1.5 * c[0] - 0.5 * c[1]) - (1.5 * c[-1] - 0.5 * c[-2])


def test_diffusion_buildup_against_finite_volumes():
    L, D = 100e-6, 7.86e-12
    tau = L ** 2 / D
    for t in (0.02 * tau, 0.1 * tau, 0.5 * tau):
        exact = diffusion_buildup(t, L, D)[0] * L / D  # steady face difference g L / D times build-up
        errs = [abs(_fd_polarization(L, D, t, n) - exact) / exact for n in (40, 80)]
        assert errs[1] < 2e-3
        assert 3.5 < errs[0] / errs[1] < 4.5  # second order: the FV error, not the series, is what is left
    assert diffusion_buildup(50 * tau, L, D)[0] == pytest.approx(1.0, abs=1e-12)


def test_diffusion_resistance_closed_form():
    # UVEA 100 um: R_d = 2RTL(1-t+)^2/(F^2 D c0) = 19.4 ohm cm2
    r = diffusion_resistance(100e-6, 7.86e-12, 1244.0, 0.4, 295.15, 1.0)
    assert r == pytest.approx(2 * R * 295.15 * 100e-6 * 0.36 / (F ** 2 * 7.86e-12 * 1244.0), rel=1e-12)
    assert r * 1e4 == pytest.approx(19.41, abs=0.01)
    # the steady Nernst + diffusion potential of the linear profile tends to I R_d for small currents
    i = 1e-3  # A/m2
    dc = i * 0.6 * 100e-6 / (F * 7.86e-12)
    eta = 2 * R * 295.15 / F * 0.6 * math.log((1244 + dc / 2) / (1244 - dc / 2))
    assert eta == pytest.approx(i * r, rel=1e-6)


def test_sandwich_polarization_lumped_vs_layered_steady(stack):
    s = Sandwich.from_stack(stack)
    T, S = stack.temperature, stack.area
    t_long = [1e7]
    a = sandwich_polarization(s, T, S, 1e-4, t_long, lumped=True)
    b = sandwich_polarization(s, T, S, 1e-4, t_long, lumped=False)
    assert a["R_d_ohm"] == pytest.approx(b["R_d_ohm"], rel=1e-12)  # R_d is linear in L
    assert a["total_V"][0] == pytest.approx(b["total_V"][0], rel=1e-9)
    early = [600.0]
    assert sandwich_polarization(s, T, S, 1e-4, early, lumped=False)["diffusion_V"][0] > \
        sandwich_polarization(s, T, S, 1e-4, early, lumped=True)["diffusion_V"][0]


def test_import_cellsim_does_not_import_pybamm():
    code = ("import sys, cellsim, cellsim.fullcell, cellsim.fullcell.design, cellsim.fullcell.comparison, "
            "cellsim.fullcell.plot, cellsim.cli.cmd_fullcell\n"
            "from cellsim.cli import build_parser; build_parser()\n"
            "from cellsim.fullcell import FullCellDesign\n"
            "bad = [m for m in ('pybamm', 'matplotlib') if m in sys.modules]\n"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_package_names_are_the_functions_not_submodules():
    import importlib
    import types

    import cellsim.fullcell as fc

    for mod in ("design", "cycling", "comparison", "polarization", "plot"):
        importlib.import_module(f"cellsim.fullcell.{mod}")  # a submodule must not shadow a public name
    for name in fc.__all__:
        assert not isinstance(getattr(fc, name), types.ModuleType), name

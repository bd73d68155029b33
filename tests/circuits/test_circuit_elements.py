"""Element impedances: closed forms (1e-12), asymptotic limits, and impedance.py (1e-10)."""

import cmath
import math

import numpy as np
import pytest

from cellsim.circuits import Circuit, ELEMENTS, element_impedance
from cellsim.circuits.elements import (element_type, polymer_diffusion_impedance, polymer_diffusion_parameters,
                                       split_name)
from cellsim.constants import F, R
from cellsim.errors import InputError

FREQ = np.logspace(-3, 7, 121)  # 1 mHz .. 10 MHz


def closed_form(prefix, p, f):
    """Independent scalar closed forms written with cmath (w = 2 pi f)."""
    out = []
    for fk in f:
        w = 2 * math.pi * fk
        s = 1j * w
        if prefix == "R":
            z = p[0] + 0j
        elif prefix == "C":
            z = 1 / (s * p[0])
        elif prefix == "L":
            z = s * p[0]
        elif prefix == "CPE":
            z = 1 / (p[0] * cmath.exp(p[1] * cmath.log(s)))
        elif prefix == "W":
            z = p[0] * math.sqrt(2) / cmath.sqrt(s)  # A (1-j)/sqrt(w) = A sqrt(2)/sqrt(j w)
        elif prefix in ("Ws", "Zd"):
            x = cmath.sqrt(s * p[1])
            z = p[0] * cmath.tanh(x) / x if abs(x) < 300 else p[0] / x
        elif prefix == "Wo":
            x = cmath.sqrt(s * p[1])
            z = p[0] * (cmath.cosh(x) / cmath.sinh(x)) / x if abs(x) < 300 else p[0] / x
        elif prefix == "G":
            z = p[0] / cmath.sqrt(1 + s * p[1])
        elif prefix == "Gs":
            x = cmath.sqrt(1 + s * p[1])
            y = p[2] * x
            z = p[0] / (x * (cmath.tanh(y) if abs(y) < 300 else 1))
        elif prefix == "K":
            z = p[0] / (1 + s * p[1])
        elif prefix == "Zarc":
            z = p[0] / (1 + cmath.exp(p[2] * cmath.log(s * p[1])))
        elif prefix == "La":
            z = cmath.exp(p[1] * cmath.log(s * p[0]))
        elif prefix == "TLMQ":
            zs = 1 / (p[1] * cmath.exp(p[2] * cmath.log(s)))
            y = cmath.sqrt(p[0] / zs)
            z = cmath.sqrt(p[0] * zs) / (cmath.tanh(y) if abs(y) < 300 else 1)
        else:  # pragma: no cover
            raise KeyError(prefix)
        out.append(z)
    return np.array(out)


def random_params(prefix, rng):
    et = ELEMENTS[prefix]
    p = []
    for kind, label in zip(et.kinds, et.labels):
        if kind == "exponent":
            p.append(float(rng.uniform(0.3, 1.0)))
        elif label in ("tau", "t_G", "tau_k"):
            p.append(float(10 ** rng.uniform(-7, 3)))
        elif label in ("C", "Q", "Q_s"):
            p.append(float(10 ** rng.uniform(-10, -3)))
        elif label == "L":
            p.append(float(10 ** rng.uniform(-9, -5)))
        elif label == "phi":
            p.append(float(10 ** rng.uniform(-1, 1)))
        else:
            p.append(float(10 ** rng.uniform(-1, 5)))
    return p


def rel(a, b):
    return np.max(np.abs(a - b) / np.abs(b))


@pytest.mark.parametrize("prefix", list(ELEMENTS))
def test_element_matches_closed_form(prefix):
    rng = np.random.default_rng(hash(prefix) % 2**32)
    for _ in range(5):
        p = random_params(prefix, rng)
        ref = closed_form(prefix, p, FREQ)
        kernel = Circuit(f"{prefix}1").impedance(FREQ, p)
        numpy_z = element_impedance(prefix, p, FREQ)
        assert rel(kernel, ref) < 1e-12
        assert rel(numpy_z, ref) < 1e-12


IMPY = [p for p, et in ELEMENTS.items() if et.in_impedance_py]


@pytest.mark.parametrize("prefix", IMPY)
def test_element_agrees_with_impedance_py(prefix):
    pytest.importorskip("pandas")
    elements = pytest.importorskip("impedance.models.circuits.elements")
    func = elements.circuit_elements[prefix]
    ours = ELEMENTS[prefix]
    assert func.num_params == ours.n_params
    rng = np.random.default_rng(12345 + len(prefix))
    for _ in range(10):
        p = random_params(prefix, rng)
        theirs = np.asarray(func(p, FREQ.tolist()), dtype=complex)
        mine = Circuit(f"{prefix}0").impedance(FREQ, p)
        assert rel(mine, theirs) < 1e-10


def test_impedance_py_has_no_other_same_named_elements():
    # every impedance.py element we do not implement is listed here on purpose
    elements = pytest.importorskip("impedance.models.circuits.elements")
    missing = set(elements.circuit_elements) - set(ELEMENTS) - {"s", "p"}
    assert missing == {"T"}


def test_circuit_parameter_names_match_impedance_py():
    circuits = pytest.importorskip("impedance.models.circuits")
    text = "R0-p(R1,CPE1)-p(R2-Wo1,CPE2)-Ws1-G1-W1-L1-C1-K1-Zarc1-Gs1-La1-TLMQ1"
    c = Circuit(text)
    theirs, units = circuits.CustomCircuit(text, initial_guess=[1.0] * c.n_params).get_param_names()
    assert c.parameter_names == theirs
    assert c.n_params == len(theirs)


# --- limits --------------------------------------------------------------------------------

def z(prefix, p, f):
    return Circuit(f"{prefix}1").impedance(np.atleast_1d(f), p)


def test_r_c_l_limits():
    assert np.all(z("R", [42.0], FREQ) == 42.0)
    zc = z("C", [1e-6], [1e-3, 1e9])
    assert abs(zc[0]) > 1e7 and abs(zc[1]) < 1e-3 and np.allclose(zc.real, 0)
    zl = z("L", [1e-6], [1e-3, 1e9])
    assert abs(zl[0]) < 1e-8 and zl[1].imag > 6e3 and np.allclose(zl.real, 0)


@pytest.mark.parametrize("n", [0.5, 0.8, 1.0])
def test_cpe_constant_phase_and_n1_is_capacitor(n):
    zz = z("CPE", [1e-5, n], FREQ)
    assert np.allclose(np.angle(zz), -n * np.pi / 2, rtol=0, atol=1e-13)
    # |Z| slope -n in log-log
    slope = np.diff(np.log(np.abs(zz))) / np.diff(np.log(FREQ))
    assert np.allclose(slope, -n, atol=1e-10)
    if n == 1.0:
        assert rel(zz, z("C", [1e-5], FREQ)) < 1e-14


def test_warburg_phase_and_slope():
    zz = z("W", [30.0], FREQ)
    assert np.allclose(np.angle(zz), -np.pi / 4, atol=1e-14)
    assert np.allclose(np.abs(zz) * np.sqrt(2 * np.pi * FREQ), 30.0 * np.sqrt(2), rtol=1e-13)


def test_finite_warburg_limits():
    z0, tau = 50.0, 10.0
    lo, hi = 1e-7, 1e7
    w_lo, w_hi = 2 * np.pi * lo, 2 * np.pi * hi
    # transmissive: Z -> Z0 (1 - j w tau/3) at low f ; Z -> Z0/sqrt(j w tau) at high f
    for prefix in ("Ws", "Zd"):
        zs = z(prefix, [z0, tau], [lo, hi])
        assert abs(zs[0] - z0 * (1 - 1j * w_lo * tau / 3)) / z0 < 1e-10
        assert abs(zs[1] - z0 / np.sqrt(1j * w_hi * tau)) / abs(zs[1]) < 1e-12
    # reflective: Z -> Z0/(j w tau) + Z0/3 at low f (capacitor tau/Z0 plus R/3)
    zo = z("Wo", [z0, tau], [lo, hi])
    expected = z0 / (1j * w_lo * tau) + z0 / 3
    assert abs(zo[0] - expected) / abs(expected) < 1e-10
    assert abs(zo[0].real - z0 / 3) / (z0 / 3) < 1e-6
    assert abs(zo[1] - z0 / np.sqrt(1j * w_hi * tau)) / abs(zo[1]) < 1e-12


def test_gerischer_limits():
    rg, tg = 80.0, 1e-3
    zg = z("G", [rg, tg], [1e-9, 1e9])
    assert abs(zg[0] - rg) / rg < 1e-10
    w = 2 * np.pi * 1e9
    # R_G/sqrt(1 + j w t) = R_G/sqrt(j w t) (1 + O(1/(w t)))
    assert abs(zg[1] - rg / np.sqrt(1j * w * tg)) / abs(zg[1]) < 1.0 / (w * tg)
    # finite-length Gerischer: R_G/tanh(phi) at low f, Gerischer when phi is large
    zgs = z("Gs", [rg, tg, 0.7], [1e-9])
    assert abs(zgs[0] - rg / np.tanh(0.7)) / abs(zgs[0]) < 1e-10
    assert rel(z("Gs", [rg, tg, 40.0], FREQ), z("G", [rg, tg], FREQ)) < 1e-12


def test_k_zarc_limits():
    assert abs(z("K", [10.0, 1e-3], [1e-9])[0] - 10.0) < 1e-9
    assert rel(z("Zarc", [10.0, 1e-3, 1.0], FREQ), z("K", [10.0, 1e-3], FREQ)) < 1e-13
    zz = z("Zarc", [10.0, 1e-3, 0.7], [1e-12, 1e12])
    assert abs(zz[0] - 10.0) < 1e-6
    w = 2 * np.pi * 1e12
    assert abs(zz[1] - 10.0 / (1j * w * 1e-3) ** 0.7) / abs(zz[1]) < 1e-6


def test_la_and_tlmq_limits():
    assert rel(z("La", [1e-6, 1.0], FREQ), z("L", [1e-6], FREQ)) < 1e-13
    rion, qs, g = 20.0, 1e-3, 0.9
    lo = z("TLMQ", [rion, qs, g], [1e-9])[0]
    cpe = z("CPE", [qs, g], [1e-9])[0]
    assert abs(lo - (cpe + rion / 3)) / abs(lo) < 1e-9
    hi = z("TLMQ", [rion, qs, g], [1e9])[0]
    cpe_hi = z("CPE", [qs, g], [1e9])[0]
    assert abs(hi - np.sqrt(rion * cpe_hi)) / abs(hi) < 1e-12


# --- polymer diffusion element ---------------------------------------------------------------

def test_zd_physical_constructor_equals_rd_tau_form():
    # physics.md §2.3 example: L = 50 um, c0 = 1 M, D = 1e-7 cm2/s, t+ = 0.4 -> R_d ~ 9.5 ohm cm2, tau ~ 63 s
    D, tp, c0, L, A, T = 1e-11, 0.4, 1000.0, 50e-6, 1e-4, 295.15
    r_d, tau = polymer_diffusion_parameters(D, tp, c0, L, A, T)
    assert r_d == pytest.approx(2 * R * T * L * (1 - tp) ** 2 / (F ** 2 * D * c0 * A), rel=1e-14)
    assert tau == pytest.approx(L ** 2 / (4 * D), rel=1e-14)
    assert r_d == pytest.approx(9.5, abs=0.05) and tau == pytest.approx(62.5)
    zp = polymer_diffusion_impedance(FREQ, D, tp, c0, L, A, T)
    assert rel(zp, Circuit("Zd1").impedance(FREQ, [r_d, tau])) < 1e-12
    # chi scales R_d only
    r2, tau2 = polymer_diffusion_parameters(D, tp, c0, L, A, T, thermodynamic_factor=1.7)
    assert r2 == pytest.approx(1.7 * r_d, rel=1e-14) and tau2 == tau


def test_zd_low_frequency_limit_and_peak():
    from scipy.optimize import minimize_scalar

    r_d, tau = 14.0, 300.0
    f_lo = 1e-9
    z_lo = Circuit("Zd0").impedance([f_lo], [r_d, tau])[0]
    # Z_d = R_d (1 - j w tau/3 + O((w tau)^2))
    assert abs(z_lo.real - r_d) / r_d < 1e-9
    assert z_lo.imag == pytest.approx(-r_d * 2 * np.pi * f_lo * tau / 3, rel=1e-9)

    def neg_im(logx):
        f = 10 ** logx / (2 * np.pi * tau)
        return Circuit("Zd0").impedance([f], [r_d, tau])[0].imag  # = -(-Im)

    res = minimize_scalar(neg_im, bounds=(-1, 2), method="bounded", options={"xatol": 1e-10})
    assert 10 ** res.x == pytest.approx(2.54, abs=0.01)


@pytest.mark.parametrize("kw,field", [
    (dict(diffusivity=0.0), "diffusivity"), (dict(concentration=-1.0), "concentration"),
    (dict(thickness=float("nan")), "thickness"), (dict(transference_number=1.0), "transference_number"),
    (dict(temperature=0.0), "temperature"), (dict(area=-1e-4), "area"),
])
def test_zd_constructor_rejects_bad_input(kw, field):
    args = dict(diffusivity=1e-11, transference_number=0.4, concentration=1000.0, thickness=5e-5)
    args.update(kw)
    with pytest.raises(InputError) as exc:
        polymer_diffusion_parameters(**args)
    assert exc.value.field == field


def test_names_and_lookup():
    assert split_name("CPE1") == ("CPE", "1")
    assert split_name("Zd_left") == ("Zd", "_left")
    assert split_name("R") == ("R", "")
    assert element_type("Wo3").labels == ("Z0", "tau")
    with pytest.raises(InputError):
        element_type("Q1")
    with pytest.raises(InputError):
        element_impedance("CPE", [1.0], FREQ)

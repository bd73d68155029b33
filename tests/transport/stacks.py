"""Synthetic stacks for the transport tests (built in Python, SI values)."""

from __future__ import annotations

import numpy as np

from cellsim.constants import F, R
from cellsim.materials import Material, Parameter
from cellsim.stack import Electrode, Interface, Layer, Stack


def polymer(D=1e-12, kappa=1e-2, tp=0.2, c0=1000.0, name="poly"):
    return Material(name, kind="polymer", parameters={
        "ionic_conductivity": Parameter(kappa, "S/m", "test"),
        "salt_concentration": Parameter(c0, "mol/m3", "test"),
        "salt_diffusivity": Parameter(D, "m2/s", "test"),
        "transference_number": Parameter(tp, "-", "test")})


def ideal_polymer(D=1e-11, tp=0.4, c0=1000.0, T=298.15):
    """Dilute binary electrolyte with Nernst-Einstein-consistent kappa (physics.md §2.1.1).

    D = 2 D+ D-/(D+ + D-), t+ = D+/(D+ + D-), kappa = F^2 c0 (D+ + D-)/(R T).
    """
    dsum = D / (2 * tp * (1 - tp))
    kappa = F ** 2 * c0 * dsum / (R * T)
    return polymer(D=D, kappa=kappa, tp=tp, c0=c0, name="ideal")


def ceramic(sigma=0.06, name="cer"):
    return Material(name, kind="ceramic", parameters={"ionic_conductivity": Parameter(sigma, "S/m", "test")})


def ideal(n="x"):
    return Interface(n, "ideal")


def li_bv(asr, cap=None, name="Li|P"):
    params = {"resistance": Parameter(asr, "ohm m2", "test")}
    if cap:
        params["capacitance"] = Parameter(cap, "F/m2", "test")
    return Interface(name, "charge_transfer", params)


def single_layer(L=50e-6, T=298.15, interfaces=None, **kw):
    """Li | polymer | Li with ideal interfaces unless given."""
    ifs = interfaces or [ideal("a"), ideal("b")]
    return Stack.build([Layer("P", polymer(**kw), L)], Electrode("li"), Electrode("li"), 1e-4, T, interfaces=ifs)


def benchmark_stack():
    """SPEC §5 transport benchmark: Li | 20 um polymer | 1040 um ceramic | 20 um polymer | Li."""
    p = polymer()
    layers = [Layer("P1", p, 20e-6), Layer("C", ceramic(), 1040e-6), Layer("P2", p, 20e-6)]
    return Stack.build(layers, Electrode("li"), Electrode("li"), 1e-4,
                       interfaces=[ideal("a"), ideal("b"), ideal("c"), ideal("d")])


def exact_face(t, c0, q, L, D, nterms=20000):
    """Depleting-face concentration, exact series of physics.md §2.1.3."""
    t = np.atleast_1d(np.asarray(t, float))
    n = np.arange(1, 2 * nterms, 2)[:, None]
    s = np.sum(np.exp(-n ** 2 * np.pi ** 2 * D * t[None, :] / L ** 2) / n ** 2, axis=0)
    return c0 - q * L / D * (0.5 - 4 / np.pi ** 2 * s)


def exact_cell_averages(t, edges, c0, q, L, D, nterms=4000):
    """Exact cell averages of c(x, t) = c0 + (qL/D)[(1/2 - x/L) - sum 4/(n pi)^2 cos(n pi x/L) e^(-n^2 pi^2 D t/L^2)]."""
    n = np.arange(1, 2 * nterms, 2)[:, None]
    a, b = edges[:-1][None, :] / L, edges[1:][None, :] / L
    avg_cos = (np.sin(n * np.pi * b) - np.sin(n * np.pi * a)) / (n * np.pi * (b - a))
    series = np.sum(4 / (n * np.pi) ** 2 * np.exp(-n ** 2 * np.pi ** 2 * D * t / L ** 2) * avg_cos, axis=0)
    mid = 0.5 - 0.5 * (a + b)[0]
    return c0 + q * L / D * (mid - series)

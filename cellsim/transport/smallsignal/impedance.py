"""Small-signal impedance of the 1D transport model (physics.md §2.1-2.4, §5 item 5).

The transport model of a stack (binary polymer layers with salt diffusion between
anion-blocking faces, ohmic ceramic and composite layers, Butler-Volmer interfaces) is
linearised about a steady state -- rest (uniform c0) or a galvanostatic DC current density
J below the limiting current -- and its response to a small sinusoidal current is computed
in the frequency domain: one complex tridiagonal solve per frequency on a finite-volume
grid refined toward the faces (:mod:`._kernels`).

Per salt-diffusion domain (a binary polymer layer, or polymer layers joined through the
polymer-filled pores of composite layers, as in :func:`cellsim.circuits.compose_circuit`)::

    j w eps c~ = d/dx( D_eff dc~/dx + b c~ ) - d/dx( (1 - t+) i~/F )     (linearised salt balance)
    g~ = D_eff dc~/dx + b c~ + (1 - t+) i~/F = 0   at both faces     (-D dc~/dx = (1-t+) i~/F: anions blocked)
    b  = D_eff'(c) dc/dx - t+'(c) J/F                                (0 at rest or for constant properties)

and the cell voltage perturbation is the sum of

* ohmic: i~ int dx/kappa(c) - J int kappa'(c) c~/kappa^2 dx per layer, each layer's
  conduction in parallel with its geometric capacitance eps0 eps_r S/L (ceramic and
  composite layers: L/sigma_eff || C_geo; grain boundaries as in the brick-layer model);
* concentration overpotential per domain: (2RT/F) [h(c_a) c~_a - h(c_b) c~_b],
  h = (1 - t+) chi / c (at rest (2RT/F)(1-t+) chi (c~_a - c~_b)/c0);
* interfaces: the faradaic branch (Butler-Volmer linearised at the bias, R_ct = RT/(F i0) at
  rest, i0 = i0_ref (c/c0)^alpha so that a biased face also responds to c~, plus R_SEI)
  in parallel with the double layer (capacitance c S or CPE Q (j w)^n); blocking
  electrodes as the double layer alone;

with the electronic paths of the stack in parallel (a mixed conductor touching one
electrode shunts its bulk and that interface; the whole stack's sum L_i/(sigma_e,i S)
shunts everything).

Approximations (shared with the circuit composition):

* the salt flux at the faces is driven by the total current (the double-layer and
  geometric-capacitance currents are not split off in the flux condition); this changes Z
  only where the capacitors carry current, at frequencies far above the diffusion arc;
* in a composite layer the salt-carrying pore channel (eps, eps/tortuosity) takes the
  polymer's t+ for the whole current, and its conductivity does not follow c;
* with blocking electrodes no DC ionic current flows and no diffusion response is added
  (the double layer dominates there at every frequency).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from ...constants import EPS0, F, R
from ...errors import InputError

__all__ = ["ConcentrationLaws", "SteadyState", "transport_impedance", "steady_state", "limiting_current_densities",
           "face_refined_grid", "DEFAULT_CELLS"]

DEFAULT_CELLS = 200
"""Finite volumes per salt-carrying layer (refined toward both faces)."""

_POINTS_PER_BOUNDARY_LAYER = 16.0
"""Automatic grid: the first cell is sqrt(D/w_max)/16, the diffusion boundary layer at the
highest frequency (see :func:`auto_stretch`)."""

_FARADAIC = ("charge_transfer", "ion_transfer", "interphase", "cathode")


# --------------------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConcentrationLaws:
    """Concentration dependence of a binary electrolyte (physics.md §2.1.1, Newman form).

    Each attribute is a callable of the salt concentration c [mol/m3] (array in, array
    out) evaluated at the simulation temperature, or None for the material's constant
    value. Derivatives are taken by central differences (relative step 1e-6).

    Attributes
    ----------
    diffusivity : callable, optional
        D(c) [m2/s] (bulk; composites scale it by eps/tortuosity).
    conductivity : callable, optional
        kappa(c) [S/m] (polymer layers; composite layers keep their mixing-rule value).
    transference_number : callable, optional
        t+(c) [-].
    thermodynamic_factor : callable, optional
        chi(c) [-].
    """

    diffusivity: Callable | None = None
    conductivity: Callable | None = None
    transference_number: Callable | None = None
    thermodynamic_factor: Callable | None = None


class _Prop:
    """A property as a function of c: a constant or a law, with its derivative."""

    def __init__(self, name: str, const: float, law: Callable | None, scale: float = 1.0):
        self.name, self.const, self.law, self.scale = name, float(const), law, float(scale)

    def __call__(self, c):
        c = np.asarray(c, dtype=float)
        if self.law is None:
            return np.full(c.shape, self.const * self.scale)
        v = np.asarray(self.law(c), dtype=float) * self.scale
        v = np.broadcast_to(v, c.shape).astype(float)
        if not np.all(np.isfinite(v)):
            raise InputError(f"concentration law {self.name}", "non-finite value",
                             "finite values on the concentration range of the steady state")
        return v

    def scalar(self, c: float) -> float:
        """Value at one concentration (fast path for the steady-state integration)."""
        if self.law is None:
            return self.const * self.scale
        return float(self.law(c)) * self.scale

    def deriv(self, c):
        c = np.asarray(c, dtype=float)
        if self.law is None:
            return np.zeros(c.shape)
        dc = 1e-6 * np.maximum(np.abs(c), 1e-12)
        return (self(c + dc) - self(c - dc)) / (2.0 * dc)


# --------------------------------------------------------------------------------------
# grid
# --------------------------------------------------------------------------------------
def face_refined_grid(length: float, n: int, stretch: float) -> np.ndarray:
    """Cell widths [m] of a finite-volume grid refined toward both faces.

    x(xi) = (L/2) [1 + tanh(beta (2 xi - 1)) / tanh(beta)], xi = k/n: a smooth map, so
    refining n at fixed beta keeps the scheme second order. beta -> 0 is uniform; the
    ratio of the middle to the face cells is about cosh^2(beta).
    """
    xi = np.linspace(0.0, 1.0, n + 1)
    if stretch < 1e-8:
        x = length * xi
    else:
        # left half without cancellation: (L/2) sinh(beta - |u|) / (sinh(beta) cosh(u)), u = beta (2 xi - 1)
        b = float(stretch)
        half = xi[: n // 2 + 1]
        u = b * (1.0 - 2.0 * half)
        with np.errstate(divide="ignore"):  # log(0) at xi = 0 gives x = 0 exactly
            left = 0.5 * length * np.exp(np.log(-np.expm1(-2.0 * (b - u))) + (b - u) - np.log(-np.expm1(-2.0 * b))
                                         - b - np.logaddexp(u, -u) + math.log(2.0))
        x = np.empty(n + 1)
        x[: half.size] = left
        x[n - half.size + 1:] = length - left[::-1]
        if n % 2 == 0:
            x[n // 2] = 0.5 * length
    return np.diff(x)


def auto_stretch(length: float, n: int, first_cell: float) -> float:
    """beta of :func:`face_refined_grid` whose first cell is ``first_cell`` [m].

    Capped at n/8 (neighbouring cells then differ by at most ~e^0.5); 0 (uniform) when the
    uniform grid is already fine enough.
    """
    if length / n <= first_cell:
        return 0.0
    beta_max = max(n / 8.0, 1e-6)

    def h1(beta):
        # (L/2) sinh(2 beta/n) / (sinh(beta) cosh(beta (1 - 2/n))), in logs
        a = 2.0 * beta / n
        b = beta * (1.0 - 2.0 / n)
        log_sinh_beta = beta + math.log(-math.expm1(-2.0 * beta)) - math.log(2.0)
        log_cosh_b = b + math.log1p(math.exp(-2.0 * b)) - math.log(2.0)
        return math.exp(math.log(0.5 * length) + math.log(math.sinh(a)) - log_sinh_beta - log_cosh_b)

    if h1(beta_max) >= first_cell:
        return beta_max
    from scipy.optimize import brentq

    return float(brentq(lambda b: math.log(h1(b)) - math.log(first_cell), 1e-6, beta_max, xtol=1e-10))


# --------------------------------------------------------------------------------------
# stack -> domains
# --------------------------------------------------------------------------------------
@dataclass
class _Region:
    index: int          # layer index in the stack
    layer: object
    eps: float          # salt capacity fraction (polymer volume fraction)
    phi: float          # eps / tortuosity (D_eff = phi D)
    widths: np.ndarray = None


@dataclass
class _Domain:
    regions: list
    tp: _Prop
    chi: _Prop
    D: _Prop            # bulk D(c)
    kappa: _Prop        # polymer kappa(c)
    c0: float
    # grid, filled by _grid()
    h: np.ndarray = None
    eps: np.ndarray = None
    phi: np.ndarray = None
    region_of_cell: np.ndarray = None
    bounds: list = None  # cell index where each region starts, plus n
    # steady state, filled by _steady()
    c_cell: np.ndarray = None
    c_face: np.ndarray = None

    @property
    def n(self) -> int:
        return int(self.h.size)

    @property
    def name(self) -> str:
        return " + ".join(r.layer.name for r in self.regions)


def _domains(stack, T, laws):
    from ...circuits.compose import diffusion_domains

    layers = stack.layers
    dc_passes = (not stack.left.blocking and not stack.right.blocking
                 and all(l.ionic_conductivity(T) > 0 for l in layers))
    if not dc_passes:
        return []
    out = []
    for dom in diffusion_domains(layers, []):
        first = dom[0][0]
        em = first.electrolyte
        lw = laws.get(em.name) if laws else None
        lw = lw or ConcentrationLaws()
        regions = [_Region(stack.layer_index(l.name), l, float(eps), float(phi)) for l, eps, phi in dom]
        out.append(_Domain(
            regions=regions,
            tp=_Prop("transference_number", first.transference_number(), lw.transference_number),
            chi=_Prop("thermodynamic_factor", first.thermodynamic_factor(), lw.thermodynamic_factor),
            D=_Prop("diffusivity", first.salt_diffusivity(T), lw.diffusivity),
            kappa=_Prop("conductivity", em.get("ionic_conductivity", T), lw.conductivity),
            c0=first.salt_concentration()))
    return out


def _grid(dom: _Domain, n_cells: int, first_cell: float | None, stretch: float | None):
    hs, eps, phi, reg, bounds = [], [], [], [], [0]
    for j, r in enumerate(dom.regions):
        L = r.layer.thickness
        if stretch is not None:
            beta = float(stretch)
        elif first_cell is None:
            beta = 0.0
        else:
            beta = auto_stretch(L, n_cells, first_cell * math.sqrt(r.phi / r.eps))  # delta = sqrt(D phi/(eps w))
        h = face_refined_grid(L, n_cells, beta)
        r.widths = h
        hs.append(h)
        eps.append(np.full(n_cells, r.eps))
        phi.append(np.full(n_cells, r.phi))
        reg.append(np.full(n_cells, j))
        bounds.append(bounds[-1] + n_cells)
    dom.h = np.concatenate(hs)
    dom.eps = np.concatenate(eps)
    dom.phi = np.concatenate(phi)
    dom.region_of_cell = np.concatenate(reg)
    dom.bounds = bounds


# --------------------------------------------------------------------------------------
# steady state
# --------------------------------------------------------------------------------------
def _profile(dom: _Domain, J: float, c_left: float):
    """Integrate D_eff(c) dc/dx = -(1 - t+(c)) J/F from the left face with RK4 (faces and
    centres); exact for constant properties. Returns (c_face, c_cell, salt) or None when c
    leaves (0, inf)."""
    n = dom.n
    cf = np.empty(n + 1)
    cc = np.empty(n)
    cf[0] = c_left
    salt = 0.0

    tp, D = dom.tp.scalar, dom.D.scalar

    def rhs(c, phi):
        return -(1.0 - tp(c)) * J / (F * phi * D(c))

    const = dom.D.law is None and dom.tp.law is None
    for k in range(n):
        h, phi = dom.h[k], dom.phi[k]
        c = cf[k]
        if const:
            slope = rhs(c, phi)
            cc[k] = c + 0.5 * h * slope
            cf[k + 1] = c + h * slope
        else:
            vals = []
            for step in (0.5 * h, 0.5 * h):
                k1 = rhs(c, phi)
                k2 = rhs(c + 0.5 * step * k1, phi)
                k3 = rhs(c + 0.5 * step * k2, phi)
                k4 = rhs(c + step * k3, phi)
                c = c + step * (k1 + 2 * k2 + 2 * k3 + k4) / 6.0
                if not (c > 0.0 and math.isfinite(c)):
                    return None
                vals.append(c)
            cc[k], cf[k + 1] = vals
        if not (cf[k + 1] > 0.0 and cc[k] > 0.0):
            return None
        salt += dom.eps[k] * h * (cf[k] + 4.0 * cc[k] + cf[k + 1]) / 6.0
    return cf, cc, salt


def limiting_current_density(dom: _Domain) -> tuple[float, float]:
    """Limiting current densities (J > 0, |J| for J < 0) [A/m2] of a domain with its properties at c0.

    Steady profile c = c_a - q R(x), q = (1 - t+) J/F, R(x) = int dx/(phi D); salt conservation
    gives c_a = c0 + q <R> (<R> the eps-weighted mean of R), so c_b = 0 at
    J_lim = F c0 / ((1 - t+)(R_tot - <R>)) and c_a = 0 at F c0 / ((1 - t+) <R>). One layer:
    J_lim = 2 F D c0 / ((1 - t+) L) (physics.md §2.1.4).
    """
    D = float(dom.D(np.array([dom.c0]))[0])
    tp = float(dom.tp(np.array([dom.c0]))[0])
    res = dom.h / (dom.phi * D)
    r_face = np.concatenate([[0.0], np.cumsum(res)])
    r_mid = 0.5 * (r_face[:-1] + r_face[1:])
    mean = float(np.sum(dom.eps * dom.h * r_mid) / np.sum(dom.eps * dom.h))
    k = F * dom.c0 / (1.0 - tp)
    return k / (r_face[-1] - mean), k / mean


def _steady(dom: _Domain, J: float) -> None:
    """Steady salt profile at ionic current density J [A/m2]: zero anion flux everywhere,
    salt conserved (int eps c dx = c0 int eps dx)."""
    target = dom.c0 * float(np.sum(dom.eps * dom.h))
    if J == 0.0:
        dom.c_face = np.full(dom.n + 1, dom.c0)
        dom.c_cell = np.full(dom.n, dom.c0)
        return

    def excess(cl):
        p = _profile(dom, J, cl)
        return -target if p is None else p[2] - target

    from scipy.optimize import brentq, newton

    j_lim = limiting_current_density(dom)[0 if J > 0 else 1]
    lim = InputError("bias_current_density", J,
                     f"|J| below the limiting current of {dom.name}, {j_lim:.4g} A/m2 = {j_lim * 0.1:.4g} mA/cm2 "
                     f"with the properties at c0 (a steady state with salt at both faces)")
    tol = 1e-14 * dom.c0
    # secant from the constant-property solution c_a = c0 + q <R> (one step when exact) ...
    guess = dom.c0 * (1.0 + J / limiting_current_density(dom)[1])
    cl = None
    if guess > 0.0 and _profile(dom, J, guess) is not None:
        try:
            cl = float(newton(excess, guess, x1=guess * (1.0 + 1e-4), tol=tol, maxiter=60))
        except (RuntimeError, OverflowError):
            cl = None
    # ... else bracket and bisect
    p = None if cl is None else _profile(dom, J, cl)
    if p is None or abs(p[2] - target) > 1e-11 * target:
        if J > 0:  # salt piles up at the left face: c_left > c0
            lo, hi = dom.c0, 2.0 * dom.c0
            while excess(hi) <= 0.0:
                hi *= 2.0
                if hi > 1e8 * dom.c0:
                    raise lim
        else:
            lo, hi = 1e-12 * dom.c0, dom.c0
            if excess(lo) >= 0.0:
                raise lim
        cl = brentq(excess, lo, hi, xtol=tol, rtol=1e-15, maxiter=400)
        p = _profile(dom, J, cl)
    if p is None or abs(p[2] - target) > 1e-9 * target:
        raise lim
    dom.c_face, dom.c_cell = p[0], p[1]


def _bv_overpotential(J: float, i0: float, a_f: float, T: float) -> float:
    """eta [V] with J = i0 [exp(a_f f eta) - exp(-(1 - a_f) f eta)] (physics.md §2.4)."""
    if J == 0.0:
        return 0.0
    f = F / (R * T)
    a_c = 1.0 - a_f
    if abs(a_f - 0.5) < 1e-15:
        return (2.0 / f) * math.asinh(J / (2.0 * i0))
    from scipy.optimize import brentq

    x = abs(J) / i0
    a = a_f if J > 0 else a_c
    top = math.log1p(x) / (a * f) * 1.01 + 1e-12
    g = lambda eta: math.exp(a_f * f * eta) - math.exp(-a_c * f * eta) - J / i0  # noqa: E731
    return float(brentq(g, 0.0, top, xtol=1e-15) if J > 0 else brentq(g, -top, 0.0, xtol=1e-15))


def _bv_resistance(eta: float, i0: float, a_f: float, T: float) -> float:
    """d eta/d i [ohm m2] of Butler-Volmer at eta: 1/(i0 f (a_f e^(a_f f eta) + a_c e^(-a_c f eta)))."""
    f = F / (R * T)
    a_c = 1.0 - a_f
    return 1.0 / (i0 * f * (a_f * math.exp(a_f * f * eta) + a_c * math.exp(-a_c * f * eta)))


@dataclass
class _Face:
    """Where an interface touches a salt domain: domain index, and 'left', 'right' or the
    cell index k of an interior face between cells k-1 and k."""

    domain: int
    where: object


@dataclass
class SteadyState:
    """The DC state of a stack at a galvanostatic current density.

    Attributes
    ----------
    current_density : float
        Cell current density J [A/m2] (positive: Li+ from left to right).
    ionic_current_density : float
        Its ionic part [A/m2] (the rest leaks through the electronic path).
    voltage : float
        Cell voltage V [V] (left minus right electrode).
    voltage_parts : dict
        Name -> V [V]: ``ohmic <layer>``, ``concentration <domain>``, ``interface <name>``.
    profiles : dict
        Domain name -> (x [m] cell centres from the domain's left face, c [mol/m3]).
    face_concentrations : dict
        Domain name -> (c_left, c_right) [mol/m3].
    """

    current_density: float
    ionic_current_density: float
    voltage: float
    voltage_parts: dict = field(default_factory=dict)
    profiles: dict = field(default_factory=dict)
    face_concentrations: dict = field(default_factory=dict)


class _Model:
    """The stack unpacked for the small-signal and steady computations."""

    def __init__(self, stack, T, n_cells, laws, kinetics, first_cell, stretch):
        self.stack, self.T, self.S = stack, T, stack.area
        if kinetics not in ("butler-volmer", "linear"):
            raise InputError("kinetics", kinetics, "'butler-volmer' or 'linear'")
        self.kinetics = kinetics
        self.domains = _domains(stack, T, laws)
        for d in self.domains:
            _grid(d, n_cells, first_cell, stretch)
        # which domain face each interface touches
        self.faces: dict[int, _Face] = {}
        region_at = {}
        for di, d in enumerate(self.domains):
            for j, r in enumerate(d.regions):
                region_at[r.index] = (di, j)
        for j in range(len(stack.interfaces)):
            left_layer, right_layer = j - 1, j
            if right_layer in region_at:
                di, rj = region_at[right_layer]
                d = self.domains[di]
                self.faces[j] = _Face(di, "left" if rj == 0 else d.bounds[rj])
            elif left_layer in region_at:
                di, rj = region_at[left_layer]
                d = self.domains[di]
                self.faces[j] = _Face(di, "right" if rj == len(d.regions) - 1 else d.bounds[rj + 1])
        self.mixed_shunts = []
        layers = stack.layers
        for i, layer in enumerate(layers):
            if layer.kind != "mixed":
                continue
            touches = ([0] if i == 0 else []) + ([len(layers)] if i == len(layers) - 1 else [])
            if len(touches) == 1:
                r_e = layer.electronic_resistance(self.S, T)
                if math.isfinite(r_e):
                    self.mixed_shunts.append((i, touches[0], r_e))
        self.r_e = stack.electronic_resistance(T)
        self.blocking = stack.left.blocking or stack.right.blocking

    # --- steady state ------------------------------------------------------------------
    def face_concentration(self, face: _Face) -> float:
        d = self.domains[face.domain]
        if face.where == "left":
            return float(d.c_face[0])
        if face.where == "right":
            return float(d.c_face[-1])
        return float(d.c_face[face.where])

    def interface_state(self, j: int, J: float):
        """Linearised faradaic branch of interface j at ionic current density J, or None.

        Returns (R_F [ohm m2], a [V m3/mol], V_ss [V]): eta~ + R_SEI i~_F = R_F i~_F + a c~_face,
        R_F = R_loc + R_SEI with R_loc = d eta/d i of Butler-Volmer at the steady eta, and
        a = d eta/d c at fixed current = -alpha J R_loc / c_face (i0 = i0_ref (c/c0)^alpha);
        V_ss = eta + J R_SEI. Orientation: +x current is anodic (coefficient alpha) except at the
        right electrode, where it is cathodic.
        """
        itf = self.stack.interfaces[j]
        T = self.T
        if itf.kind not in _FARADAIC:
            return None
        asr = itf.resistance(T)
        if asr <= 0:
            return None
        r_sei = itf._get("sei_resistance", T) or 0.0
        r_ct = itf.charge_transfer_resistance(T)
        if self.kinetics == "linear" or J == 0.0 or r_ct == 0.0:
            return r_ct + r_sei, 0.0, J * (r_ct + r_sei)
        i0_ref = R * T / (F * r_ct)
        alpha = itf.alpha
        # +x current is cathodic at the right electrode, anodic elsewhere
        a_f = 1.0 - alpha if j == len(self.stack.interfaces) - 1 else alpha
        face = self.faces.get(j)
        ratio = 1.0
        c = None
        if face is not None:
            d = self.domains[face.domain]
            c = self.face_concentration(face)
            ratio = (c / d.c0) ** alpha
        i0 = i0_ref * ratio
        eta = _bv_overpotential(J, i0, a_f, T)
        r_loc = _bv_resistance(eta, i0, a_f, T)
        a = 0.0 if c is None else -alpha * J * r_loc / c
        return r_loc + r_sei, a, eta + J * r_sei

    def ohmic_asr(self, i: int, J: float) -> float:
        """int dx / kappa(c) [ohm m2] of layer i at the steady state."""
        layer = self.stack.layers[i]
        sigma = layer.ionic_conductivity(self.T)
        for d in self.domains:
            for j, r in enumerate(d.regions):
                if r.index == i and layer.kind == "polymer" and d.kappa.law is not None:
                    s, e = d.bounds[j], d.bounds[j + 1]
                    cf = d.c_face[s:e + 1]
                    cc = d.c_cell[s:e]
                    inv = (1.0 / d.kappa(cf[:-1]) + 4.0 / d.kappa(cc) + 1.0 / d.kappa(cf[1:])) / 6.0
                    return float(np.sum(inv * d.h[s:e]))
        return math.inf if sigma <= 0 else layer.thickness / sigma

    def set_state(self, J_ion: float) -> None:
        for d in self.domains:
            _steady(d, J_ion)

    def ionic_voltage(self, J_ion: float):
        """Steady voltage [V] and its parts at ionic current density J_ion."""
        self.set_state(J_ion)
        parts = {}
        for i, layer in enumerate(self.stack.layers):
            if J_ion != 0.0:
                parts[f"ohmic {layer.name}"] = J_ion * self.ohmic_asr(i, J_ion)
            else:
                parts[f"ohmic {layer.name}"] = 0.0
        for d in self.domains:
            cl, cr = float(d.c_face[0]), float(d.c_face[-1])
            if d.tp.law is None and d.chi.law is None:
                v = (2 * R * self.T / F) * (1 - d.tp.const) * d.chi.const * math.log(cl / cr)
            else:
                from scipy.integrate import quad

                h = lambda c: float((1 - d.tp(c)) * d.chi(c) / c)  # noqa: E731
                v = (2 * R * self.T / F) * quad(h, cr, cl, epsabs=0.0, epsrel=1e-13, limit=200)[0]
            parts[f"concentration {d.name}"] = v
        for j, itf in enumerate(self.stack.interfaces):
            st = self.interface_state(j, J_ion)
            if st is not None:
                parts[f"interface {itf.name}"] = st[2]
        return sum(parts.values()), parts

    def solve_bias(self, J: float) -> float:
        """Ionic current density [A/m2] carried at cell current density J (electronic
        leakage through R_e takes the rest); sets the steady state."""
        if J == 0.0:
            self.set_state(0.0)
            return 0.0
        if self.mixed_shunts:
            raise InputError("bias_current_density", J,
                             "0 for a stack with a mixed conductor touching an electrode (its shunted "
                             "interface is not linearised at a bias)")
        if self.blocking:
            if not math.isfinite(self.r_e):
                raise InputError("bias_current_density", J, "0 for a blocking cell without an electronic path")
            self.set_state(0.0)
            return 0.0
        if not math.isfinite(self.r_e):
            self.set_state(J)
            return J
        from scipy.optimize import brentq

        g = lambda ji: ji * self.S + self.ionic_voltage(ji)[0] / self.r_e - J * self.S  # noqa: E731
        lo, hi = (0.0, J) if J > 0 else (J, 0.0)
        ji = float(brentq(g, lo, hi, xtol=1e-15 * abs(J), rtol=1e-15))
        self.set_state(ji)
        return ji

    # --- small signal ----------------------------------------------------------------------
    def _assemble(self, J: float):
        """Stacked tridiagonal salt operator and the affine functionals of c~ per unit i~."""
        lo_all, dg_all, up_all, r_all, m_all, starts = [], [], [], [], [], [0]
        self.functional_index = {}
        rows, offsets = [], []
        base = 0
        for di, d in enumerate(self.domains):
            n = d.n
            h, phi = d.h, d.phi
            cc, cf = d.c_cell, d.c_face
            Dk = phi * d.D(cc)
            Gc = 2.0 * Dk / h                       # half-cell conductances
            G = 1.0 / (1.0 / Gc[:-1] + 1.0 / Gc[1:])  # interior faces 1..n-1
            wl = Gc[:-1] / (Gc[:-1] + Gc[1:])
            wr = 1.0 - wl
            ci = cf[1:-1]
            tp_i = d.tp(ci)
            s = (1.0 - tp_i) / F
            # b = phi D'(c) c_x - t+'(c) J/F with the steady phi D c_x = -(1 - t+) J/F (phi drops out)
            b = d.D.deriv(ci) * (-(1.0 - tp_i) * J / (F * d.D(ci))) - d.tp.deriv(ci) * J / F
            dg = np.zeros(n)
            lo = np.zeros(n)
            up = np.zeros(n)
            r = np.zeros(n)
            # face j (1..n-1) between cells j-1 and j
            dg[:-1] += G - b * wl
            up[:-1] = -(G + b * wr)
            r[:-1] += s
            dg[1:] += G + b * wr
            lo[1:] = -G + b * wl
            r[1:] -= s
            lo_all.append(lo)
            dg_all.append(dg)
            up_all.append(up)
            r_all.append(r)
            m_all.append(d.eps * h)
            starts.append(starts[-1] + n)

            def row(weights: dict, offset: float):
                rows.append((base, weights))
                offsets.append(offset)
                return len(rows) - 1

            # left face: c_f (1 - h0 b/(2 phi D)) = c_0 + h0 s/(2 phi D)
            idx = {}
            for side in ("left", "right"):
                c = np.array([cf[0] if side == "left" else cf[-1]])
                k = 0 if side == "left" else n - 1
                pD = phi[k] * d.D(c)[0]
                tpc = d.tp(c)[0]
                sf = (1.0 - tpc) / F
                bf = (d.D.deriv(c)[0] * (-(1.0 - tpc) * J / (F * d.D(c)[0])) - d.tp.deriv(c)[0] * J / F)
                if side == "left":
                    den = 1.0 - h[0] * bf / (2.0 * pD)
                    idx[side] = row({0: 1.0 / den}, h[0] * sf / (2.0 * pD) / den)
                else:
                    den = 1.0 + h[-1] * bf / (2.0 * pD)
                    idx[side] = row({n - 1: 1.0 / den}, -h[-1] * sf / (2.0 * pD) / den)
            for k in d.bounds[1:-1]:  # interior region boundaries (cells k-1 | k)
                idx[k] = row({k - 1: wl[k - 1], k: wr[k - 1]}, 0.0)
            # ohmic variation in polymer layers with kappa(c)
            if d.kappa.law is not None and J != 0.0:
                wts = {}
                for j, reg in enumerate(d.regions):
                    if reg.layer.kind != "polymer":
                        continue
                    for k in range(d.bounds[j], d.bounds[j + 1]):
                        kap = float(d.kappa(cc[k:k + 1])[0])
                        wts[k] = -J * float(d.kappa.deriv(cc[k:k + 1])[0]) / kap ** 2 * h[k]
                idx["ohmic"] = row(wts, 0.0)
            self.functional_index[di] = idx
            base += n
        ntot = base
        W = np.zeros((len(rows), max(ntot, 1)))
        for m, (b0, wts) in enumerate(rows):
            for k, v in wts.items():
                W[m, b0 + k] = v
        if ntot == 0:
            z = np.zeros(1)
            return z, z, z, z, np.ones(1), W, np.array(offsets), np.array([0, 1], dtype=np.int64)
        cat = lambda xs: np.ascontiguousarray(np.concatenate(xs))  # noqa: E731
        return (cat(lo_all), cat(dg_all), cat(up_all), cat(r_all), cat(m_all), W, np.array(offsets, dtype=float),
                np.array(starts, dtype=np.int64))

    def impedance(self, f: np.ndarray, J_ion: float) -> np.ndarray:
        from ._kernels import salt_response

        S, T = self.S, self.T
        w = 2.0 * np.pi * f
        jw = 1j * w
        lo, dg, up, r, m, W, off, starts = self._assemble(J_ion)
        if self.domains:
            resp = salt_response(lo, dg, up, r, m, np.ascontiguousarray(W), np.ascontiguousarray(w), starts)
            resp = resp + off[None, :]
        else:
            resp = np.zeros((w.size, 0), complex)

        def face_value(face: _Face):
            return resp[:, self.functional_index[face.domain][face.where]]

        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            bulk = {}
            for i, layer in enumerate(self.stack.layers):
                eps_r = layer.relative_permittivity()
                yc = jw * EPS0 * eps_r / layer.thickness        # per area
                sigma = layer.ionic_conductivity(T)
                if sigma > 0:
                    z = 1.0 / (1.0 / self.ohmic_asr(i, J_ion) + yc)
                else:
                    z = 1.0 / yc
                mat = layer.material
                if layer.kind in ("ceramic", "mixed") and mat.has("grain_boundary_conductivity"):
                    from ...circuits.compose import DEFAULT_GB_CAPACITANCE_RATIO

                    s_gb = mat.get("grain_boundary_conductivity", T)
                    ratio = (mat.get("grain_boundary_capacitance_ratio")
                             if mat.has("grain_boundary_capacitance_ratio") else DEFAULT_GB_CAPACITANCE_RATIO)
                    z = z + 1.0 / (s_gb * ratio / layer.thickness + ratio * yc)
                bulk[i] = z
            itfz = {}
            for j, itf in enumerate(self.stack.interfaces):
                if itf.kind == "ideal":
                    continue
                q, n, cap = itf.cpe_q, itf.cpe_n, itf.capacitance
                if q is not None and n is not None:
                    y_dl = q * np.where(w > 0, jw, 0.0) ** n
                elif cap is not None:
                    y_dl = jw * cap
                else:
                    y_dl = None
                if itf.kind == "blocking":
                    if y_dl is None:
                        raise InputError(f"interface {itf.name!r}", "no capacitance or cpe_q/cpe_n",
                                         "a capacitance or a CPE (cpe_q and cpe_n) for a blocking electrode")
                    itfz[j] = 1.0 / y_dl
                    continue
                st = self.interface_state(j, J_ion)
                if st is None:
                    continue
                r_f, a, _ = st
                coupling = 1.0
                if a != 0.0 and j in self.faces:
                    coupling = 1.0 + a * face_value(self.faces[j]) / r_f
                itfz[j] = coupling / (1.0 / r_f + (0.0 if y_dl is None else y_dl))
            zdom = np.zeros(w.size, complex)
            for di, d in enumerate(self.domains):
                idx = self.functional_index[di]
                cl, cr = d.c_face[0:1], d.c_face[-1:]
                hl = float(((1 - d.tp(cl)) * d.chi(cl) / cl)[0])
                hr = float(((1 - d.tp(cr)) * d.chi(cr) / cr)[0])
                zdom = zdom + (2 * R * T / F) * (hl * resp[:, idx["left"]] - hr * resp[:, idx["right"]])
                if "ohmic" in idx:
                    zdom = zdom + resp[:, idx["ohmic"]]
            # series network with the mixed-conductor shunts, per area -> ohm
            z_ion = zdom / S
            shunted = set()
            for i, j, r_e in self.mixed_shunts:
                zz = bulk[i] / S + itfz.get(j, 0.0) / S
                z_ion = z_ion + 1.0 / (1.0 / zz + 1.0 / r_e)
                shunted |= {("b", i), ("i", j)}
            for i, z in bulk.items():
                if ("b", i) not in shunted:
                    z_ion = z_ion + z / S
            for j, z in itfz.items():
                if ("i", j) not in shunted:
                    z_ion = z_ion + z / S
            if math.isfinite(self.r_e) and self.r_e > 0:
                z_tot = 1.0 / (1.0 / z_ion + 1.0 / self.r_e)
                z_tot = np.where(np.isinf(z_ion.real) | np.isinf(z_ion.imag) | np.isnan(z_ion), self.r_e + 0j, z_tot)
            else:
                z_tot = z_ion
        return np.asarray(z_tot, dtype=complex)


def _check_inputs(stack, frequencies, bias_current_density, n_cells, temperature):
    T = stack.temperature if temperature is None else temperature
    if not (isinstance(T, (int, float)) and math.isfinite(T) and T > 0):
        raise InputError("temperature", temperature, "a temperature above 0 K")
    if isinstance(n_cells, bool) or not isinstance(n_cells, (int, np.integer)) or not 2 <= n_cells <= 100_000:
        raise InputError("n_cells", n_cells, "an integer from 2 to 100000 (cells per salt-carrying layer)")
    J = bias_current_density
    if not (isinstance(J, (int, float)) and math.isfinite(J)):
        raise InputError("bias_current_density", J, "a finite current density [A/m2]")
    if frequencies is None:
        return float(T), None, float(J)
    f = np.atleast_1d(np.asarray(frequencies, dtype=float))
    if f.ndim != 1 or f.size == 0 or not np.all(np.isfinite(f)) or np.any(f < 0):
        raise InputError("frequencies", frequencies, "a non-empty 1-D array of finite frequencies >= 0 Hz")
    return float(T), f, float(J)


def transport_impedance(stack, frequencies, *, bias_current_density: float = 0.0, n_cells: int = DEFAULT_CELLS,
                        temperature: float | None = None,
                        concentration_laws: Mapping[str, ConcentrationLaws] | None = None,
                        kinetics: str = "butler-volmer", stretch: float | None = None) -> np.ndarray:
    """Small-signal impedance of the stack's transport model [ohm].

    Linearised about rest (uniform c0) or a galvanostatic steady state at
    ``bias_current_density``; one complex tridiagonal solve per frequency (numba).

    Parameters
    ----------
    stack : cellsim.stack.Stack
    frequencies : array_like
        f [Hz], >= 0 (0 gives the DC limit, d V_ss/d I at the bias).
    bias_current_density : float, optional
        Cell current density J [A/m2] of the steady state (positive: Li+ from left to right).
        |J| must stay below the limiting current 2 F D c0/((1 - t+) L) of every polymer layer
        (physics.md §2.1.4).
    n_cells : int, optional
        Finite volumes per salt-carrying layer.
    temperature : float, optional
        T [K]; default the stack's.
    concentration_laws : mapping, optional
        Electrolyte material name -> :class:`ConcentrationLaws` (D, kappa, t+, chi as functions
        of c), replacing the material's constants; at rest only their values at c0 enter.
    kinetics : str, optional
        ``"butler-volmer"`` (default; interfaces linearised at their steady overpotential with
        i0 = i0_ref (c/c0)^alpha at salt-domain faces) or ``"linear"`` (R = ASR at any bias).
    stretch : float, optional
        beta of :func:`face_refined_grid`; default chosen so that the first cell resolves the
        diffusion boundary layer sqrt(D/w) at the highest frequency.

    Returns
    -------
    complex ndarray
        Z(f) [ohm], Im Z < 0 for capacitive behaviour.

    Notes
    -----
    At rest and with ideal interfaces a single polymer layer gives
    Z = R_b + R_d tanh(sqrt(j w tau))/sqrt(j w tau), R_d = 2RTL(1-t+)^2 chi/(F^2 D c0 S),
    tau = L^2/(4D) (physics.md §2.3; SPEC §4). With constant properties a bias J scales the
    diffusion part by 1/(1 - (J/J_lim)^2) (face concentrations c0 (1 +- J/J_lim)); Butler-Volmer
    interfaces get R = 1/(i0 f (a e^(a f eta) + (1-a) e^(-(1-a) f eta))) (for a = 1/2:
    R_ct/sqrt(1 + (J/(2 i0))^2)) and a coupling to the face concentration through i0(c), which
    nearly cancels between the two faces of a symmetric cell (the change from rest is O(J^2)
    there). With concentration laws the ohmic part becomes int dx/kappa(c) plus the response
    of kappa to c~. The bias of a stack with an electronic path is split so that
    J S = J_ion S + V_ss(J_ion)/R_e.
    """
    T, f, J = _check_inputs(stack, frequencies, bias_current_density, n_cells, temperature)
    w_max = 2 * np.pi * float(np.max(f))
    first = None
    if w_max > 0:
        d_min = min((l.salt_diffusivity(T) for l in stack.layers if l.kind in ("polymer", "composite")),
                    default=None)
        if d_min is not None:
            first = math.sqrt(d_min / w_max) / _POINTS_PER_BOUNDARY_LAYER
    model = _Model(stack, T, int(n_cells), concentration_laws, kinetics, first, stretch)
    j_ion = model.solve_bias(J)
    return model.impedance(f, j_ion)


def limiting_current_densities(stack, *, temperature: float | None = None) -> dict:
    """Limiting current density of every salt-diffusion domain [A/m2], properties at c0.

    Returns
    -------
    dict
        Domain name (its layers joined by " + ") -> (J_lim for J > 0, J_lim for J < 0); for one
        polymer layer both are 2 F D c0 / ((1 - t+) L) (physics.md §2.1.4).
    """
    T, _, _ = _check_inputs(stack, None, 0.0, DEFAULT_CELLS, temperature)
    model = _Model(stack, T, DEFAULT_CELLS, None, "linear", None, 0.0)
    return {d.name: limiting_current_density(d) for d in model.domains}


def steady_state(stack, bias_current_density: float, *, n_cells: int = DEFAULT_CELLS,
                 temperature: float | None = None,
                 concentration_laws: Mapping[str, ConcentrationLaws] | None = None,
                 kinetics: str = "butler-volmer", stretch: float | None = None) -> SteadyState:
    """Galvanostatic steady state of the transport model (the bias of :func:`transport_impedance`).

    Per domain D_eff(c) dc/dx = -(1 - t+(c)) J/F (zero anion flux, physics.md §2.1.3: linear
    for constant properties, c = c0 + (q/D)(L/2 - x)), with the salt content kept at c0;
    V = sum of ohmic int J/kappa dx, concentration (2RT/F) int_(c_b)^(c_a) (1-t+) chi/c dc and
    interfacial overpotentials (Butler-Volmer, physics.md §2.4).
    """
    T, _, J = _check_inputs(stack, None, bias_current_density, n_cells, temperature)
    model = _Model(stack, T, int(n_cells), concentration_laws, kinetics, None, stretch if stretch else 0.0)
    j_ion = model.solve_bias(J)
    v, parts = model.ionic_voltage(j_ion)
    profiles, faces = {}, {}
    for d in model.domains:
        x = np.cumsum(d.h) - 0.5 * d.h
        profiles[d.name] = (x, d.c_cell.copy())
        faces[d.name] = (float(d.c_face[0]), float(d.c_face[-1]))
    return SteadyState(J, j_ion, v, parts, profiles, faces)

"""The 1D finite-volume transport solver over a whole stack (physics.md §2.1, §2.4, §5).

Model
-----
* Binary polymer layers: salt diffusion ``dc/dt = d/dx(D dc/dx)`` with the anion-blocking
  flux condition ``-D dc/dx = (1 - t+) i / F`` at both faces (Li or ceramic; physics.md
  §2.1.2), i the ionic current density. At a blocking electrode (SS, Cu) the salt flux is
  zero. D, t+, chi are constants of each layer at the stack temperature.
* Ohmic drop ``i L / kappa`` per layer; for polymer layers optionally
  ``i sum dx/kappa(c)`` with the Nernst-Einstein ``kappa = kappa0 c / c0``
  (``SolverOptions.conductivity_law``). Single-ion ceramics, mixed conductors and
  composites are ohmic (their ionic conductivity at T).
* Concentration overpotential ``(2RT/F)(1 - t+) chi ln(c_left / c_right)`` per polymer layer.
* Interfaces: Butler-Volmer ``i0 (c/c0)^alpha [exp(alpha f eta) - exp(-(1-alpha) f eta)]``
  (physics.md §2.4) at Li|polymer, polymer|ceramic and the other non-ideal interfaces, with
  ``i0`` from the interface (``exchange_current_density`` or R T/(F R_ct)) and the face
  concentration of the neighbouring polymer layer; the SEI resistance in series; an
  optional double layer ``C deta/dt + jf = i`` in parallel with the faradaic path (C from
  ``capacitance``, else the CPE coefficient ``cpe_q`` taken as a capacitance — a
  simplification, exact for n = 1). Blocking interfaces have only the double layer.
* Electronic leakage: a resistor ``stack.electronic_resistance()`` in parallel with the
  whole stack; the external current density is ``i + V/(R_e A)``.

Numerics: cell-centred finite volumes on a grid refined toward both faces
(:mod:`.grid`), variable-step BDF2 (implicit Euler on the first step after every protocol
step; ``SolverOptions.method``), step size controlled by the local error of the face
concentrations (and of the double-layer overpotentials), every step a single tridiagonal
solve (the diffusion is linear in the current, so potentiostatic steps and leakage need only a
scalar Newton on the current). The whole time loop of a protocol step runs in numba
(:func:`._kernels.run_step`). ``method="sdirk4"`` integrates the same system with the
fourth-order, L-stable SDIRK4 of Hairer & Wanner (five tridiagonal stage solves per step with
one factorisation, embedded third-order error estimate, third-order dense output;
:func:`._kernels.run_step_sdirk4`). Salt is conserved to round-off in every layer whose faces
both block anions.

Galvanostatic and rest steps without double layers or electronic leakage, with constant
kappa and no voltage limit, are integrated *exactly in time* instead
(:func:`._kernels.run_modal_step`): the FV operator of each layer is symmetrised and
diagonalised once (cached), every mode then evolves as ``a + b exp(lam t)`` under a constant
current, so outputs cost a few operations each and only the second-order spatial error of
the grid remains. Depletion inside such a step is found by sampling
``SolverOptions.depletion_samples`` log-spaced times and bisection; the sampling is skipped
when a lower bound of every face over the whole step (all mode decays at their worst) stays
above the threshold (:func:`._kernels.modal_faces_safe`), which gives the same result.
Consecutive exact steps carry the state as mode amplitudes; cell averages are rebuilt only
before a time-stepped step, for ``Solution.final_state`` and for profiles when asked for.

Reuse: ``simulate`` keeps the discretisation of the same Stack object with equal options (a
cache of 8), and a :class:`TransportProblem` prepares what does not depend on the state of
a protocol (step parameters, output times, buffer size) once per (protocol, outputs).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, fields

import numpy as np

from ..constants import F
from ..errors import InputError, SolverError
from . import _kernels as K
from .grid import layer_grid
from .protocol import Protocol
from .solution import Event, Solution

_IDEAL, _BV, _LINEAR, _BLOCKING = 0, 1, 2, 3
_ST_END, _ST_LIMIT, _ST_DEPLETION, _ST_FULL = K.ST_END, K.ST_LIMIT, K.ST_DEPLETION, K.ST_FULL


#: time integrators of the general (time-stepped) path, see SolverOptions.method
METHODS = ("bdf2", "euler", "sdirk4")
#: spatial discretisations of the polymer layers, see SolverOptions.spatial_order
SPATIAL_ORDERS = (2, 4)


@dataclass(frozen=True)
class SolverOptions:
    """Numerical options of :func:`simulate`.

    Attributes
    ----------
    n_cells : int
        Cells per polymer layer (>= 4).
    grid_stretch : float
        Middle cell width / face cell width of each polymer layer (1 = uniform).
    rtol : float
        Relative tolerance of the local error of the face concentrations.
    atol : float
        Absolute tolerance of the face concentrations, as a fraction of c0.
    voltage_atol : float
        Absolute tolerance of double-layer overpotentials [V].
    initial_step : float or None
        First time step of every protocol step [s] (None: from the fastest time scale).
    max_step : float
        Largest time step [s].
    method : str
        Time integrator of the general (time-stepped) path: ``bdf2`` (default; adaptive
        variable-step BDF2, first step implicit Euler), ``euler`` (implicit Euler
        throughout) or ``sdirk4`` (the L-stable, stiffly accurate 5-stage SDIRK of order 4
        with an embedded third-order error estimate and third-order dense output, Hairer &
        Wanner, Solving ODEs II, §IV.6, Table 6.5; :func:`._kernels.run_step_sdirk4`).
        At the default tolerances ``sdirk4`` takes about a third of BDF2's steps in the same
        wall time with 20-30x smaller errors (shipped models, galvanostatic and
        potentiostatic steps); at matched accuracy it is several times faster. ``bdf2``
        stays the default: the CCD figures and the compiled CCD kernel are built on it.
    double_layer : bool
        Charge the interfacial capacitances (needed for the current spike of
        potentiostatic steps); blocking electrodes always keep theirs.
    kinetics : str
        ``butler-volmer`` or ``linear`` (eta = i R_ct(c)).
    conductivity_law : str
        ``constant`` kappa or ``nernst-einstein`` (kappa proportional to c).
    depletion_threshold : float
        A face whose concentration falls below this fraction of c0 is depleted (event).
    on_depletion : str
        ``stop`` the simulation at the first depletion, or ``continue`` (concentrations
        are floored at ``concentration_floor`` c0 in logarithms and kinetics; the profile
        itself is not clipped).
    concentration_floor : float
        Floor of c/c0 used in logarithms and kinetics.
    max_duration : float
        Longest duration [s] of a step given only by an end condition.
    max_steps : int
        Most time steps per protocol step.
    exact_galvanostatic : bool
        Integrate galvanostatic and rest steps exactly in time on the eigenmodes of the
        finite-volume operator when that is valid (no double layers, no electronic leakage,
        constant kappa, no voltage limit); only the spatial error then remains. Otherwise,
        and for potentiostatic steps, the time integrator ``method`` is used.
    depletion_samples : int
        Log-spaced sample times per exactly integrated step at which faces are checked for
        depletion (the crossing is then located by bisection).
    profiles : bool
        Keep the concentration profiles at the output times (``Solution.concentration``).
        False: only the time series (voltage and its parts, currents, face concentrations,
        overpotentials) are kept, as with PyBaMM's ``output_variables`` (n_t x N floats
        fewer; no faster: measured on ``benchmarks/transport.py``), and ``concentration``
        raises.
    spatial_order : int
        2 (default): the finite volumes of physics.md §5.1 (two-point fluxes, second order,
        on the face-refined grid of ``grid_stretch``). 4: the fourth-order compact finite
        volumes of :func:`._kernels.compact_mass` (a tridiagonal mass matrix, the same fluxes;
        face values exact for cubics) on a uniform grid: needs ``grid_stretch = 1`` and
        ``method = "sdirk4"`` (the time-stepped steps); exact galvanostatic steps use the
        eigenmodes of the compact pencil (``A Phi = M Phi diag(lam)``). For the same face
        accuracy it needs a quarter to a third of the cells (16 uniform cells reach what 48-64
        stretched second-order cells do, ``tests/transport/test_compact.py``). The CCD figures
        are computed on the second-order scheme (:func:`cellsim.shortcircuit.ccd.ccd_solver_options`,
        the compiled engine); ``run_ccd`` with ``spatial_order = 4`` runs the Python engine.
    """

    n_cells: int = 40
    grid_stretch: float = 10.0
    rtol: float = 1e-5
    atol: float = 1e-7
    voltage_atol: float = 1e-6
    initial_step: float | None = None
    max_step: float = math.inf
    method: str = "bdf2"
    double_layer: bool = True
    kinetics: str = "butler-volmer"
    conductivity_law: str = "constant"
    depletion_threshold: float = 1e-3
    on_depletion: str = "stop"
    concentration_floor: float = 1e-4
    max_duration: float = 1e7
    max_steps: int = 10_000_000
    exact_galvanostatic: bool = True
    depletion_samples: int = 64
    profiles: bool = True
    spatial_order: int = 2

    def __post_init__(self):
        def pos(name, v, allow_inf=False):
            if not (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0
                    and (math.isfinite(v) or allow_inf)):
                raise InputError(f"options.{name}", v, "a number > 0")
        if not (isinstance(self.n_cells, int) and self.n_cells >= 4):
            raise InputError("options.n_cells", self.n_cells, "an integer >= 4")
        if not (isinstance(self.grid_stretch, (int, float)) and self.grid_stretch >= 1):
            raise InputError("options.grid_stretch", self.grid_stretch, ">= 1")
        for n in ("rtol", "atol", "voltage_atol", "depletion_threshold", "concentration_floor"):
            pos(n, getattr(self, n))
        pos("max_step", self.max_step, allow_inf=True)
        pos("max_duration", self.max_duration)
        if self.initial_step is not None:
            pos("initial_step", self.initial_step)
        if self.method not in METHODS:
            raise InputError("options.method", self.method, " or ".join(repr(m) for m in METHODS))
        if self.kinetics not in ("butler-volmer", "linear"):
            raise InputError("options.kinetics", self.kinetics, "'butler-volmer' or 'linear'")
        if self.conductivity_law not in ("constant", "nernst-einstein"):
            raise InputError("options.conductivity_law", self.conductivity_law, "'constant' or 'nernst-einstein'")
        if self.on_depletion not in ("stop", "continue"):
            raise InputError("options.on_depletion", self.on_depletion, "'stop' or 'continue'")
        if not isinstance(self.profiles, bool):
            raise InputError("options.profiles", self.profiles, "True or False")
        if not self.depletion_threshold < 1:
            raise InputError("options.depletion_threshold", self.depletion_threshold, "a fraction of c0 in (0, 1)")
        if (not isinstance(self.spatial_order, int) or isinstance(self.spatial_order, bool)
                or self.spatial_order not in SPATIAL_ORDERS):
            raise InputError("options.spatial_order", self.spatial_order, "the integer 2 or 4")
        if self.spatial_order == 4:
            if self.method != "sdirk4":
                raise InputError("options.method", self.method,
                                 "'sdirk4' with spatial_order = 4 (the compact scheme is in the SDIRK4 kernel only)")
            if self.grid_stretch != 1:
                raise InputError("options.grid_stretch", self.grid_stretch,
                                 "1 (a uniform grid) with spatial_order = 4")
        # hashed on every simulate() call (the problem cache): computed once
        object.__setattr__(self, "_hash", hash(tuple(getattr(self, f.name) for f in fields(self))))

    def __hash__(self):
        return self._hash

    def __reduce__(self):  # pickled by value: the hash (of str fields) is recomputed in the new process
        return (self.__class__, tuple(getattr(self, f.name) for f in fields(self)))


class TransportProblem:
    """A stack discretised for the solver: build once, run many protocols.

    Parameters
    ----------
    stack : Stack
    options : SolverOptions, optional
    """

    def __init__(self, stack, options: SolverOptions | None = None):
        self.stack = stack
        self.options = opt = options or SolverOptions()
        T = stack.temperature
        self.T = T
        layers = stack.layers
        ifs = stack.interfaces
        kinds = [i.kind for i in ifs]
        poly = [i for i, l in enumerate(layers) if l.kind == "polymer"]
        self.poly_index = poly
        self.layer_names = [layers[i].name for i in poly]
        P = len(poly)
        widths, off, ncell = [], [], []
        Dp, tm, chi, c0, kap, Lp, bL, bR = ([] for _ in range(8))
        self.widths = {}
        self.offsets = {}
        n0 = 0
        for i in poly:
            l = layers[i]
            w = layer_grid(l.thickness, opt.n_cells, opt.grid_stretch)
            widths.append(w)
            self.widths[l.name] = w
            self.offsets[l.name] = (n0, n0 + w.size)
            off.append(n0)
            ncell.append(w.size)
            n0 += w.size
            D = l.salt_diffusivity(T)
            t_minus = 1.0 - l.transference_number()
            Dp.append(D)
            tm.append(t_minus)
            chi.append(l.thermodynamic_factor())
            c0.append(l.salt_concentration())
            kap.append(l.ionic_conductivity(T))
            Lp.append(l.thickness)
            bL.append(0.0 if kinds[i] == "blocking" else t_minus / F)
            bR.append(0.0 if kinds[i + 1] == "blocking" else t_minus / F)
            for name, v in (("salt_diffusivity", D), ("salt_concentration", c0[-1]), ("ionic_conductivity", kap[-1])):
                if not (math.isfinite(v) and v > 0):
                    raise InputError(f"layer {l.name!r}.{name}", v, "> 0 for a polymer layer in the transport solver")
        # packed arrays of the kernels (_kernels module docstring, "Packed arrays"); the named
        # attributes are views of their rows
        N = int(sum(ncell))
        self.cellf = np.zeros((8, N))
        self.vol, self.klo, self.khi, self.sq, self.lam, self.phiL, self.phiR, self.betam = self.cellf
        if widths:
            self.vol[:] = np.concatenate(widths)
        self.layi = np.array([off, ncell], dtype=np.int64).reshape(2, P)
        self.off, self.ncell = self.layi
        self.layf = np.zeros((10, P))
        for row, vals in enumerate((Dp, bL, bR, tm, chi, c0, kap, Lp)):
            self.layf[row] = vals
        (self.Dp, self.betaL, self.betaR, self.tminus, self.chi, self.c0p, self.kappa0, self.Lp,
         self.sL, self.sR) = self.layf
        for p in range(P):
            a, n = off[p], ncell[p]
            w = self.vol[a:a + n]
            dist = 0.5 * (w[1:] + w[:-1])
            self.khi[a:a + n - 1] = Dp[p] / dist
            self.klo[a + 1:a + n] = Dp[p] / dist
        # layers: ohmic parts
        nl = len(layers)
        self.layer_R = np.zeros(nl)
        self.layer_poly = -np.ones(nl, dtype=np.int64)
        for i, l in enumerate(layers):
            if l.kind == "polymer":
                self.layer_poly[i] = poly.index(i)
            else:
                s = l.ionic_conductivity(T)
                if not (math.isfinite(s) and s > 0):
                    raise InputError(f"layer {l.name!r}.ionic_conductivity", s,
                                     "> 0 (an ionically blocking layer cannot carry a current in the transport solver)")
                self.layer_R[i] = l.thickness / s
        # interfaces
        nK = len(ifs)
        self.iff = np.zeros((5, nK))
        self.i0, self.alpha, self.cref, self.Rs, self.Cdl = self.iff
        self.i0[:], self.alpha[:], self.cref[:] = 1.0, 0.5, 1.0
        self.ifi = np.zeros((3, nK), dtype=np.int64)
        self.ikind, self.ip, self.iside = self.ifi
        self.ip[:] = -1
        for k, itf in enumerate(ifs):
            cap = itf.capacitance if itf.capacitance is not None else itf.cpe_q
            if itf.kind == "ideal":
                continue
            if itf.kind == "blocking":
                self.ikind[k] = _BLOCKING
                if not cap:
                    raise InputError(f"interface {itf.name!r}.capacitance", None,
                                     "a double-layer capacitance (or cpe_q) for a blocking interface")
                self.Cdl[k] = cap
                continue
            i0 = itf.exchange_current_density(T)
            sei = itf._get("sei_resistance", T) or 0.0
            self.Rs[k] = sei
            if math.isinf(i0):
                self.ikind[k] = _IDEAL
            else:
                self.ikind[k] = _BV if opt.kinetics == "butler-volmer" else _LINEAR
                self.i0[k] = i0
                self.alpha[k] = itf.alpha
                if opt.double_layer and cap:
                    self.Cdl[k] = cap
            # neighbouring polymer face that sets i0(c)
            right = layers[k] if k < nl else None
            left = layers[k - 1] if k > 0 else None
            if right is not None and right.kind == "polymer":
                self.ip[k], self.iside[k] = poly.index(k), 0
            elif left is not None and left.kind == "polymer":
                self.ip[k], self.iside[k] = poly.index(k - 1), 1
            if self.ip[k] >= 0:
                self.cref[k] = self.c0p[self.ip[k]]
        self.interface_names = [i.name for i in ifs]
        r_e = stack.electronic_resistance(T)
        self.g_e = 0.0 if math.isinf(r_e) or r_e <= 0 else 1.0 / (r_e * stack.area)
        self.part_names = ([f"ohmic {l.name}" for l in layers] + [f"concentration {n}" for n in self.layer_names]
                           + [f"interface {n}" for n in self.interface_names])
        # rows of the kernels' output array: t, J, J_ext, V, faces (left, right), eta, parts
        self.r_eta = 4 + 2 * P
        self.r_parts = self.r_eta + nK
        self.n_rows = self.r_parts + len(self.part_names)
        face_rows = {(n, side): 4 + p + (P if side == "right" else 0)
                     for p, n in enumerate(self.layer_names) for side in ("left", "right")}
        self._layout = (P, nK, tuple(self.part_names), tuple(self.interface_names), face_rows)
        self._sizes = (N, P, nK, self.r_eta, self.r_parts)
        self._kappa_law = 1 if opt.conductivity_law == "nernst-einstein" else 0
        self._on_dep = 0 if opt.on_depletion == "stop" else 1
        # the constant arguments of run_modal_step (arrays that set_fronts updates in place)
        self._modal_args = (self.cellf, self.layf, self.layi, self.layer_R, self.layer_poly, self.iff, self.ifi, T,
                            opt.concentration_floor, opt.depletion_threshold, self._on_dep, opt.depletion_samples)
        self._armed = np.ones(2 * P, dtype=np.int64)
        # the rest state (copied by every run) and its output column: t = J = V = 0, faces c0
        self._c_rest = np.repeat(self.c0p, self.ncell)
        self._eta_rest = np.zeros(nK)
        # face values of the spatial scheme (Python-side reads of a state; the kernels branch alike)
        self._faces = K.layer_faces4 if opt.spatial_order == 4 else K.layer_faces
        self._rest_col = np.zeros(self.n_rows)
        self._rest_col[4:4 + 2 * P] = np.tile(self.c0p, 2)
        self._plans: dict = {}
        self.fast_scale = self._fast_scale()
        # feedback of the short-circuit model (set_fronts, set_leakage); neutral at construction
        self._L0 = self.Lp.copy()
        self._fronts = np.zeros((2, P))
        self._g_stack = self.g_e
        # eigenmodes of each layer's symmetrised FV operator (exact galvanostatic steps)
        self.modal_ok = (opt.exact_galvanostatic and self.g_e == 0.0 and not np.any(self.Cdl > 0)
                         and opt.conductivity_law == "constant" and N > 0)
        self.Qf = np.zeros((0, 0))
        self.Qp = self.Qf
        self._z_rest = None
        if self.modal_ok:
            self._build_modes()
            self._z_rest = np.empty(N)  # the rest state's mode amplitudes (every run from rest starts here)
            self._to_modes(self._c_rest, self._z_rest)

    def _fast_scale(self) -> float:
        """The fastest time scale of the problem [s] (sets the first time step)."""
        N, P = self.vol.size, self.off.size
        scales = [self.vol.min() ** 2 / max(self.Dp) if N else math.inf]
        for k in range(self.ikind.size):
            if self.Cdl[k] > 0:
                if self.ikind[k] in (_BV, _LINEAR):
                    scales.append(self.Cdl[k] * 8.314462618 * self.T / (F * self.i0[k]))
                scales.append(self.Cdl[k] * max(float(self.layer_R.sum() + sum(
                    self.Lp[p] / self.kappa0[p] for p in range(P))), 1e-12))
        return min(scales)

    def _build_modes(self):
        """The eigenmodes of every layer (:func:`_layer_modes`, :func:`_compact_layer_modes`) into
        ``lam``, ``betam``, ``phiL``, ``phiR``, ``sL``, ``sR`` and the blocks of ``Qf`` (cells
        ``c = Qf z / sq``) and ``Qp`` (projection ``z = Qp^T (sq c)``; ``Qf`` itself for the
        second-order scheme, ``M Phi`` with ``sq = 1`` for the compact one)."""
        N, P = self.vol.size, self.off.size
        compact = self.options.spatial_order == 4
        self.sq[:] = 1.0 if compact else np.sqrt(self.vol)
        self.Qf = np.zeros((N, N))
        self.Qp = np.zeros((N, N)) if compact else self.Qf
        for p in range(P):
            a, n = int(self.off[p]), int(self.ncell[p])
            sl = slice(a, a + n)
            modes = _compact_layer_modes if compact else _layer_modes
            lam, Q, betam, phiL, phiR, sL, sR, *proj = modes(self.vol[sl].tobytes(), float(self.Dp[p]),
                                                              float(self.betaL[p]), float(self.betaR[p]))
            self.lam[sl], self.Qf[sl, sl], self.betam[sl] = lam, Q, betam
            self.phiL[sl], self.phiR[sl], self.sL[p], self.sR[p] = phiL, phiR, sL, sR
            if compact:
                self.Qp[sl, sl] = proj[0]

    def _to_modes(self, c, z):
        """Mode amplitudes ``z`` of the cell averages ``c`` (in place)."""
        K.modal_project(c, self.Qp, self.sq, self.off, self.ncell, z)

    # ------------------------------------------------------------------------------
    # feedback of the short-circuit model (cellsim.shortcircuit.ccd): the problem changes
    # between runs; with no fronts and the stack's own leakage it is the problem as built.
    @property
    def fronts(self) -> np.ndarray:
        """Depths [m] of the fronts in the polymer layers, rows left and right (a copy; :meth:`set_fronts`)."""
        return self._fronts.copy()

    def set_fronts(self, left, right, state):
        """Shorten polymer layers to the part ahead of dendrite fronts (:mod:`.fronts`).

        Polymer layer ``p`` keeps the transport domain ``[left[p], L_p - right[p]]`` with the
        grid a layer of that thickness gets; the ohmic drop, the face concentrations and the
        exact eigenmodes follow. ``left = right = 0`` gives back the problem as built.

        Parameters
        ----------
        left, right : array_like, (P,)
            Depth [m] of the fronts grown from each polymer layer's left / right face.
        state : tuple
            ``(c, eta)`` on the present grids (e.g. ``Solution.final_state``).

        Returns
        -------
        tuple
            The state carried over to the new grids (:func:`.fronts.remap_cells`); the double
            layer at a front that moved starts discharged (a new electrode surface).
        """
        from .fronts import active_length, remap_cells

        c, eta = self._check_state(state)
        P = self.off.size
        x = [np.asarray(v, dtype=float).ravel() for v in (left, right)]
        if any(v.size != P for v in x):
            raise InputError("fronts", [v.tolist() for v in x], f"two lists of {P} depths >= 0 m")
        x = np.array(x)
        if not np.all(np.isfinite(x)) or np.any(x < 0):
            raise InputError("fronts", x.tolist(), f"two lists of {P} depths >= 0 m")
        changed = False
        opt = self.options
        for p in range(P):
            if x[0, p] == self._fronts[0, p] and x[1, p] == self._fronts[1, p]:
                continue
            a, n = int(self.off[p]), int(self.ncell[p])
            L0 = float(self._L0[p])
            if not np.any(x[:, p]):
                w = layer_grid(L0, opt.n_cells, opt.grid_stretch)
            else:
                w = layer_grid(active_length(L0, x[0, p], x[1, p]), opt.n_cells, opt.grid_stretch)
            c[a:a + n] = remap_cells(c[a:a + n], self._fronts[0, p], self.vol[a:a + n].copy(), x[0, p], w)
            for side in (0, 1):   # a moved front is a new electrode surface: its double layer starts discharged
                if x[side, p] != self._fronts[side, p]:
                    eta[(self.ip == p) & (self.iside == side) & (self.Cdl > 0)] = 0.0
            self._fronts[:, p] = x[:, p]
            self.vol[a:a + n] = w
            self.Lp[p] = active_length(L0, x[0, p], x[1, p]) if np.any(x[:, p]) else L0
            dist = 0.5 * (w[1:] + w[:-1])
            self.khi[a:a + n - 1] = self.Dp[p] / dist
            self.klo[a + 1:a + n] = self.Dp[p] / dist
            self.widths[self.layer_names[p]] = w
            changed = True
        if not changed:
            return c, eta
        self.fast_scale = self._fast_scale()
        self._plans.clear()   # their first time steps
        if self.Qf.size:
            self._build_modes()
            self._to_modes(self._c_rest, self._z_rest)
        return c, eta

    def set_leakage(self, conductance=None):
        """Electronic conductance per area [S/m2] in parallel with the stack from now on.

        ``None`` restores the stack's own ``1 / (R_e A)``. A leak turns off the exact
        galvanostatic steps (the BDF2 kernel carries it).
        """
        g = self._g_stack if conductance is None else float(conductance)
        if not (math.isfinite(g) and g >= 0):
            raise InputError("leakage conductance", g, "a finite conductance >= 0 S/m2")
        if g == self.g_e:
            return
        self.g_e = g
        modal = (self.options.exact_galvanostatic and g == 0.0 and not np.any(self.Cdl > 0)
                 and self.options.conductivity_law == "constant" and self.vol.size > 0)
        if modal != self.modal_ok:
            self.modal_ok = modal
            self._plans.clear()
            if modal and not self.Qf.size:
                self._build_modes()
                self._z_rest = np.empty(self.vol.size)
                self._to_modes(self._c_rest, self._z_rest)

    def initial_state(self):
        """Uniform salt c0 in each polymer layer, discharged double layers (fresh arrays)."""
        return self._c_rest.copy(), self._eta_rest.copy()

    def run(self, protocol, output_times=None, output_dt: float | None = None, state=None,
            memory=None) -> Solution:
        """Simulate ``protocol`` (a :class:`Protocol` or its text) from rest (or ``state``).

        Parameters
        ----------
        protocol : Protocol, str or list of str
        output_times : array_like, optional
            Times [s] at which to report; step ends are always reported.
        output_dt : float, optional
            Report every ``output_dt`` [s]. With neither, every time step is reported.
        state : tuple, optional
            ``(c, eta)``: cell averages [mol/m3] (N,) and interface overpotentials [V] (K,)
            to start from, e.g. ``Solution.final_state`` of an earlier run.
        memory : numpy.ndarray, optional
            ``Solution.step_memory`` of the earlier run that ended in ``state``, when the first
            protocol step continues its current: that step then starts with the step size the
            earlier run had reached (instead of a small first step) and, with BDF2, controls the
            error of its first step against the earlier run's face values (see
            :func:`._kernels.load_memory`). Ignored when the first step is integrated exactly.
        """
        plan = self._plan(protocol, output_times, output_dt)
        if state is None and plan.all_modal:
            return self._run_exact(plan)
        opt = self.options
        N, P, nK, r_eta, r_parts = self._sizes
        kappa_law = self._kappa_law
        if state is None:  # (exact steps from rest need no cell averages until asked for)
            c = None if plan.all_modal else self._c_rest.copy()
            eta = self._eta_rest.copy()
        else:
            c, eta = self._check_state(state)
        st = np.zeros(20)
        dep_armed = self._armed.copy()
        ev = np.zeros((4, 4 * P + 4))
        cap = plan.cap
        out = np.empty((self.n_rows, cap))
        # profiles: written by the BDF2 kernel; exactly integrated rows are rebuilt on demand
        # by the Solution from their mode amplitudes (no array at all when every step is exact)
        # (0, N): the kernels then keep no profile rows (SolverOptions.profiles = False)
        o_c = None if plan.all_modal else np.empty((cap if opt.profiles else 0, N))
        # the initial point
        if state is None:  # rest: uniform c0, no current, discharged double layers -> V = 0
            out[:, 0] = self._rest_col
        else:
            col = out[:, 0]
            fl0, fr0, parts0 = np.empty(P), np.empty(P), np.empty(len(self.part_names))
            self._faces(c, self.vol, self.off, self.ncell, self.Dp, self.betaL, self.betaR, 0.0, fl0, fr0)
            V0 = K.voltage_parts(c, fl0, fr0, 0.0, eta, self.T, self.vol, self.off, self.ncell, self.tminus,
                                 self.chi, self.c0p, self.kappa0, self.Lp, kappa_law, self.layer_R, self.layer_poly, self.Rs, opt.concentration_floor, parts0)
            col[0], col[1], col[2], col[3] = 0.0, 0.0, self.g_e * V0, V0
            col[4:4 + P], col[4 + P:4 + 2 * P], col[r_eta:r_parts], col[r_parts:] = fl0, fr0, eta, parts0
            st[13] = V0
            # a face that starts depleted under the first step's current is not depleted again at
            # t = 0: it is armed once it recovers above 10x the threshold (the kernels' re-arm rule).
            # A run from such a state otherwise meets the event at its very first step, where the
            # event search cannot converge.
            first = plan.steps[0] if plan.steps else None
            j0 = first[3] if first is not None and first[2] == 0 else 0.0
            self._faces(c, self.vol, self.off, self.ncell, self.Dp, self.betaL, self.betaR, j0, fl0, fr0)
            dep_armed[np.concatenate([fl0, fr0]) < opt.depletion_threshold * np.tile(self.c0p, 2)] = 0
        if o_c is not None and opt.profiles:
            o_c[0] = c
        c_init = None if o_c is not None else self._c_rest if state is None else c.copy()  # read only
        st[6] = 1
        steps_of_point = [(-1, 1)]
        modal_records = []
        events: list[Event] = []
        on_dep = self._on_dep
        c_prev = None
        # exact steps carry the state as mode amplitudes z (c is then stale until rebuilt)
        z = None
        at_rest = state is None
        stopped = False
        total_steps = 0
        t = 0.0
        stepper = K.run_step_sdirk4 if opt.method == "sdirk4" else K.run_step
        order = (opt.spatial_order,) if opt.method == "sdirk4" else ()
        for s_i, step, mode, target, t_len, limit_kind, limit_value, open_ended, modal, t_plan, times_local, h0 \
                in plan.steps:
            if t != t_plan:  # an earlier step ended early (a limit): output times move with it
                times_local = self._step_times(t, t_len, output_dt, plan.output_times, modal)
            n_before = int(st[6])
            if limit_kind == 1:
                st[14] = np.sign(limit_value - st[13]) or np.sign(target) or 1.0
            # restart the multistep history (step-local time keeps tiny first steps exact)
            st[0] = 0.0
            if not modal:  # (the BDF2 kernel's step size and order; the exact kernel has neither)
                st[1] = h0
                st[3] = 1
                st[K.ST_CARRIED] = 0.0
            st[7] = 0
            st[8] = 0
            st[11] = 0
            st[15] = st[6]
            if modal:
                amp = np.empty((3, N))
                if z is None:
                    if at_rest:
                        z = self._z_rest.copy()
                    else:
                        z = np.empty(N)
                        self._to_modes(c, z)
            else:
                if z is not None:  # back to cell averages for the time-stepping kernel
                    K.modal_cells(z, self.Qf, self.sq, self.off, self.ncell, c)
                    z = None
                if c_prev is None:
                    c_prev, eta_prev = np.empty(N), np.empty(nK)
                    fh, eh, th = np.zeros((3, 2 * P)), np.zeros((3, nK)), np.zeros(3)
                    flc, frc = np.empty(P), np.empty(P)
                c_prev[:] = c
                eta_prev[:] = eta
                j_faces = st[4]
                if memory is not None and s_i == 0:
                    mem = self._check_memory(memory)
                    K.load_memory(mem, opt.method == "bdf2", st, th, fh, eh)
                    j_faces = mem[K.MEM_J]
                self._faces(c, self.vol, self.off, self.ncell, self.Dp, self.betaL, self.betaR, j_faces, flc, frc)
                fh[2, :P], fh[2, P:] = flc, frc
                eh[2] = eta
                th[2] = 0.0
            while True:
                if modal:
                    status = K.run_modal_step(target, t_len, z, eta, st, dep_armed, *self._modal_args,
                                              times_local, out, ev, amp)
                else:
                    status = stepper(
                        mode, target, t_len, limit_kind, limit_value, c, c_prev, eta, eta_prev, st, fh, eh, th,
                        self.cellf, self.layf, self.layi, self.layer_R, self.layer_poly, self.iff, self.ifi,
                        self.T, self.g_e, kappa_law, opt.concentration_floor, opt.rtol, opt.atol,
                        opt.voltage_atol, opt.max_step, 1 if opt.method == "bdf2" else 0, opt.depletion_threshold,
                        on_dep, dep_armed, opt.max_steps, times_local, plan.record_every, out, o_c, ev, *order)
                if st[8]:
                    self._depletions(st, ev, t, s_i, step, events)
                if status == _ST_FULL:
                    out, o_c = self._grow(st, out, o_c)
                    continue
                break
            at_rest = False
            total_steps += int(st[11])
            n_after = int(st[6])
            if modal and n_after > n_before:  # local times tau = time - t (exact for the first step)
                modal_records.append((n_before, n_after, t, amp))
            if t != 0.0:
                out[0, n_before:n_after] += t
            steps_of_point.append((s_i, n_after - n_before))
            t = t + st[0]
            if status == _ST_LIMIT:
                kind = "voltage_limit" if limit_kind == 1 else "current_limit"
                events.append(Event(kind, t, None, f"protocol step {s_i + 1}: {step.text or step}"))
            elif status == _ST_END and open_ended:
                events.append(Event("limit_not_reached", t, None,
                                    f"protocol step {s_i + 1} ran for max_duration = {opt.max_duration:g} s"))
            elif status == _ST_DEPLETION:
                stopped = True
            elif status < 0:
                why = {K.ST_NEWTON: "the current/overpotential Newton iteration did not converge",
                       K.ST_SMALL: "the time step fell below round-off",
                       K.ST_MAXSTEPS: f"more than max_steps = {opt.max_steps} time steps"}[status]
                raise SolverError(f"transport solver failed at t = {t:.6g} s in protocol step {s_i + 1} "
                                  f"({step.text or step}): {why}")
            if not math.isfinite(st[17]):  # sum(c or z) + sum(eta) from the kernel: NaN/inf propagates
                raise SolverError(f"non-finite state at t = {t:.6g} s in protocol step {s_i + 1}")
            if stopped:
                break
        n = int(st[6])
        sol = Solution(out, n, self._layout, steps_of_point, events, list(self.layer_names), self.stack.area,
                       {"time_steps": total_steps, "attempts": int(st[16])}, None if o_c is None else o_c[:n], c_init,
                       (modal_records, self.lam, self.Qf, self.sq, self.off, self.ncell) if modal_records else None,
                       self.offsets, self.widths, profiles=opt.profiles)
        # private to this run; from the mode amplitudes (if the last step was exact) on first use
        sol._final = (c, eta, z, (self.Qf, self.sq, self.off, self.ncell))
        if z is None and c_prev is not None:  # the last step was time-stepped
            sol.step_memory = np.empty(K.memory_size(P, nK))
            K.save_memory(st, th, fh, eh, sol.step_memory)
        return sol

    def _check_memory(self, memory) -> np.ndarray:
        """``memory`` as :func:`._kernels.load_memory` takes it, or InputError."""
        P, nK = self._sizes[1], self._sizes[2]
        mem = np.asarray(memory, dtype=float)
        if mem.shape != (K.memory_size(P, nK),) or not np.all(np.isfinite(mem)) or not mem[K.MEM_H] > 0:
            raise InputError("memory", f"array of shape {mem.shape}",
                             f"the step_memory of a Solution of this problem ({K.memory_size(P, nK)} finite values, "
                             f"a step size > 0)")
        return mem

    def _depletions(self, st, ev, t, s_i, step, events):
        """Append the ``st[8]`` depletion events the kernel wrote to ``ev`` in protocol step ``s_i``
        (started at ``t``) and clear the count."""
        for e in range(int(st[8])):
            p = int(ev[2, e])
            side = "left" if ev[3, e] == 0 else "right"
            li = self.poly_index[p]
            itf = self.interface_names[li if side == "left" else li + 1]
            events.append(Event("salt_depletion", t + float(ev[1, e]), self.layer_names[p],
                                f"{side} face ({itf}), protocol step {s_i + 1}: {step.text or step}"))
        st[8] = 0

    def _grow(self, st, out, o_c):
        """The output arrays with room for the kernel's ``st[12]`` more points (it returned ST_FULL)."""
        cap = int(st[6]) + int(st[12]) + 2 * out.shape[1]
        grown = np.empty((self.n_rows, cap))
        grown[:, :out.shape[1]] = out
        if o_c is not None and o_c.shape[0] > 0:
            grown_c = np.empty((cap, self.vol.size))
            grown_c[:o_c.shape[0]] = o_c
            o_c = grown_c
        return grown, o_c

    def _run_exact(self, plan) -> Solution:
        """:meth:`run` from rest when every step is integrated exactly (:func:`._kernels.run_modal_step`):
        the same calls and results with only the bookkeeping those steps need (the state stays
        in mode amplitudes throughout; no cell averages, no BDF2 history)."""
        N = self.vol.size
        eta = self._eta_rest.copy()
        st = np.zeros(20)
        dep_armed = self._armed.copy()
        ev = np.zeros((4, 4 * self.off.size + 4))
        out = np.empty((self.n_rows, plan.cap))
        out[:, 0] = self._rest_col  # rest: uniform c0, no current -> V = 0
        st[6] = 1
        n_out = 1
        steps_of_point = [(-1, 1)]
        modal_records = []
        events: list[Event] = []
        z = self._z_rest.copy()
        run_modal_step, args = K.run_modal_step, self._modal_args
        total_steps = 0
        t = 0.0
        for s_i, step, _, target, t_len, _, _, open_ended, _, t_plan, times_local, _ in plan.steps:
            if t != t_plan:  # an earlier step stopped early: output times move with it
                times_local = self._step_times(t, t_len, plan.output_dt, plan.output_times, True)
            st[0] = 0.0
            st[7] = 0
            st[11] = 0
            st[15] = n_out
            amp = np.empty((3, N))
            while True:
                status = run_modal_step(target, t_len, z, eta, st, dep_armed, *args, times_local, out, ev, amp)
                if st[8]:
                    self._depletions(st, ev, t, s_i, step, events)
                if status != _ST_FULL:
                    break
                out, _ = self._grow(st, out, None)
            total_steps += int(st[11])
            n_after = int(st[6])
            if n_after > n_out:  # local times tau = time - t (exact for the first step)
                modal_records.append((n_out, n_after, t, amp))
                if t != 0.0:
                    out[0, n_out:n_after] += t
            steps_of_point.append((s_i, n_after - n_out))
            n_out = n_after
            t = t + st[0]
            if status == _ST_END and open_ended:
                events.append(Event("limit_not_reached", t, None,
                                    f"protocol step {s_i + 1} ran for max_duration = {self.options.max_duration:g} s"))
            if not math.isfinite(st[17]):  # sum(z) + sum(eta) from the kernel: NaN/inf propagates
                raise SolverError(f"non-finite state at t = {t:.6g} s in protocol step {s_i + 1}")
            if status == _ST_DEPLETION:
                break
        sol = Solution(out, n_out, self._layout, steps_of_point, events, list(self.layer_names), self.stack.area,
                       {"time_steps": total_steps, "attempts": int(st[16])}, None, self._c_rest,
                       (modal_records, self.lam, self.Qf, self.sq, self.off, self.ncell) if modal_records else None,
                       self.offsets, self.widths, profiles=self.options.profiles)
        sol._final = (None, eta, z, (self.Qf, self.sq, self.off, self.ncell))
        return sol

    def _check_state(self, state):
        """``(c, eta)`` as fresh float arrays of the right shapes (InputError otherwise)."""
        try:
            c, eta = state
            c, eta = np.array(c, dtype=float).ravel(), np.array(eta, dtype=float).ravel()
        except (TypeError, ValueError):
            raise InputError("state", type(state).__name__, "a pair (c, eta) such as Solution.final_state") from None
        if c.size != self.vol.size or eta.size != self.ikind.size:
            raise InputError("state", f"{c.size} concentrations, {eta.size} overpotentials",
                             f"{self.vol.size} and {self.ikind.size} for this stack and grid")
        return c, eta

    def _plan(self, protocol, output_times, output_dt):
        """The protocol's steps with everything that does not depend on the state (cached).

        Returns an object with ``steps`` (tuples: index, Step, mode, target, duration, limit
        kind, limit value, open-ended, exact, planned start [s], step-local output times [s],
        first time step [s]), ``cap`` (output rows), ``all_modal``, ``record_every`` and
        ``output_times``. Invalid input raises :class:`InputError` and is never cached.
        """
        if output_times is not None and output_dt is not None:
            raise InputError("output_times", "both given", "either output_times or output_dt")
        if output_times is not None:
            output_times = np.asarray(output_times, dtype=float).ravel()
            times_key = output_times.tobytes()
        else:
            times_key = None
        p_key = protocol if isinstance(protocol, str) else None
        if p_key is None:
            protocol = Protocol.parse(protocol)
            p_key = tuple((s, s.text) for s in protocol.steps)
        key = (p_key, output_dt, times_key)
        try:
            plan = self._plans.get(key)
        except TypeError:  # an unhashable output_dt: _make_plan names it
            plan = key = None
        if plan is None:
            plan = self._make_plan(Protocol.parse(protocol), output_times, output_dt)
            if key is not None:
                if len(self._plans) >= 32:  # first in, first out
                    self._plans.pop(next(iter(self._plans)), None)
                self._plans[key] = plan
        return plan

    def _make_plan(self, proto, output_times, output_dt):
        opt = self.options
        area = self.stack.area
        if output_dt is not None and not (isinstance(output_dt, (int, float)) and output_dt > 0
                                          and math.isfinite(output_dt)):
            raise InputError("output_dt", output_dt, "a time step > 0 s")
        if output_times is not None and output_times.size and (
                not np.all(np.isfinite(output_times)) or np.any(np.diff(output_times) < 0) or output_times[0] < 0):
            raise InputError("output_times", "…", "finite, non-negative, increasing times [s]")
        # output buffers sized for the requested times when they are known (no regrowth)
        if output_times is not None:
            cap = output_times.size + 2 * len(proto) + 8
        elif output_dt is not None:
            finite = sum(st_.duration for st_ in proto if math.isfinite(st_.duration))
            cap = int(min(finite / output_dt, 1e6)) + 2 * len(proto) + 8
        else:
            cap = 256
        plan = _Plan()
        plan.cap = cap
        plan.record_every = output_times is None and output_dt is None
        plan.output_dt, plan.output_times = output_dt, output_times
        steps = []
        t = 0.0
        for s_i, step in enumerate(proto):
            if step.kind == "current":
                mode, target = 0, step.current_density(area)
                t_len = step.duration
                limit_kind, limit_value = 0, 0.0
                if step.until_kind == "capacity":
                    if target == 0:
                        raise InputError(f"protocol step {s_i + 1}.until", step.until_value,
                                         "a capacity limit needs a current")
                    t_len = min(t_len, step.until_value / abs(target))
                elif step.until_kind == "voltage":
                    limit_kind, limit_value = 1, step.until_value
            else:
                mode, target = 1, step.value
                t_len = step.duration
                limit_kind, limit_value = 0, 0.0
                if step.until_kind in ("current", "current_density"):
                    limit_kind = 2
                    limit_value = step.until_value / area if step.until_kind == "current" else step.until_value
            open_ended = not math.isfinite(t_len)
            if open_ended:
                t_len = opt.max_duration
            modal = self.modal_ok and step.kind == "current" and limit_kind == 0
            h0 = opt.initial_step or max(min(1e-3 * self.fast_scale, 1e-3 * t_len), 1e-12 * max(t_len, 1.0))
            times_local = self._step_times(t, t_len, output_dt, output_times, modal)
            steps.append((s_i, step, mode, target, t_len, limit_kind, limit_value, open_ended, modal, t,
                          times_local, h0))
            t = t + t_len
        plan.steps = tuple(steps)
        plan.all_modal = all(s[8] for s in steps)
        return plan

    @staticmethod
    def _step_times(t, t_len, output_dt, output_times, modal):
        """Step-local output times of a step that starts at ``t`` [s] and lasts ``t_len`` [s]."""
        t_end = t + t_len  # absolute; the kernel integrates in step-local time t - t_step
        if output_dt is not None:
            k0 = math.floor(t / output_dt + 1e-9) + 1
            k1 = math.floor(t_end / output_dt * (1 + 1e-14))
            times = output_dt * np.arange(k0, k1 + 1, dtype=float)
        elif output_times is not None:
            times = output_times[(output_times > t) & (output_times <= t_end)]
        else:
            if modal:  # exact steps have no time steps to report: 60 log-spaced points instead
                return np.geomspace(min(1e-6 * t_len, 1.0), t_len, 60)
            return np.zeros(0)
        return times - t


class _Plan:
    """A protocol prepared for one TransportProblem (see :meth:`TransportProblem._plan`)."""

    __slots__ = ("steps", "cap", "all_modal", "record_every", "output_dt", "output_times")


def _face_weights(h1: float, h2: float):
    """Weights (w_A1, w_A2, w_slope) of :func:`._kernels.face_value` (it is linear)."""
    den = 2.0 * h1 * h1 / 3.0 + h1 * h2 + h2 * h2 / 3.0
    k = h1 * h1 / (3.0 * den)
    return 1.0 + k, -k, -0.5 * h1 + 0.5 * (h1 + h2) * k


@functools.lru_cache(maxsize=64)
def _layer_modes(widths: bytes, D: float, betaL: float, betaR: float):
    """Eigenmodes of one layer's symmetrised FV operator (cached: a pure function of the grid).

    ``V^(-1/2) A V^(-1/2) = Q diag(lam) Q^T``; returns lam, Q, beta = Q^T V^(-1/2) b, the
    face functionals phi (face = phi . z + s J) and the flux coefficients s.
    """
    from scipy.linalg import eigh_tridiagonal

    v = np.frombuffer(widths, dtype=float)
    n = v.size
    sq = np.sqrt(v)
    k_face = D / (0.5 * (v[1:] + v[:-1]))
    d = -(np.concatenate([[0.0], k_face]) + np.concatenate([k_face, [0.0]])) / v
    lam, Q = eigh_tridiagonal(d, k_face / (sq[:-1] * sq[1:]))
    # the null mode (salt conservation) is known exactly: q0 = V^(1/2) 1 / |V^(1/2) 1|, lam = 0;
    # set it and orthogonalise the others against it, so that modal steps conserve salt too
    k0 = int(np.argmin(np.abs(lam)))
    q0 = sq / np.linalg.norm(sq)
    Q[:, k0] = q0
    lam[k0] = 0.0
    others = np.delete(np.arange(n), k0)
    Qo = Q[:, others]
    Qo -= np.outer(q0, q0 @ Qo)
    Qo /= np.linalg.norm(Qo, axis=0)
    Q[:, others] = Qo
    T = Q / sq[:, None]  # c = T z
    b = np.zeros(n)
    b[0] += betaL
    b[-1] -= betaR
    betam = Q.T @ (b / sq)
    wl, wr = _face_weights(v[0], v[1]), _face_weights(v[-1], v[-2])
    phiL = wl[0] * T[0] + wl[1] * T[1]
    phiR = wr[0] * T[-1] + wr[1] * T[-2]
    out = (lam, Q, betam, phiL, phiR, wl[2] * (-betaL / D), wr[2] * (betaR / D))
    for x in out[:5]:
        x.setflags(write=False)
    return out


@functools.lru_cache(maxsize=64)
def _compact_layer_modes(widths: bytes, D: float, betaL: float, betaR: float):
    """Eigenmodes of one layer's fourth-order compact scheme ``M dc/dt = A c + J b``
    (:func:`._kernels.compact_mass`; cached: a pure function of the grid).

    The symmetric-definite pencil ``A Phi = M Phi diag(lam)`` with ``Phi^T M Phi = I``
    (``scipy.linalg.eigh``), so that ``c = Phi z``, ``z = Phi^T M c`` and
    ``dz/dt = lam z + Phi^T b J``; the null mode (salt) is set exactly, ``1 / sqrt(L)``, and
    the others M-orthogonalised against it. Returns lam, Phi, beta = Phi^T b, the face
    functionals phi (:func:`._kernels.face_value4`), the flux coefficients s and the
    projection ``M Phi`` (``z = (M Phi)^T c``).
    """
    from scipy.linalg import eigh

    v = np.frombuffer(widths, dtype=float)
    n = v.size
    off, ncell = np.zeros(1, dtype=np.int64), np.array([n], dtype=np.int64)
    ml, md, mu = np.empty(n), np.empty(n), np.empty(n)
    K.compact_mass(v, off, ncell, 4, ml, md, mu)
    M = np.diag(md) + np.diag(ml[1:], -1) + np.diag(mu[:-1], 1)
    M = 0.5 * (M + M.T)   # symmetric on the uniform grids the scheme is used on (round-off)
    k_face = D / (0.5 * (v[1:] + v[:-1]))
    A = np.diag(-(np.concatenate([[0.0], k_face]) + np.concatenate([k_face, [0.0]])))
    A += np.diag(k_face, 1) + np.diag(k_face, -1)
    lam, Phi = eigh(A, M)
    k0 = int(np.argmin(np.abs(lam)))
    one = np.ones(n) / math.sqrt(float(np.sum(M)))   # 1^T M 1 = L
    Phi[:, k0] = one
    lam[k0] = 0.0
    others = np.delete(np.arange(n), k0)
    Po = Phi[:, others]
    Po -= np.outer(one, one @ M @ Po)
    Po /= np.sqrt(np.einsum("ik,ij,jk->k", Po, M, Po))
    Phi[:, others] = Po
    b = np.zeros(n)
    b[0] += betaL
    b[-1] -= betaR
    betam = Phi.T @ b
    h0, h1 = v[0], v[-1]
    face = K.face_value4.py_func   # linear: applied to the mode rows and to the unit slope
    phiL, phiR = face(Phi[0], Phi[1], Phi[2], h0, 0.0), face(Phi[-1], Phi[-2], Phi[-3], h1, 0.0)
    sL, sR = face(0.0, 0.0, 0.0, h0, -betaL / D), face(0.0, 0.0, 0.0, h1, betaR / D)
    out = (lam, Phi, betam, phiL, phiR, sL, sR, M @ Phi)
    for x in out[:5] + out[7:]:
        x.setflags(write=False)
    return out


def simulate(stack, protocol, options: SolverOptions | None = None, output_times=None,
             output_dt: float | None = None) -> Solution:
    """Simulate a stack under a protocol with the 1D transport model.

    Parameters
    ----------
    stack : Stack
    protocol : Protocol or str
        E.g. ``"Plate at 1 mA/cm2 for 1 h; Rest for 10 min; Hold at 10 mV for 2 h"``.
    options : SolverOptions, optional
    output_times : array_like, optional
        Times [s] at which to report (interpolated between time steps); step ends are
        always reported.
    output_dt : float, optional
        Report every ``output_dt`` seconds. With neither, every time step is reported.

    Returns
    -------
    Solution

    Raises
    ------
    SolverError
        When the time integration fails (never returns NaN silently).
    """
    return _problem(stack, options or SolverOptions()).run(protocol, output_times=output_times, output_dt=output_dt)


_PROBLEMS: "dict[tuple, TransportProblem]" = {}


def _problem(stack, options: SolverOptions) -> TransportProblem:
    """The discretised stack, reused when the same (immutable) Stack object is simulated again
    with equal options (a first-in-first-out cache of 8; the identity of the stack object is checked)."""
    key = (id(stack), options)
    prob = _PROBLEMS.get(key)
    if prob is not None and prob.stack is stack:
        return prob
    prob = TransportProblem(stack, options)
    _PROBLEMS.pop(key, None)
    if len(_PROBLEMS) >= 8:  # first in, first out
        _PROBLEMS.pop(next(iter(_PROBLEMS)), None)
    _PROBLEMS[key] = prob
    return prob

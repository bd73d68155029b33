"""An independent reference: the three-layer galvanostatic problem written as a PyBaMM model.

Li | polymer 1 | ceramic | polymer 2 | Li under a constant current density J (physics.md
§2.1, §5; SPEC §4 "the same three-layer galvanostatic problem solved by PyBaMM").

Each binary polymer layer carries its own salt concentration on **its own PyBaMM domain and
geometry** (``"polymer 1"`` with coordinate ``x_p1``, ``"polymer 2"`` with ``x_p2``, both
measured from the layer's left face). One variable spanning several domains would let
PyBaMM average the migration/flux terms across the internal interfaces and give wrong
answers; with one domain per layer the anion-blocking flux conditions are imposed exactly
at both faces of each layer::

    dc/dt = d/dx( D dc/dx ),     -D dc/dx = (1 - t+) J / F   at x = 0 and x = L   (both faces)

The single-ion ceramic carries no concentration (t+ = 1): it contributes only its IR drop.
The cell voltage (V = phi_left - phi_right, positive for J > 0 in a symmetric cell) is::

    V = sum_k  int_0^{L_k} J / kappa_k(c_k) dx                       (polymer ohmic drops)
      + sum_k  (2 R T / F) (1 - t+_k) chi_k ln( c_k(0) / c_k(L_k) )  (concentration overpotentials)
      + J L_c / sigma_c                                              (ceramic IR)
      + J sum_j R_j                                                  (linear interfaces, ASR)
      + sum_j (2 R T / F) asinh( J / (2 i0_j (c_face/c0)^0.5) )      (optional Butler-Volmer, alpha = 0.5)

Sign convention as in the cellsim.transport contract: J > 0 drives Li+ left to right
(strips the left electrode), so salt accumulates at the left face of each polymer layer
and depletes at its right face.

pybamm is imported only inside the functions. Building (model, parameters, mesh,
discretisation) and solving (``pybamm.IDAKLUSolver``) are separate steps so that each can
be timed (``benchmarks/transport.py``)::

    ref = build_reference(params, n_points_per_layer=40)
    out = solve_built(ref, current_density=10.0, t_end=3600.0, dt_out=10.0)
    out["time_s"], out["voltage_V"], out["c_polymer_1_right_mol_m3"], ...

or in one call :func:`solve_reference`. :func:`exact_face_concentration` is the exact
series of physics.md §2.1.3 both codes are checked against.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from ..constants import F, R, T_ROOM
from ..errors import InputError, SolverError

__all__ = ["DEFAULT_PARAMS", "ReferenceModel", "build_reference", "solve_built", "solve_reference",
           "exact_face_concentration", "params_from_stack", "stack_from_params", "face_refined_edges",
           "FACE_KEYS", "INTERFACE_NAMES"]

#: The SPEC §5 "transport" benchmark cell (SI units).
DEFAULT_PARAMS: dict[str, Any] = {
    "polymer_thickness": 20e-6,          # [m], one value or (L1, L2)
    "ceramic_thickness": 1040e-6,        # [m]
    "salt_diffusivity": 1e-12,           # [m2/s], value or (D1, D2)
    "ionic_conductivity": 1e-2,          # [S/m], value, callable kappa(c) or a pair of them
    "transference_number": 0.2,          # [-], value or pair
    "salt_concentration": 1000.0,        # c0 [mol/m3], value or pair
    "thermodynamic_factor": 1.0,         # chi [-], value or pair
    "ceramic_conductivity": 0.06,        # [S/m]
    "temperature": T_ROOM,               # [K]
    "interface_resistances": (0.0, 0.0, 0.0, 0.0),  # linear ASR [ohm m2]: Li|P1, P1|C, C|P2, P2|Li
    # Butler-Volmer i0 at c0 [A/m2] of the same four interfaces (inf = no kinetic loss);
    # symmetric (alpha = 0.5), i0(c) = i0 (c_face/c0)^0.5 with the neighbouring polymer face
    "exchange_current_densities": (math.inf, math.inf, math.inf, math.inf),
}

#: Interface names, left to right.
INTERFACE_NAMES = ("Li|polymer 1", "polymer 1|ceramic", "ceramic|polymer 2", "polymer 2|Li")

#: Output keys of the four face concentrations [mol/m3], left to right through the cell.
FACE_KEYS = ("c_polymer_1_left_mol_m3", "c_polymer_1_right_mol_m3",
             "c_polymer_2_left_mol_m3", "c_polymer_2_right_mol_m3")

_LAYERS = ("polymer 1", "polymer 2")
_CURRENT = "Current density [A.m-2]"


def _pair(params: Mapping[str, Any], key: str, allow_callable: bool = False) -> tuple:
    v = params[key]
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    if len(vals) != 2:
        raise InputError(key, v, "one value or a pair (polymer 1, polymer 2)")
    for x in vals:
        if allow_callable and callable(x):
            continue
        if not (isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)):
            raise InputError(key, v, "finite numbers" + (" or callables kappa(c)" if allow_callable else ""))
    return vals


def _positive(name: str, v: float, upper: float | None = None):
    if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0) or (upper is not None and v >= upper):
        raise InputError(name, v, "> 0" if upper is None else f"in (0, {upper:g})")


def _floats(params: Mapping[str, Any], key: str) -> tuple:
    try:
        return tuple(float(x) for x in params[key])
    except (TypeError, ValueError):
        raise InputError(key, params[key], "four numbers (Li|P1, P1|C, C|P2, P2|Li)") from None


def _check_params(params: Mapping[str, Any] | None) -> dict[str, Any]:
    p = dict(DEFAULT_PARAMS)
    if params:
        unknown = set(params) - set(DEFAULT_PARAMS)
        if unknown:
            raise InputError("params", sorted(unknown)[0], "one of " + ", ".join(DEFAULT_PARAMS))
        p.update(params)
    out: dict[str, Any] = {}
    for key in ("polymer_thickness", "salt_diffusivity", "salt_concentration", "thermodynamic_factor"):
        vals = _pair(p, key)
        for v in vals:
            _positive(key, v)
        out[key] = vals
    tp = _pair(p, "transference_number")
    for v in tp:
        _positive("transference_number", v, 1.0)
    out["transference_number"] = tp
    kap = _pair(p, "ionic_conductivity", allow_callable=True)
    for v in kap:
        if not callable(v):
            _positive("ionic_conductivity", v)
    out["ionic_conductivity"] = kap
    for key in ("ceramic_thickness", "ceramic_conductivity", "temperature"):
        _positive(key, p[key])
        out[key] = float(p[key])
    r = _floats(p, "interface_resistances")
    if len(r) != 4 or any(not math.isfinite(x) or x < 0 for x in r):
        raise InputError("interface_resistances", p["interface_resistances"],
                         "four ASRs >= 0 ohm m2 (Li|P1, P1|C, C|P2, P2|Li)")
    out["interface_resistances"] = r
    i0 = _floats(p, "exchange_current_densities")
    if len(i0) != 4 or any(math.isnan(x) or x <= 0 for x in i0):
        raise InputError("exchange_current_densities", p["exchange_current_densities"],
                         "four i0 > 0 A/m2 (inf for no kinetic loss), Li|P1, P1|C, C|P2, P2|Li")
    out["exchange_current_densities"] = i0
    return out


#: Default stretch of :func:`face_refined_edges` (largest/smallest cell = cosh(s)^2 = 1.27).
DEFAULT_STRETCH = 0.5


def face_refined_edges(L: float, n: int, stretch: float = DEFAULT_STRETCH) -> np.ndarray:
    """Cell edges [m] on [0, L] refined symmetrically toward both faces (tanh stretching).

    ``x_i = (L/2) [1 + tanh(s (2 i/n - 1)) / tanh(s)]``, i = 0..n; the ratio of the
    largest (central) to the smallest (face) cell tends to cosh(s)^2. ``s -> 0`` is uniform.

    PyBaMM's own ``Exponential1DSubMesh(side="symmetric")`` is not used: its two central
    cells span about 2/3 of the layer whatever the number of points (checked with PyBaMM
    26.10: edges ..., 0.168 L, 0.5 L, 0.832 L, ...), so it does not converge.
    """
    if not (isinstance(stretch, (int, float)) and math.isfinite(stretch) and stretch >= 0):
        raise InputError("stretch", stretch, ">= 0")
    xi = np.arange(n + 1, dtype=float) / n
    if stretch == 0:
        e = L * xi
    else:
        e = 0.5 * L * (1.0 + np.tanh(stretch * (2.0 * xi - 1.0)) / math.tanh(stretch))
    e[0], e[-1] = 0.0, L
    return e


@dataclass
class ReferenceModel:
    """A built (discretised) PyBaMM model of the three-layer cell, ready to solve.

    Attributes
    ----------
    model : pybamm.BaseModel
        The discretised model.
    params : dict
        The checked parameters (SI, pairs per polymer layer).
    x : dict
        Cell-centre positions [m] per polymer layer (``"polymer 1"``, ``"polymer 2"``),
        from the layer's left face.
    n_points_per_layer : int
    build_info : dict
        Mesh type and extrapolation order used.
    solvers : dict
        Cached solvers by (method, rtol, atol, output variables): a second solve with the
        same settings reuses PyBaMM's set-up (casadi functions), i.e. it is a pure solve.
    """

    model: Any
    params: dict
    x: dict
    n_points_per_layer: int
    build_info: dict = field(default_factory=dict)
    solvers: dict = field(default_factory=dict)


def build_reference(params: Mapping[str, Any] | None = None, n_points_per_layer: int = 40,
                    mesh: str = "refined", stretch: float | None = None,
                    extrapolation: str = "quadratic") -> ReferenceModel:
    """Write and discretise the three-layer model in PyBaMM.

    Parameters
    ----------
    params : mapping, optional
        Keys of :data:`DEFAULT_PARAMS` (SI units); missing keys take the SPEC §5 values.
        ``ionic_conductivity`` may be a callable ``kappa(c)`` of a PyBaMM symbol
        (c [mol/m3] -> kappa [S/m]).
    n_points_per_layer : int
        Finite-volume cells per polymer layer.
    mesh : str
        ``"refined"`` (:func:`face_refined_edges`, refined toward both faces, through
        PyBaMM's ``UserSupplied1DSubMesh``) or ``"uniform"``.
    stretch : float, optional
        Stretch ``s`` of the refined mesh (largest/smallest cell -> cosh(s)^2);
        :data:`DEFAULT_STRETCH` when None.
    extrapolation : str
        Order of the boundary-value extrapolation (``"linear"`` or ``"quadratic"``); both
        use the flux boundary condition (PyBaMM option ``"use bcs"``).

    Returns
    -------
    ReferenceModel
    """
    os.environ.setdefault("PYBAMM_DISABLE_TELEMETRY", "true")
    import pybamm

    p = _check_params(params)
    if not (isinstance(n_points_per_layer, int) and n_points_per_layer >= 3):
        raise InputError("n_points_per_layer", n_points_per_layer, "an integer >= 3")
    if mesh not in ("refined", "uniform"):
        raise InputError("mesh", mesh, "'refined' or 'uniform'")
    if extrapolation not in ("linear", "quadratic"):
        raise InputError("extrapolation", extrapolation, "'linear' or 'quadratic'")

    model = pybamm.BaseModel(name="Li | polymer | ceramic | polymer | Li (galvanostatic)")
    J = pybamm.InputParameter(_CURRENT)
    T = pybamm.Parameter("Temperature [K]")
    Fc = pybamm.Parameter("Faraday constant [C.mol-1]")
    Rg = pybamm.Parameter("Gas constant [J.mol-1.K-1]")
    values: dict[str, Any] = {"Temperature [K]": p["temperature"], "Faraday constant [C.mol-1]": F,
                              "Gas constant [J.mol-1.K-1]": R,
                              "Ceramic thickness [m]": p["ceramic_thickness"],
                              "Ceramic conductivity [S.m-1]": p["ceramic_conductivity"]}
    geometry: dict[str, Any] = {}
    submesh_types: dict[str, Any] = {}
    var_pts: dict[Any, int] = {}
    spatial_methods: dict[str, Any] = {}
    options = {"extrapolation": {"order": {"value": extrapolation, "gradient": "linear"}, "use bcs": True}}

    parts: dict[str, Any] = {}
    faces: dict[str, Any] = {}
    concentrations = []
    for k, domain in enumerate(_LAYERS):
        tag = f"polymer {k + 1}"
        L = pybamm.Parameter(f"{tag} thickness [m]")
        D = pybamm.Parameter(f"{tag} salt diffusivity [m2.s-1]")
        tp = pybamm.Parameter(f"{tag} transference number")
        c0 = pybamm.Parameter(f"{tag} initial concentration [mol.m-3]")
        chi = pybamm.Parameter(f"{tag} thermodynamic factor")
        values.update({f"{tag} thickness [m]": p["polymer_thickness"][k],
                       f"{tag} salt diffusivity [m2.s-1]": p["salt_diffusivity"][k],
                       f"{tag} transference number": p["transference_number"][k],
                       f"{tag} initial concentration [mol.m-3]": p["salt_concentration"][k],
                       f"{tag} thermodynamic factor": p["thermodynamic_factor"][k]})
        x = pybamm.SpatialVariable(f"x_p{k + 1}", domain=domain, coord_sys="cartesian")
        c = pybamm.Variable(f"{tag} salt concentration [mol.m-3]", domain=domain,
                            scale=p["salt_concentration"][k])
        N = -D * pybamm.grad(c)                        # salt flux [mol/m2/s]
        model.rhs[c] = -pybamm.div(N)
        q = (1 - tp) * J / Fc                          # anion-blocking: -D dc/dx = q at both faces
        model.boundary_conditions[c] = {"left": (-q / D, "Neumann"), "right": (-q / D, "Neumann")}
        model.initial_conditions[c] = c0
        c_left = pybamm.boundary_value(c, "left")
        c_right = pybamm.boundary_value(c, "right")
        kappa = p["ionic_conductivity"][k]
        if callable(kappa):
            ohmic = pybamm.Integral(J / kappa(c), x)
        else:
            kap = pybamm.Parameter(f"{tag} ionic conductivity [S.m-1]")
            values[f"{tag} ionic conductivity [S.m-1]"] = kappa
            ohmic = J * L / kap
        parts[f"ohmic_{tag}"] = ohmic
        parts[f"concentration_{tag}"] = 2 * Rg * T / Fc * (1 - tp) * chi * pybamm.log(c_left / c_right)
        faces[f"{tag} left"] = c_left
        faces[f"{tag} right"] = c_right
        concentrations.append(c)
        geometry[domain] = {x: {"min": pybamm.Scalar(0), "max": L}}
        if mesh == "uniform":
            submesh_types[domain] = pybamm.Uniform1DSubMesh
        else:
            edges = face_refined_edges(p["polymer_thickness"][k], n_points_per_layer,
                                       DEFAULT_STRETCH if stretch is None else stretch)
            submesh_types[domain] = pybamm.MeshGenerator(pybamm.UserSupplied1DSubMesh,
                                                         submesh_params={"edges": edges})
        var_pts[x] = n_points_per_layer
        spatial_methods[domain] = pybamm.FiniteVolume(options)

    Lc = pybamm.Parameter("Ceramic thickness [m]")
    sc = pybamm.Parameter("Ceramic conductivity [S.m-1]")
    parts["ohmic_ceramic"] = J * Lc / sc
    # interfaces: linear ASR + symmetric Butler-Volmer, i = 2 i0 (c/c0)^0.5 sinh(F eta / (2 R T))
    # solved for eta = (2 R T / F) asinh(J / (2 i0 (c/c0)^0.5)) (physics.md §2.4, alpha = 0.5),
    # c the concentration of the neighbouring polymer face
    neighbour = (faces["polymer 1 left"], faces["polymer 1 right"], faces["polymer 2 left"], faces["polymer 2 right"])
    c0s = (p["salt_concentration"][0],) * 2 + (p["salt_concentration"][1],) * 2
    for name, r, i0, c_face, c0v in zip(INTERFACE_NAMES, p["interface_resistances"],
                                         p["exchange_current_densities"], neighbour, c0s):
        key = f"{name} resistance [Ohm.m2]"
        values[key] = r
        part = J * pybamm.Parameter(key)
        if math.isfinite(i0):
            ikey = f"{name} exchange-current density [A.m-2]"
            values[ikey] = i0
            i0c = pybamm.Parameter(ikey) * (c_face / c0v) ** 0.5
            part = part + 2 * Rg * T / Fc * pybamm.arcsinh(J / (2 * i0c))
        # casadi function names cannot hold "|": the variable is "part interface_Li to polymer 1 [V]"
        parts["interface_" + name.replace("|", " to ")] = part
    voltage = sum(parts.values())

    model.variables = {"Voltage [V]": voltage, "Current density [A.m-2]": J}
    for name, expr in parts.items():
        model.variables[f"part {name} [V]"] = expr
    for name, expr in faces.items():
        model.variables[f"{name} face concentration [mol.m-3]"] = expr
    for c in concentrations:
        model.variables[c.name] = c

    param = pybamm.ParameterValues(values)
    param.process_model(model)
    param.process_geometry(geometry)
    mesh_obj = pybamm.Mesh(geometry, submesh_types, var_pts)
    disc = pybamm.Discretisation(mesh_obj, spatial_methods)
    disc.process_model(model)
    xs = {d: np.asarray(mesh_obj[d].nodes, dtype=float).copy() for d in _LAYERS}
    return ReferenceModel(model=model, params=p, x=xs, n_points_per_layer=n_points_per_layer,
                          build_info={"mesh": mesh, "stretch": stretch, "extrapolation": extrapolation})


def _output_names(ref: ReferenceModel, parts: bool) -> list[str]:
    names = ["Voltage [V]"] + [f"{l} {s} face concentration [mol.m-3]" for l in _LAYERS for s in ("left", "right")]
    if parts:
        names += [n for n in ref.model.variables.keys() if n.startswith("part ")]
    return names


def _solver(ref: ReferenceModel, rtol: float, atol: float, method: str, outputs: tuple | None):
    import pybamm

    key = (method, rtol, atol, outputs)
    s = ref.solvers.get(key)
    if s is None:
        if method == "idaklu":
            # with output_variables IDAKLU evaluates them during the solve (PyBaMM's fast path)
            kw = {"output_variables": list(outputs)} if outputs else {}
            s = pybamm.IDAKLUSolver(rtol=rtol, atol=atol, **kw)
        elif method == "casadi":
            s = pybamm.CasadiSolver(rtol=rtol, atol=atol, mode="fast")
        else:
            raise InputError("method", method, "'idaklu' or 'casadi'")
        ref.solvers[key] = s
    return s


def solve_built(ref: ReferenceModel, current_density: float, t_end: float, dt_out: float,
                rtol: float = 1e-8, atol: float = 1e-6, method: str = "idaklu",
                profiles: bool = False, parts: bool = True) -> dict[str, np.ndarray]:
    """Solve a built model at constant current density.

    Parameters
    ----------
    ref : ReferenceModel
        From :func:`build_reference`.
    current_density : float
        J [A/m2]; J > 0 drives Li+ from left to right.
    t_end, dt_out : float
        End time and output spacing [s]; outputs at 0, dt_out, ..., t_end.
    rtol, atol : float
        Solver tolerances (atol on the scaled concentration c/c0).
    method : str
        ``"idaklu"`` (``pybamm.IDAKLUSolver``, the default) or ``"casadi"``.
    profiles : bool
        Also return the concentration profiles (``c_polymer_1_mol_m3``, shape (n_t, n_x)).
    parts : bool
        Return the voltage parts (``part_*_V``); False returns only time, voltage, current
        and face concentrations (what the benchmark times).

    Returns
    -------
    dict of numpy arrays
        ``time_s``, ``voltage_V``, ``current_density_A_m2``, the four :data:`FACE_KEYS`
        [mol/m3], and the voltage parts ``part_<name>_V`` (ohmic per polymer layer,
        ceramic IR, concentration overpotential per polymer layer, one per interface),
        which sum to ``voltage_V``; plus ``x_polymer_1_m``, ``x_polymer_2_m`` (cell centres).

    Notes
    -----
    Face values are PyBaMM's boundary extrapolation using the flux condition (second order
    with ``extrapolation="quadratic"``). At t = 0 this already applies the step's flux to the
    uniform profile, so the reported faces are c0 -/+ about 3 q h / (8 D), h the face cell
    width (1.3 % at 40 cells in the SPEC §5 cell), although the exact value is c0; compare
    from the first output on.

    Raises
    ------
    SolverError
        If the solver fails or a face concentration reaches 0 (J above a layer's limiting
        current: the model is not defined past depletion).
    """
    for name, v in (("t_end", t_end), ("dt_out", dt_out), ("rtol", rtol), ("atol", atol)):
        _positive(name, v)
    if not (isinstance(current_density, (int, float)) and math.isfinite(current_density)):
        raise InputError("current_density", current_density, "a finite current density [A/m2]")
    n = int(round(t_end / dt_out))
    t_out = np.linspace(0.0, n * dt_out, n + 1)
    if t_out[-1] < t_end * (1 - 1e-12):
        t_out = np.append(t_out, t_end)
    # profiles need the full state vector; otherwise only the outputs are computed
    outputs = None if (profiles or method != "idaklu") else tuple(_output_names(ref, parts))
    solver = _solver(ref, rtol, atol, method, outputs)
    inputs = {_CURRENT: float(current_density)}
    try:
        if method == "idaklu":
            sol = solver.solve(ref.model, t_eval=[0.0, float(t_out[-1])], t_interp=t_out, inputs=inputs)
        else:
            sol = solver.solve(ref.model, t_eval=t_out, inputs=inputs)
    except Exception as exc:  # pybamm raises its own SolverError types
        raise SolverError(f"PyBaMM {method} solve failed: {exc}") from exc
    tt = np.asarray(sol.t, dtype=float)
    if tt.shape != t_out.shape:
        raise SolverError(f"PyBaMM {method} stopped at t = {tt[-1]:g} s before t_end = {t_out[-1]:g} s")

    def entries(name):
        return np.broadcast_to(np.asarray(sol[name].entries, dtype=float), tt.shape).copy()

    out: dict[str, np.ndarray] = {"time_s": tt, "voltage_V": entries("Voltage [V]"),
                                  "current_density_A_m2": np.full_like(tt, float(current_density))}
    for key, (layer, side) in zip(FACE_KEYS, [(l, s) for l in _LAYERS for s in ("left", "right")]):
        out[key] = entries(f"{layer} {side} face concentration [mol.m-3]")
    if parts:
        for name in ref.model.variables.keys():
            if name.startswith("part "):
                out["part_" + name[5:-4].replace(" to ", "_").replace(" ", "_") + "_V"] = entries(name)
    for key in FACE_KEYS:
        bad = ~(out[key] > 0)
        if bad.any():
            layer = key.split("_")[2]
            raise SolverError(f"PyBaMM reference: salt depleted at the {key.split('_')[3]} face of polymer "
                              f"{layer} at t = {tt[np.argmax(bad)]:g} s (J = {current_density:g} A/m2 is above "
                              "the limiting current of that layer); the model holds only while c > 0")
    for k, layer in enumerate(_LAYERS):
        out[f"x_polymer_{k + 1}_m"] = ref.x[layer]
        if profiles:
            out[f"c_polymer_{k + 1}_mol_m3"] = np.asarray(sol[f"{layer} salt concentration [mol.m-3]"].entries,
                                                          dtype=float).T
    return out


def solve_reference(params: Mapping[str, Any] | None = None, current_density: float = 10.0,
                    t_end: float = 3600.0, dt_out: float = 10.0, n_points_per_layer: int = 40,
                    rtol: float = 1e-8, atol: float = 1e-6, method: str = "idaklu", mesh: str = "refined",
                    stretch: float | None = None, extrapolation: str = "quadratic",
                    profiles: bool = False) -> dict[str, np.ndarray]:
    """Build and solve the three-layer galvanostatic problem in PyBaMM (one call).

    See :func:`build_reference` and :func:`solve_built` for the arguments and outputs.
    The defaults are the SPEC §5 benchmark: 1 mA/cm2 (10 A/m2) for 1 h, output every 10 s.
    """
    ref = build_reference(params, n_points_per_layer=n_points_per_layer, mesh=mesh, stretch=stretch,
                          extrapolation=extrapolation)
    return solve_built(ref, current_density, t_end, dt_out, rtol=rtol, atol=atol, method=method,
                       profiles=profiles)


def exact_face_concentration(t: np.ndarray | float, c0: float, D: float, t_plus: float, L: float,
                             current_density: float, side: str = "right", n_terms: int | None = None) -> np.ndarray:
    """Exact face concentration of one polymer layer with anion-blocking faces [mol/m3].

    physics.md §2.1.3 (constant D, t+)::

        c(L, t) = c0 - (q L / D) [ 1/2 - (4/pi^2) sum_{n odd} exp(-n^2 pi^2 D t / L^2) / n^2 ],
        q = (1 - t+) J / F

    and by symmetry c(0, t) = c0 + (the same bracket term). With J > 0 the right face
    depletes and the left face accumulates.

    Parameters
    ----------
    t : float or array
        Time [s], >= 0.
    c0, D, t_plus, L, current_density : float
        [mol/m3], [m2/s], [-], [m], [A/m2].
    side : str
        ``"right"`` (x = L) or ``"left"`` (x = 0).
    n_terms : int, optional
        Number of odd terms; by default enough for round-off at the smallest t > 0
        (at least 2000).
    """
    t = np.atleast_1d(np.asarray(t, dtype=float))
    if side not in ("left", "right"):
        raise InputError("side", side, "'left' or 'right'")
    q = (1.0 - t_plus) * current_density / F
    tau = D * t / L**2
    if n_terms is None:
        tpos = tau[tau > 0]
        # terms decay like exp(-n^2 pi^2 tau) / n^2: negligible once n > 2 / sqrt(tau)
        need = 2000 if tpos.size == 0 else int(min(2e6, max(2000, 10.0 / math.sqrt(tpos.min()))))
        n_terms = need
    n = 2 * np.arange(n_terms, dtype=float) + 1
    # sum over odd n, vectorised in chunks to bound memory
    s = np.zeros_like(tau)
    chunk = 4096
    for i in range(0, n.size, chunk):
        nn = n[i:i + chunk]
        s += (np.exp(-np.outer(tau, nn**2) * math.pi**2) / nn**2).sum(axis=1)
    bracket = 0.5 - 4.0 / math.pi**2 * s
    bracket = np.where(tau == 0, 0.0, bracket)
    delta = q * L / D * bracket
    return c0 - delta if side == "right" else c0 + delta


def params_from_stack(stack) -> dict[str, Any]:
    """Parameters of :func:`build_reference` from a cellsim Stack polymer | ceramic | polymer.

    Uses ``layer.salt_diffusivity(T)``, ``ionic_conductivity(T)``, ``transference_number()``,
    ``salt_concentration()``, ``thermodynamic_factor()`` at the stack temperature. Each
    interface maps to its SEI resistance (linear) and its Butler-Volmer exchange current
    density (``inf`` when ideal); only symmetric kinetics (alpha = 0.5) and no double
    layer are represented, as in :func:`build_reference`.
    """
    kinds = [l.kind for l in stack.layers]
    if kinds != ["polymer", "ceramic", "polymer"]:
        raise InputError("stack.layers", kinds, "three layers: polymer, ceramic, polymer")
    T = stack.temperature
    p1, cer, p2 = stack.layers
    r, i0 = [], []
    for itf in stack.interfaces:
        if itf.kind == "ideal":
            r.append(0.0)
            i0.append(math.inf)
            continue
        if itf.kind == "blocking":
            raise InputError(f"interface {itf.name!r}.kind", itf.kind, "a non-blocking interface")
        if itf.capacitance is not None or itf.cpe_q is not None:
            raise InputError(f"interface {itf.name!r}.capacitance", itf.capacitance or itf.cpe_q,
                             "no double layer (the PyBaMM reference has none)")
        e = itf.exchange_current_density(T)
        if math.isfinite(e) and itf.alpha != 0.5:
            raise InputError(f"interface {itf.name!r}.alpha", itf.alpha, "0.5 (symmetric kinetics)")
        r.append(itf._get("sei_resistance", T) or 0.0)
        i0.append(e)
    return {
        "polymer_thickness": (p1.thickness, p2.thickness),
        "ceramic_thickness": cer.thickness,
        "salt_diffusivity": (p1.salt_diffusivity(T), p2.salt_diffusivity(T)),
        "ionic_conductivity": (p1.ionic_conductivity(T), p2.ionic_conductivity(T)),
        "transference_number": (p1.transference_number(), p2.transference_number()),
        "salt_concentration": (p1.salt_concentration(), p2.salt_concentration()),
        "thermodynamic_factor": (p1.thermodynamic_factor(), p2.thermodynamic_factor()),
        "ceramic_conductivity": cer.ionic_conductivity(T),
        "temperature": T,
        "interface_resistances": tuple(r),
        "exchange_current_densities": tuple(i0),
    }


def stack_from_params(params: Mapping[str, Any] | None = None, area: float = 1e-4):
    """The cellsim Stack Li | polymer 1 | ceramic | polymer 2 | Li of the same problem.

    Constant ``ionic_conductivity`` only. Interfaces: ``ideal`` when neither an ASR nor an
    exchange current density is given, else ``charge_transfer`` (Li|polymer) or
    ``ion_transfer`` (polymer|ceramic) with ``sei_resistance`` (the linear ASR) and
    ``exchange_current_density`` (alpha = 0.5), without double layer.

    Parameters
    ----------
    params : mapping, optional
        As for :func:`build_reference`.
    area : float
        Stack area [m2] (the problem is per area; it only scales currents).
    """
    from ..materials import Material, Parameter
    from ..stack import Electrode, Interface, Layer, Stack

    p = _check_params(params)
    if any(callable(k) for k in p["ionic_conductivity"]):
        raise InputError("ionic_conductivity", "callable", "constant conductivities for a cellsim Stack")
    src = "cellsim.transport.pybamm_reference (comparison problem)"

    def par(v, unit):
        return Parameter(float(v), unit, src, "assumed")

    layers = []
    for k in range(2):
        m = Material(f"polymer-{k + 1}", label=f"polymer {k + 1}", kind="polymer", parameters={
            "ionic_conductivity": par(p["ionic_conductivity"][k], "S/m"),
            "salt_concentration": par(p["salt_concentration"][k], "mol/m3"),
            "salt_diffusivity": par(p["salt_diffusivity"][k], "m2/s"),
            "transference_number": par(p["transference_number"][k], "-"),
            "thermodynamic_factor": par(p["thermodynamic_factor"][k], "-")})
        layers.append(Layer(f"polymer {k + 1}", m, p["polymer_thickness"][k]))
    ceramic = Material("ceramic", label="ceramic", kind="ceramic",
                       parameters={"ionic_conductivity": par(p["ceramic_conductivity"], "S/m")})
    layers.insert(1, Layer("ceramic", ceramic, p["ceramic_thickness"]))
    interfaces = []
    for k, (name, r, i0) in enumerate(zip(INTERFACE_NAMES, p["interface_resistances"],
                                          p["exchange_current_densities"])):
        if r == 0 and not math.isfinite(i0):
            interfaces.append(Interface(name, "ideal"))
            continue
        kind = "charge_transfer" if k in (0, 3) else "ion_transfer"
        prm = {"sei_resistance": par(r, "ohm m2")}
        if math.isfinite(i0):
            prm["exchange_current_density"] = par(i0, "A/m2")
            prm["alpha"] = par(0.5, "-")
        interfaces.append(Interface(name, kind, prm))
    return Stack.build(layers=layers, left=Electrode("li"), right=Electrode("li"), area=area,
                       temperature=p["temperature"], interfaces=interfaces, name="pybamm-reference-cell")

"""``cellsim simulate MODEL --protocol STEPS``: time-domain transport (physics.md §2.1, §5)."""

from __future__ import annotations

from ._common import add_cell_flag, add_json_flag, format_table, load_cell, print_json


def register(sub):
    p = sub.add_parser("simulate", help="time-domain transport simulation under a protocol (plate, strip, hold, rest)")
    p.add_argument("model", help="model name (e.g. li-uvea-latp-uvea-li) or path to a model TOML")
    p.add_argument("--protocol", required=True,
                   help="steps separated by ';', e.g. \"Plate at 0.5 mA/cm2 for 1 h; Rest for 10 min; Hold at 10 mV for 2 h\"")
    p.add_argument("--dt", default=None, help="output interval, e.g. '10 s' (default: every time step)")
    p.add_argument("--cells", type=int, default=None, help="cells per polymer layer (default 40)")
    p.add_argument("--method", default=None,
                   help="time integrator of time-stepped steps: bdf2 (default), euler or sdirk4 (4th-order SDIRK)")
    p.add_argument("--spatial-order", type=int, default=None,
                   help="finite volumes of the polymer layers: 2 (default; face-refined grid) or 4 (fourth-order "
                        "compact scheme: a uniform grid, SDIRK4 for time-stepped steps; the same face accuracy "
                        "with a quarter to a third of the cells)")
    p.add_argument("--continue-after-depletion", action="store_true",
                   help="record salt depletion events and go on (default: stop at the first)")
    p.add_argument("--out", metavar="FILE.csv", help="write time_s, voltage_V, current_density_A_m2 and the voltage parts")
    p.add_argument("--plot", metavar="FILE.png", help="save a voltage / current plot")
    add_cell_flag(p, conditions=True)
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..errors import InputError
    from ..transport import SolverOptions, simulate
    from ..units import parse_quantity

    stack = load_cell(args)
    dt = parse_quantity(args.dt, "time", "--dt") if args.dt is not None else None
    if dt is not None and not dt > 0:
        raise InputError("--dt", args.dt, "an output interval > 0, e.g. '10 s'")
    kw = {}
    if args.cells is not None:
        if not 4 <= args.cells <= 100_000:
            raise InputError("--cells", args.cells, "a number of cells from 4 to 100000")
        kw["n_cells"] = args.cells
    if args.method is not None:
        from ..transport.solver import METHODS
        if args.method not in METHODS:
            raise InputError("--method", args.method, " or ".join(METHODS))
        kw["method"] = args.method
    if args.spatial_order is not None:
        if args.spatial_order not in (2, 4):
            raise InputError("--spatial-order", args.spatial_order, "2 or 4")
        if args.spatial_order == 4:
            if kw.get("method", "sdirk4") != "sdirk4":
                raise InputError("--method", args.method, "sdirk4 (or no --method) with --spatial-order 4")
            kw.update(method="sdirk4", grid_stretch=1.0, spatial_order=4)
    if args.continue_after_depletion:
        kw["on_depletion"] = "continue"
    sol = simulate(stack, args.protocol, options=SolverOptions(**kw), output_dt=dt)
    if args.out:
        from ..transport.output import write_solution_csv
        write_solution_csv(args.out, sol)
    if args.plot:
        from ..transport.output import plot_solution
        plot_solution(args.plot, sol, title=stack.title or stack.name)
    if args.json:
        d = sol.as_dict()
        d["n_points"] = int(sol.time.size)
        if args.out:
            d["out"] = args.out
        if args.plot:
            d["plot"] = args.plot
        print_json(d)
        return 0
    import numpy as np

    print(f"{stack.title or stack.name}: {len(set(sol.step.tolist()) - {-1})} protocol step(s), "
          f"{sol.time.size} points, {sol.stats.get('time_steps', 0)} time steps")
    rows = []
    for k in sorted(set(sol.step.tolist()) - {-1}):
        m = sol.step == k
        rows.append([k + 1, sol.time[m][-1] / 3600.0, sol.current_density[m][-1] * 0.1, sol.voltage[m][-1] * 1e3,
                     float(np.max(np.abs(sol.voltage[m]))) * 1e3])
    print(format_table(["step", "end [h]", "J end [mA/cm2]", "V end [mV]", "|V| max [mV]"], rows))
    if sol.events:
        print()
        print(format_table(["event", "time [s]", "layer", "detail"],
                           [[e.kind, e.time_s, e.layer or "-", e.detail] for e in sol.events]))
    return 0

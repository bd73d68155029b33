"""``cellsim eis``: predicted impedance spectrum of a model or of a circuit string."""

from __future__ import annotations

import math

from ..errors import InputError
from ._common import add_cell_flag, add_json_flag, format_table, frequency_arg, load_cell, parse_params, parse_temperature, print_json

DEFAULT_FMAX = 3e6  # Hz, the seed's upper limit
DEFAULT_FMIN = 1.0  # Hz
POINTS_PER_DECADE = 10
#: Above this many points ``cellsim eis`` writes to --out instead of printing the table.
PRINT_LIMIT = 10_000


def register(sub):
    p = sub.add_parser("eis", help="predicted impedance spectrum of a cell model or of a circuit",
                       description="Predicted EIS from the composed equivalent circuit of MODEL, from "
                                   "--circuit/--params, or (--physics) from the linearised transport model. "
                                   "Default: 3 MHz to 1 Hz at 10 points per decade, like the seed.")
    p.add_argument("model", nargs="?", help="model name (e.g. li-uvea-latp-uvea-li) or path to a model TOML")
    p.add_argument("--circuit", metavar="STR", help="circuit string, e.g. 'R0-p(R1,CPE1)'")
    p.add_argument("--params", metavar="P0,P1,...",
                   help="parameter values in circuit order (SI: ohm, F, s, ...), or NAME=VALUE pairs "
                        "(with a MODEL: overrides of the composed values)")
    p.add_argument("--fmin", default=None, help="lowest frequency, e.g. 1, '10 mHz' (default 1 Hz)")
    p.add_argument("--fmax", default=None, help="highest frequency, e.g. 3e6, '3 MHz' (default 3 MHz)")
    p.add_argument("--points", type=int, default=None, help="total number of log-spaced points (default: 10 per decade)")
    p.add_argument("--temperature", metavar="T", help="temperature for a MODEL, e.g. '60 degC' "
                                                      "(same as --cell temperature=T)")
    add_cell_flag(p)
    p.add_argument("--out", metavar="FILE.csv", help="write frequency_Hz,z_real_ohm,z_imag_ohm")
    p.add_argument("--plot", metavar="FILE.png", help="save a Nyquist plot")
    p.add_argument("--bode", metavar="FILE.png", help="save a Bode plot")
    p.add_argument("--physics", action="store_true", help="impedance of the linearised transport model instead of the circuit")
    p.add_argument("--bias", metavar="J", default=None,
                   help="with --physics: DC current density of the steady state the model is linearised about, "
                        "e.g. '1 mA/cm2' (default: rest)")
    p.add_argument("--cells", type=int, default=None,
                   help="with --physics: finite volumes per salt-carrying layer (default 200)")
    add_json_flag(p)
    return p


def _frequency(text, default: float, field: str) -> float:
    v = frequency_arg(text, field)
    return default if v is None else v


def frequencies(fmin=None, fmax=None, points=None):
    """Log-spaced frequencies from fmax down to fmin [Hz] (descending, like instruments)."""
    from ..frequencies import log_frequencies

    lo = _frequency(fmin, DEFAULT_FMIN, "--fmin")
    hi = _frequency(fmax, DEFAULT_FMAX, "--fmax")
    if lo > hi:
        raise InputError("--fmin", fmin, f"a frequency below --fmax = {hi:g} Hz")
    if points is None:
        points = max(1, int(round(POINTS_PER_DECADE * math.log10(hi / lo))) + 1)
    if points < 1 or points > 10_000_000:
        raise InputError("--points", points, "a count from 1 to 10000000")
    if lo == hi and points > 1:
        raise InputError("--fmin", fmin, f"a frequency below --fmax = {hi:g} Hz when --points > 1")
    return log_frequencies(hi, lo, points)


def run(args) -> int:
    import numpy as np

    from ..circuits import Circuit

    if args.model and args.circuit:
        raise InputError("--circuit", args.circuit, "either a MODEL or --circuit, not both")
    if not args.model and not args.circuit:
        raise InputError("model", None, "a MODEL name/path or --circuit STR --params P0,P1,...")
    f = frequencies(args.fmin, args.fmax, args.points)
    if f.size > PRINT_LIMIT and not args.out:
        raise InputError("--points", args.points, f"at most {PRINT_LIMIT:,} points printed to the terminal; "
                         f"write {f.size:,} points to a file with --out FILE.csv")
    result = {"frequency_Hz": f}
    provenance = None
    if not args.physics:
        for flag, value in (("--bias", args.bias), ("--cells", args.cells)):
            if value is not None:
                raise InputError(flag, value, "only together with --physics")
    if args.circuit:
        if args.physics:
            raise InputError("--physics", True, "a MODEL (the transport model needs a cell, not a circuit)")
        for flag, value in (("--cell", args.cell), ("--temperature", args.temperature)):
            if value:
                raise InputError(flag, value, "a MODEL (cell overrides do not apply to a bare --circuit)")
        circuit = Circuit(args.circuit)
        if args.params is None:
            raise InputError("--params", None, f"{circuit.n_params} values for {', '.join(circuit.parameter_names)}")
        given = parse_params(args.params)
        if isinstance(given, list) and len(given) != circuit.n_params:
            raise InputError("--params", args.params,
                             f"{circuit.n_params} values for {', '.join(circuit.parameter_names)}, got {len(given)}")
        values = circuit.check_parameters(given)
        parameters = dict(zip(circuit.parameter_names, map(float, values)))
        title = str(circuit)
        result.update(source="circuit", model=None, method="circuit", circuit=str(circuit))
        z = circuit.impedance(f, values)
    else:
        from ..circuits import compose_circuit
        stack = load_cell(args)
        cc = compose_circuit(stack)
        circuit = cc.circuit
        parameters = dict(cc.parameters)
        provenance = cc.provenance
        if args.params:
            given = parse_params(args.params)
            if isinstance(given, list):
                raise InputError("--params", args.params, "NAME=VALUE pairs with a MODEL, names from: "
                                 + ", ".join(circuit.parameter_names))
            for k in given:
                if k not in parameters:
                    raise InputError("--params", k, "a parameter of the composed circuit: " + ", ".join(parameters))
            parameters.update(given)
            circuit.check_parameters(parameters)
        title = stack.title or stack.name
        result.update(source="model", model=stack.name, circuit=str(circuit), temperature_K=stack.temperature)
        if args.physics:
            bias = 0.0
            if args.bias is not None:
                from ..units import parse_quantity

                bias = parse_quantity(args.bias, "current_density", "--bias")
            try:
                z = _physics(stack, f, bias, args.cells)
            except InputError as exc:
                if exc.field != "bias_current_density":
                    raise
                raise InputError("--bias", args.bias, exc.allowed) from None
            result["method"] = "physics"
            result["bias_current_density_A_m2"] = bias
        else:
            z = circuit.impedance(f, parameters)
            result["method"] = "circuit"
    z = np.asarray(z, dtype=complex)
    result.update(parameters=parameters, z_real_ohm=z.real, z_imag_ohm=z.imag, n_points=int(f.size))
    if args.out:
        write_csv(args.out, f, z)
        result["out"] = args.out
    if args.plot or args.bode:
        from .. import plotting

        label = f"{title} ({result['method']})"
        for path, fn in ((args.plot, plotting.nyquist), (args.bode, plotting.bode)):
            if path:
                fig = fn([(f, z, label)], path, title=title)
                import matplotlib.pyplot as plt

                plt.close(fig)
        if args.plot:
            result["plot"] = args.plot
        if args.bode:
            result["bode"] = args.bode
    large = f.size > PRINT_LIMIT
    if large:  # the arrays are in the --out file, not on the terminal
        for key in ("frequency_Hz", "z_real_ohm", "z_imag_ohm"):
            result.pop(key)
        result["arrays"] = f"{f.size:,} points written to {args.out} (not printed: more than {PRINT_LIMIT:,})"
    if args.json:
        print_json(result)
        return 0
    print(f"{title}: {result['circuit']}  [{result['method']}]")
    if result["method"] == "physics":
        print(f"transport model linearised at J = {result['bias_current_density_A_m2'] * 0.1:.4g} mA/cm2 "
              "(circuit parameters below for comparison)")
    units = dict(zip(circuit.parameter_names, circuit.parameter_units))
    prow = [[n, v, units[n] or "-"] + ([provenance[n].split(":")[0]] if provenance else [])
            for n, v in parameters.items()]
    print(format_table(["parameter", "value", "unit"] + (["origin"] if provenance else []), prow))
    print()
    if large:
        print(result["arrays"])
    else:
        rows = [[fk, zk.real, -zk.imag, abs(zk), math.degrees(math.atan2(zk.imag, zk.real))] for fk, zk in zip(f, z)]
        print(format_table(["f [Hz]", "Z' [ohm]", "-Z'' [ohm]", "|Z| [ohm]", "phase [deg]"], rows))
    for key in ("out", "plot", "bode"):
        if key in result:
            print(f"wrote {result[key]}")
    return 0


def _physics(stack, f, bias: float = 0.0, cells: int | None = None):
    """Z [ohm] of the linearised transport model (:mod:`cellsim.transport.smallsignal`)."""
    from ..transport.smallsignal import DEFAULT_CELLS, transport_impedance

    if cells is not None and not 2 <= cells <= 100_000:
        raise InputError("--cells", cells, "a number of cells from 2 to 100000")
    return transport_impedance(stack, f, bias_current_density=bias,
                               n_cells=DEFAULT_CELLS if cells is None else cells)


def write_csv(path, f, z) -> None:
    """Write ``frequency_Hz,z_real_ohm,z_imag_ohm`` atomically."""
    from ..files import atomic_write_text, existing_directory

    existing_directory(path, "--out")
    rows = "".join(f"{fk:.12g},{zk.real:.12g},{zk.imag:.12g}\n" for fk, zk in zip(f, z))
    atomic_write_text(path, "frequency_Hz,z_real_ohm,z_imag_ohm\n" + rows)

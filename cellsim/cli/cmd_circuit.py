"""``cellsim circuit MODEL``: the equivalent circuit composed from a cell model."""

from __future__ import annotations

from ._common import add_cell_flag, add_json_flag, format_table, load_cell, parse_temperature, print_json  # noqa: F401 (parse_temperature re-exported)


def register(sub):
    p = sub.add_parser("circuit", help="equivalent circuit composed from a cell model, with parameter values and sources")
    p.add_argument("model", help="model name (e.g. li-uvea-latp-uvea-li) or path to a model TOML")
    p.add_argument("--temperature", metavar="T", help="temperature, e.g. '60 degC' (default: the model's; "
                                                      "same as --cell temperature=T)")
    add_cell_flag(p)
    p.add_argument("--no-leakage", action="store_true", help="leave out electronic leakage paths")
    p.add_argument("--provenance", action="store_true", help="print the full source of every parameter")
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..circuits import compose_circuit
    stack = load_cell(args)
    cc = compose_circuit(stack, leakage=not args.no_leakage)
    if args.json:
        print_json({
            "model": stack.name,
            "temperature_K": stack.temperature,
            "pressure_Pa": stack.pressure,
            "circuit": str(cc.circuit),
            "parameters": cc.parameters,
            "units": cc.units,
            "provenance": cc.provenance,
            "groups": [{"kind": g.kind, "where": g.where, "elements": g.text, "tau_s": g.tau,
                        "resistance_ohm": g.resistance} for g in cc.groups],
            "notes": cc.notes,
        })
        return 0
    print(f"{stack.title or stack.name}: {cc.circuit}")
    print()
    rows = []
    for name, value in cc.parameters.items():
        what = cc.provenance[name] if args.provenance else cc.provenance[name].split(":")[0]
        rows.append([name, value, cc.units[name] or "-", what])
    print(format_table(["parameter", "value", "unit", "origin"], rows))
    print()
    grows = [[g.kind, g.where, g.text, g.tau, g.resistance] for g in cc.groups]
    print(format_table(["group", "where", "elements", "tau [s]", "R [ohm]"], grows))
    for n in cc.notes:
        print(f"note: {n}")
    return 0

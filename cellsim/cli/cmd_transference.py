"""``cellsim transference MODEL --dv 10mV``: simulated Bruce-Vincent experiment (physics.md §2.2)."""

from __future__ import annotations

from ._common import add_cell_flag, add_json_flag, format_table, load_cell, print_json


def register(sub):
    p = sub.add_parser("transference", help="simulated Bruce-Vincent t+ measurement (apparent t+ for a sandwich)")
    p.add_argument("model", help="model name (e.g. li-uvea-li) or path to a model TOML")
    p.add_argument("--dv", default="10 mV", help="potentiostatic step (default 10 mV)")
    p.add_argument("--duration", default=None, help="hold time, e.g. '5 h' (default: to steady state)")
    add_cell_flag(p)
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..errors import InputError
    from ..transport.lab import bruce_vincent
    from ..units import parse_quantity

    stack = load_cell(args)
    dv = parse_quantity(args.dv, "voltage", "--dv")
    if not dv > 0:
        raise InputError("--dv", args.dv, "a voltage step > 0, e.g. 10 mV")
    duration = parse_quantity(args.duration, "time", "--duration") if args.duration is not None else None
    if duration is not None and not duration > 0:
        raise InputError("--duration", args.duration, "a hold time > 0, e.g. '5 h'")
    r = bruce_vincent(stack, dv=dv, duration=duration)
    if args.json:
        print_json(r.as_dict())
        return 0
    n_poly = len(stack.polymer_layers())
    label = "t+ (Bruce-Vincent)" if n_poly == 1 and len(stack.layers) == 1 else "apparent t+ (sandwich, Bruce-Vincent)"
    print(f"{stack.title or stack.name}: {dv * 1e3:.4g} mV held {r.duration_s / 3600:.3g} h")
    rows = [[label, r.t_plus], ["I0 [uA]", r.i0_A * 1e6], ["Iss [uA]", r.iss_A * 1e6],
            ["R0 interfacial [ohm]", r.r0_ohm], ["Rss interfacial [ohm]", r.rss_ohm]]
    print(format_table(["quantity", "value"], rows, floatfmt=".4g"))
    return 0

"""``cellsim polarize MODEL --currents 0.1,1,2uA``: current steps and DC resistance (seed Table S1)."""

from __future__ import annotations

from ._common import add_cell_flag, add_json_flag, format_table, load_cell, print_json


def register(sub):
    p = sub.add_parser("polarize", help="voltage response to current steps and the DC resistance between them (Table S1)")
    p.add_argument("model", help="model name (e.g. li-uvea-li) or path to a model TOML")
    p.add_argument("--currents", required=True,
                   help="comma-separated currents with one unit at the end, e.g. 0.1,1,2,4uA (or each with a unit)")
    p.add_argument("--hold", default=None, help="duration of each step, e.g. '1 h' (default: to steady state)")
    add_cell_flag(p, conditions=True)
    add_json_flag(p)
    return p


def parse_currents(text: str) -> list[float]:
    """``"0.1,1,2uA"`` or ``"0.1 uA, 1 uA"`` -> currents [A]; the last unit applies to bare numbers."""
    import re

    from ..errors import InputError
    from ..units import parse_quantity

    items = [s.strip() for s in str(text).split(",") if s.strip()]
    if not items:
        raise InputError("--currents", text, "comma-separated currents, e.g. 0.1,1,2uA")
    m = re.match(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*(.*)$", items[-1])
    unit = m.group(1) if m else ""
    if not unit:
        raise InputError("--currents", text, "currents with a unit, e.g. 0.1,1,2uA")
    out = []
    for s in items:
        bare = re.fullmatch(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?", s)
        out.append(parse_quantity(f"{s} {unit}" if bare else s, "current", "--currents"))
    return out


def run(args) -> int:
    from ..errors import InputError
    from ..transport.lab import polarize
    from ..units import parse_quantity

    stack = load_cell(args)
    currents = parse_currents(args.currents)
    hold = parse_quantity(args.hold, "time", "--hold") if args.hold is not None else None
    if hold is not None and not hold > 0:
        raise InputError("--hold", args.hold, "a step duration > 0, e.g. '1 h'")
    res = polarize(stack, currents, hold=hold)
    if args.json:
        print_json(res.as_dict())
        return 0
    print(f"{stack.title or stack.name}: each step held {res.hold_s:.4g} s "
          f"({'steady state' if args.hold is None else 'as given'}), consecutive, no rest")
    rows = []
    for k, (i, v) in enumerate(zip(res.currents_A, res.voltages_V)):
        dcr = None if k == 0 else res.dcr_ohm[k - 1] / 1e3
        rows.append([f"I{k + 1}", i * 1e6, v * 1e3, dcr])
    print(format_table(["step", "I [uA]", "V [mV]", "DCR [kohm]"], rows, floatfmt=".4g"))
    return 0

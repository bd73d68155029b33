"""``cellsim model new OUT.toml --layers uvea:100um,latp:400um,uvea:100um --area 1.33cm2``: a model file
from the command line."""

from __future__ import annotations

from ._common import add_json_flag, print_json


def register(sub):
    p = sub.add_parser("model", help="write a cell model file from the command line (cellsim model new ...)",
                       description="Model files. 'cellsim model new OUT.toml --layers ... --area ...' writes a "
                                   "model whose every value is marked as user input (status assumed); interfaces "
                                   "are the library defaults for the neighbours.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    n = actions.add_parser("new", help="write a new model file")
    n.add_argument("out", metavar="OUT.toml", help="model file to write")
    n.add_argument("--layers", required=True, metavar="MAT:L,...",
                   help="layers from left to right as MATERIAL:THICKNESS, e.g. uvea:100um,latp:400um,uvea:100um "
                        "(materials from 'cellsim materials')")
    n.add_argument("--area", required=True, help="electrode area, e.g. 1.33cm2")
    n.add_argument("--electrodes", default="li,li", metavar="LEFT,RIGHT",
                   help="electrode kinds li, ss, cu, nmc811 (default li,li)")
    n.add_argument("--temperature", default=None, help="cell temperature, e.g. 22degC (default: 22 degC)")
    n.add_argument("--pressure", default=None, help="stack pressure, e.g. 20MPa (default: none)")
    n.add_argument("--title", default="", help="title of the cell (default: from the layers)")
    n.add_argument("--force", action="store_true", help="overwrite OUT.toml if it exists")
    add_json_flag(n)
    return p


def run(args) -> int:
    from pathlib import Path

    from ..errors import InputError
    from ..modelfile import check_model_text, model_text, parse_layers, write_text_atomic
    from ..units import to_unit

    if getattr(args, "action", None) != "new":
        raise InputError("ACTION", args.action, "new (e.g. cellsim model new OUT.toml --layers uvea:100um --area 1cm2)")
    out = Path(args.out)
    if out.suffix.lower() != ".toml":
        raise InputError("OUT.toml", args.out, "a file name ending in .toml")
    if out.exists() and not args.force:
        raise InputError("OUT.toml", args.out, "a file that does not exist yet (or --force to overwrite)")
    electrodes = [s.strip().lower() for s in args.electrodes.split(",")]
    if len(electrodes) != 2 or not all(electrodes):
        raise InputError("--electrodes", args.electrodes, "two electrode kinds LEFT,RIGHT, e.g. li,li or li,nmc811")
    text = model_text(parse_layers(args.layers), args.area, tuple(electrodes), args.temperature, args.pressure,
                      args.title)
    stack = check_model_text(text, str(out))
    write_text_atomic(out, text)
    if args.json:
        print_json({"out": str(out), "model": stack.name, "layers": [{"name": l.name, "material": l.material.name,
                                                                       "thickness_m": l.thickness}
                                                                      for l in stack.layers],
                    "area_m2": stack.area, "temperature_K": stack.temperature, "pressure_Pa": stack.pressure,
                    "total_thickness_m": stack.total_thickness})
        return 0
    print(f"wrote {out}: {stack.label}, {to_unit(stack.total_thickness, 'um'):.4g} um, "
          f"{to_unit(stack.area, 'cm2'):.4g} cm2 (try: cellsim info {out})")
    return 0

"""``cellsim info MODEL``: the stack summary."""

from __future__ import annotations

from ._common import add_cell_flag, add_json_flag, format_table, load_cell, print_json


def register(sub):
    p = sub.add_parser("info", help="summary of a cell model: layers, resistances, conductivities")
    p.add_argument("model", help="model name (e.g. li-uvea-latp-uvea-li) or path to a model TOML")
    add_cell_flag(p)
    add_json_flag(p)
    return p


def run(args) -> int:
    from ..summary import stack_summary
    from ..units import to_unit

    stack = load_cell(args)
    s = stack_summary(stack)
    from ..uncertainty.space import discover

    uncertain = discover(stack, shortcircuit=False)
    s["uncertain_parameters"] = [p.to_dict() for p in uncertain.parameters]
    if args.json:
        print_json(s)
        return 0
    print(f"{s['title']}   [{s['source_file']}]")
    print(f"area {to_unit(s['area_m2'], 'cm2'):.4g} cm2, temperature {s['temperature_K']:.2f} K, "
          f"pressure {to_unit(s['pressure_Pa'], 'MPa'):.4g} MPa, "
          f"electrolyte thickness {to_unit(s['total_thickness_m'], 'um'):.4g} um")
    rows = []
    for l in s["layers"]:
        rows.append([l["name"], l["kind"], l["material"], to_unit(l["thickness_m"], "um"),
                     to_unit(l["ionic_conductivity_S_m"], "mS/cm"),
                     l["bulk_resistance_ohm"], None if l["asr_ohm_m2"] is None else to_unit(l["asr_ohm_m2"], "ohm cm2"),
                     None if "limiting_current_density_A_m2" not in l else to_unit(l["limiting_current_density_A_m2"], "mA/cm2")])
    print(format_table(["layer", "kind", "material", "L [um]", "sigma [mS/cm]", "R_b [ohm]", "ASR [ohm cm2]",
                        "J_lim [mA/cm2]"], rows))
    print()
    irows = [[i["name"], i["kind"], to_unit(i["asr_ohm_m2"], "ohm cm2"), i["resistance_ohm"]] for i in s["interfaces"]]
    print(format_table(["interface", "kind", "ASR [ohm cm2]", "R [ohm]"], irows))
    print()
    print(f"total bulk resistance      {s['total_bulk_resistance_ohm']:.4g} ohm")
    print(f"apparent conductivity      {to_unit(s['apparent_conductivity_S_m'], 'mS/cm'):.4g} mS/cm")
    if "naive_series_conductivity_S_m" in s:
        print(f"naive series (bulk ceramic) {to_unit(s['naive_series_conductivity_S_m'], 'mS/cm'):.4g} mS/cm")
        for l in s["layers"]:
            if l["kind"] == "composite":
                print(f"  {l['name']}: polymer fraction (implied porosity) {l['polymer_fraction']:.3f} "
                      f"[{l['polymer_fraction_status']}: {l['polymer_fraction_source']}]")
    r_e = s["electronic_resistance_ohm"]
    print(f"electronic resistance      {'inf' if r_e is None else format(r_e, '.4g')} ohm")
    if uncertain.parameters:
        print()
        urows = [[p.name, p.value, p.unit or "-", p.status or "-", p.range.describe()] for p in uncertain.parameters]
        print(format_table(["uncertain parameter", "value [SI]", "SI unit", "status", "range"], urows))
        print("(short-circuit parameters: parameters/shortcircuit.toml; `cellsim uncertainty MODEL --output ...` "
              "propagates all of them)")
    return 0

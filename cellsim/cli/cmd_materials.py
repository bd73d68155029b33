"""``cellsim materials``: the materials library with values and sources."""

from __future__ import annotations

from ._common import add_json_flag, format_table, print_json


def register(sub):
    p = sub.add_parser("materials", help="list the materials library (values with units and sources)")
    p.add_argument("name", nargs="?", help="show every parameter of one material")
    add_json_flag(p)
    return p


def _entry(m) -> dict:
    def val(k):
        return m.get(k) if m.has(k) else None

    def src(k):
        return m.parameter(k).source if m.has(k) else None

    return {
        "name": m.name,
        "label": m.label,
        "formula": m.formula,
        "kind": m.kind,
        "ionic_conductivity_S_m": val("ionic_conductivity"),
        "electronic_conductivity_S_m": val("electronic_conductivity"),
        "source": src("ionic_conductivity"),
        "electronic_source": src("electronic_conductivity"),
        "scarcest_element": m.info.get("scarcest_element"),
        "abundance_ppm": val("abundance"),
        "cost_usd_kg": val("cost"),
        "li_contact": m.info.get("li_contact"),
        "source_file": m.source_file,
        "parameters": {k: {"value": p.value, "unit": p.unit, "source": p.source, "status": p.status,
                           "temperature_law": type(p.law).__name__ if p.law is not None else None,
                           "range": p.range.to_dict() if p.range is not None else None}
                       for k, p in m.parameters.items()},
    }


def run(args) -> int:
    from ..library import list_materials, load_material
    from ..units import to_unit

    names = [args.name] if args.name else list_materials()
    mats = [load_material(n) for n in names]
    if args.json:
        print_json({"materials": [_entry(m) for m in mats]})
        return 0
    if args.name:
        m = mats[0]
        print(f"{m.label} ({m.formula}), kind {m.kind}: {m.description}")
        rows = [[k, p.value, p.unit, p.status, p.range.describe() if p.range is not None else None, p.source]
                for k, p in m.parameters.items()]
        print(format_table(["parameter", "value", "SI unit", "status", "range", "source"], rows))
        for k, v in m.info.items():
            print(f"  {k}: {v}")
        return 0
    rows = []
    for m in mats:
        si = m.get("ionic_conductivity") if m.has("ionic_conductivity") else None
        se = m.get("electronic_conductivity") if m.has("electronic_conductivity") else None
        rows.append([m.name, m.label, m.kind, None if si is None else to_unit(si, "mS/cm"),
                     None if se is None else to_unit(se, "mS/cm"), m.info.get("scarcest_element"),
                     m.parameter("ionic_conductivity").status if m.has("ionic_conductivity") else None,
                     sum(p.range is not None for p in m.parameters.values())])
    print(format_table(["name", "label", "kind", "sigma_ion [mS/cm]", "sigma_e [mS/cm]", "scarcest", "status",
                        "ranges"], rows))
    print("ranges = parameters with an uncertainty range (see `cellsim materials NAME`)")
    return 0

"""Model files: a cell described in TOML, loaded into a :class:`~cellsim.stack.Stack`.

A model names materials from ``parameters/`` and may override any of their properties
inline. Every number carries a unit and a source. Example (``models/li-uvea-latp-uvea-li.toml``)::

    [cell]
    title = "Li | UVEA | LATP | UVEA | Li"
    area = { value = "1.33 cm2", source = "13 mm die (seed methods)", status = "seed" }
    temperature = { value = "22 degC", source = "seed: RT = 22 degC", status = "seed" }

    [electrodes.left]
    kind = "li"
    [electrodes.right]
    kind = "li"

    [[layers]]
    name = "UVEA-1"
    material = "uvea"
    thickness = { value = "100 um", source = "...", status = "assumed" }

    [[layers]]
    name = "LATP"
    kind = "composite"
    thickness = { value = "400 um", source = "seed methods", status = "seed" }
    [layers.composite]
    polymer = "uvea"
    ceramic = "latp"
    polymer_fraction = { value = 0.5, source = "calibrated", status = "calibrated" }
    model = "bruggeman"

    [[interfaces]]
    between = ["Li", "UVEA-1"]          # or: at = 0
    kind = "charge_transfer"
    [interfaces.parameters]
    resistance = { value = "150 ohm cm2", source = "...", status = "calibrated" }
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from .errors import CellsimError, FileFormatError, InputError, NotFoundError
from .library import load_material
from .materials import STATUSES, Material, parse_parameter, parse_parameter_table
from .paths import data_dir, read_toml, resolve_shipped, shipped_files
from .units import parse_quantity
from .properties import (ELECTRODE_PROPERTIES, INTERFACE_PROPERTIES, MATERIAL_PROPERTIES, PropertySpec)
from .stack import Composite, Electrode, Interface, Layer, Stack

_LENGTH = PropertySpec("length", "m", 0, low_open=True)
_AREA = PropertySpec("area", "m2", 0, low_open=True)
_TEMPERATURE = PropertySpec("temperature", "K", 0, low_open=True)
_PRESSURE = PropertySpec("pressure", "Pa", 0)
_FRACTION = PropertySpec("dimensionless", "-", 0, 1)


def model_files() -> dict[str, Path]:
    """Map of model name -> path of every shipped model file."""
    return shipped_files(data_dir("models"))


def list_models() -> list[str]:
    """Names of the shipped models."""
    return sorted(model_files())


def resolve_model(name: str | Path) -> Path:
    """Path of a model given as a path or as a bare name like ``li-uvea-latp-uvea-li``."""
    return resolve_shipped(name, model_files(), "model", "models")


def load_model(name: str | Path) -> Stack:
    """Load a model file (path or shipped name) into a :class:`Stack`.

    Raises
    ------
    NotFoundError
        Unknown model or material.
    FileFormatError
        Malformed TOML (with the line).
    InputError
        A value is missing, has the wrong unit or is out of range (with file and line).
    """
    path = resolve_model(name)
    where = str(path)
    if path.suffix.lower() != ".toml":
        spectrum_error = _refuse_data_file(path)
        try:
            data = read_toml(path)
        except FileFormatError as exc:
            raise FileFormatError(where, f"is neither a cell model (a TOML file; here: {exc}) nor a readable "
                                         f"impedance spectrum ({spectrum_error})") from None
    else:
        data = read_toml(path)
    try:
        return stack_from_table(data, where, path.stem)
    except InputError as exc:
        line = _find_line(path, exc)
        if line is not None and exc.where == where:
            exc.args = (str(exc).replace(f"{where}: ", f"{where}:{line}: ", 1),)
        raise


def _refuse_data_file(path: Path) -> str:
    """Raise a clear FileFormatError when ``path`` is a measured spectrum rather than a model;
    else return why it is not one."""
    from .data import read_spectra

    try:
        spectra = read_spectra(path)
    except CellsimError as exc:
        return str(exc)  # not a readable spectrum: the TOML reader says what is wrong
    n = sum(s.n_points for s in spectra)
    raise FileFormatError(str(path), f"is a measured impedance spectrum ({spectra[0].format}, {n} points in "
                                     f"{len(spectra)} loop(s)), not a cell model; try `cellsim read {path}`, "
                                     f"`cellsim fit {path} --circuit ...` or `cellsim validate MODEL {path}` "
                                     "(a model is a TOML file: write one with `cellsim model new`, or name a shipped one such as li-uvea-li)")


def _find_line(path: Path, exc: InputError) -> int | None:
    """Best-effort line of the offending value (TOML parsers do not keep positions)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    needles = []
    if isinstance(exc.value, str) and exc.value:
        needles.append(exc.value)
    elif exc.value is not None:
        needles.append(str(exc.value))
    last = re.split(r"[.\[\]]", exc.field.strip("."))
    last = [x for x in last if x]
    if last:
        needles.append(last[-1].split(" ")[-1].strip("'\""))
    for needle in needles:
        for i, text in enumerate(lines, 1):
            if needle and needle in text and not text.lstrip().startswith("#"):
                return i
    return None


def _table(x: Any, field_name: str, where: str) -> Mapping[str, Any]:
    if x is None:
        return {}
    if not isinstance(x, Mapping):
        raise InputError(field_name, x, "a table", where)
    return x


def _value(raw: Any, spec: PropertySpec, field_name: str, where: str, ranges: dict | None = None,
           key: str = "") -> tuple[float, str, str]:
    p = parse_parameter(field_name, raw, spec, field_name, where, default_source="model file " + Path(where).name)
    if ranges is not None and p.range is not None:
        ranges[key or field_name] = p.range
    return p.value, p.source, p.status


def _material(name: Any, overrides: Mapping[str, Any], field_name: str, where: str) -> Material:
    if not isinstance(name, str):
        raise InputError(field_name, name, "a material name from the library (see `cellsim materials`)", where)
    try:
        mat = load_material(name)
    except NotFoundError as exc:
        raise NotFoundError(f"{_where_line(where, name)}: {field_name}: {exc}") from None
    if overrides:
        params = parse_parameter_table(overrides, MATERIAL_PROPERTIES, f"{field_name.rsplit('.', 1)[0]}.parameters", where)
        # keep the library's temperature law when an override gives only a value
        for k, p in list(params.items()):
            old = mat.parameters.get(k)
            if p.law is None and old is not None and old.law is not None:
                params[k] = replace(p, law=old.law)
        mat = mat.with_parameters(**params)
    return mat


def _where_line(where: str, value: str) -> str:
    """``where`` with the 1-based line of the first (non-comment) line that quotes ``value``."""
    try:
        lines = Path(where).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return where
    for i, text in enumerate(lines, 1):
        if not text.lstrip().startswith("#") and (f'"{value}"' in text or f"'{value}'" in text):
            return f"{where}:{i}"
    return where


def _electrode(raw: Any, side: str, where: str) -> Electrode:
    t = _table(raw, f"electrodes.{side}", where)
    kind = t.get("kind")
    if kind is None:
        raise InputError(f"electrodes.{side}.kind", None, "one of li, ss, cu, nmc811", where)
    params_raw = {k: v for k, v in t.items() if k not in ("kind", "label", "note")}
    params = parse_parameter_table(params_raw, ELECTRODE_PROPERTIES, f"electrodes.{side}", where,
                                   default_source="model file " + Path(where).name)
    try:
        return Electrode(str(kind).lower(), params)
    except InputError as exc:
        raise InputError(f"electrodes.{side}.{exc.field.split('.')[-1]}", exc.value, exc.allowed, where) from None


def _layer(raw: Any, i: int, where: str, ranges: dict | None = None) -> Layer:
    t = _table(raw, f"layers[{i}]", where)
    name = t.get("name") or f"layer-{i + 1}"
    fld = f"layers[{i}] ({name})"
    if "thickness" not in t:
        raise InputError(f"{fld}.thickness", None, "a thickness with a unit, e.g. \"100 um\"", where)
    thickness, tsrc, tstat = _value(t["thickness"], _LENGTH, f"{fld}.thickness", where, ranges,
                                    f"layers.{name}.thickness")
    kind = t.get("kind", "")
    overrides = _table(t.get("parameters"), f"{fld}.parameters", where)
    comp_raw = t.get("composite")
    composite = None
    if comp_raw is not None or kind == "composite":
        c = _table(comp_raw, f"{fld}.composite", where)
        for key in ("polymer", "ceramic", "polymer_fraction"):
            if key not in c:
                raise InputError(f"{fld}.composite.{key}", None, "a value (polymer and ceramic materials, polymer_fraction)", where)
        polymer = _material(c["polymer"], _table(c.get("polymer_parameters"), f"{fld}.composite.polymer_parameters", where),
                            f"{fld}.composite.polymer", where)
        ceramic = _material(c["ceramic"], overrides, f"{fld}.composite.ceramic", where)
        frac, fsrc, fstat = _value(c["polymer_fraction"], _FRACTION, f"{fld}.composite.polymer_fraction", where,
                                   ranges, f"layers.{name}.polymer_fraction")
        params = {}
        for k, v in _table(c.get("params"), f"{fld}.composite.params", where).items():
            dim = "conductivity" if k == "shell_conductivity" else "dimensionless"
            params[k] = parse_quantity(v, dim, f"{fld}.composite.params.{k}", where)
        composite = Composite(polymer, ceramic, frac, str(c.get("model", "bruggeman")), params, fsrc, fstat)
        material = ceramic
        kind = "composite"
    else:
        material = _material(t.get("material"), overrides, f"{fld}.material", where)
    try:
        return Layer(str(name), material, thickness, kind, composite, tsrc, tstat)
    except InputError as exc:
        if exc.where:
            raise
        raise InputError(exc.field.replace(f"layer {name!r}", fld), exc.value, exc.allowed, where) from None


def _interfaces(raw: Any, layers: list[Layer], left: Electrode, right: Electrode, where: str) -> dict[int, Interface]:
    if raw is None:
        return {}
    if not isinstance(raw, list):
        raise InputError("interfaces", raw, "an array of tables [[interfaces]]", where)
    names = [left.label.lower(), *(l.name.lower() for l in layers), right.label.lower()]
    out: dict[int, Interface] = {}
    for k, entry in enumerate(raw):
        t = _table(entry, f"interfaces[{k}]", where)
        if "at" in t:
            pos = t["at"]
            if not isinstance(pos, int) or not 0 <= pos <= len(layers):
                raise InputError(f"interfaces[{k}].at", pos, f"an integer position 0..{len(layers)}", where)
        elif "between" in t:
            pair = t["between"]
            if not (isinstance(pair, list) and len(pair) == 2 and all(isinstance(x, str) for x in pair)):
                raise InputError(f"interfaces[{k}].between", pair, "two neighbour names, e.g. [\"Li\", \"UVEA-1\"]", where)
            a, b = (x.lower() for x in pair)
            if a == "left":
                a = names[0]
            if b == "right":
                b = names[-1]
            pos = None
            for j in range(len(names) - 1):
                if (names[j], names[j + 1]) in ((a, b), (b, a)):
                    pos = j
                    break
            if pos is None:
                raise InputError(f"interfaces[{k}].between", pair, "two adjacent names among " + ", ".join(names), where)
        else:
            raise InputError(f"interfaces[{k}]", dict(t), "'at = N' or 'between = [A, B]'", where)
        if pos in out:
            raise InputError(f"interfaces[{k}]", pos, "each interface given once", where)
        chain = [left, *layers, right]
        from .stack import default_interface, default_interface_kind
        base = default_interface(chain[pos], chain[pos + 1])
        kind = str(t.get("kind", default_interface_kind(chain[pos], chain[pos + 1])))
        params = dict(base.parameters) if kind == base.kind else {}
        params.update(parse_parameter_table(_table(t.get("parameters"), f"interfaces[{k}].parameters", where),
                                            INTERFACE_PROPERTIES, f"interfaces[{k}].parameters", where))
        try:
            out[pos] = Interface(str(t.get("name", base.name)), kind, params)
        except InputError as exc:
            raise InputError(f"interfaces[{k}].{exc.field.split('.')[-1]}", exc.value, exc.allowed, where) from None
    return out


def stack_from_table(data: Mapping[str, Any], where: str, name: str = "stack") -> Stack:
    """Build a :class:`Stack` from a parsed model document (see module docstring)."""
    known = {"cell", "conditions", "electrodes", "layers", "interfaces", "seed", "notes"}
    for key in data:
        if key not in known:
            raise InputError(key, "[" + key + "]", "one of the tables " + ", ".join(sorted(known)), where)
    cell = _table(data.get("cell"), "cell", where)
    if "area" not in cell:
        raise InputError("cell.area", None, "an area with a unit, e.g. \"1.33 cm2\"", where)
    ranges: dict = {}
    area, asrc, _ = _value(cell["area"], _AREA, "cell.area", where, ranges, "area")
    cond = _table(data.get("conditions"), "conditions", where)
    for key in cond:
        if key not in ("temperature", "pressure"):
            raise InputError(f"conditions.{key}", cond[key], "temperature or pressure", where)
    if "temperature" in cell and "temperature" in cond:
        raise InputError("conditions.temperature", cond["temperature"],
                         "one temperature: in [cell] or in [conditions], not both", where)
    if "temperature" in cell or "temperature" in cond:
        tab, key = (cell, "cell.temperature") if "temperature" in cell else (cond, "conditions.temperature")
        T, tsrc, _ = _value(tab["temperature"], _TEMPERATURE, key, where, ranges, "temperature")
    else:
        T, tsrc = 295.15, "default: the seed's room temperature, 22 degC"
    if "pressure" in cond:
        P, psrc, _ = _value(cond["pressure"], _PRESSURE, "conditions.pressure", where, ranges, "pressure")
    else:
        P, psrc = 0.0, "default: no stack pressure given (0 Pa)"
    el = _table(data.get("electrodes"), "electrodes", where)
    left = _electrode(el.get("left"), "left", where)
    right = _electrode(el.get("right"), "right", where)
    raw_layers = data.get("layers")
    if not isinstance(raw_layers, list) or not raw_layers:
        raise InputError("layers", raw_layers, "at least one [[layers]] table", where)
    layers = [_layer(x, i, where, ranges) for i, x in enumerate(raw_layers)]
    interfaces = _interfaces(data.get("interfaces"), layers, left, right, where)
    try:
        return Stack.build(layers, left, right, area, T, interfaces, pressure=P, name=str(cell.get("name", name)),
                           title=str(cell.get("title", "")), description=str(cell.get("description", "")),
                           provenance={"area": asrc, "temperature": tsrc, "pressure": psrc}, source_file=where,
                           ranges=ranges,
                           seed=dict(_table(data.get("seed"), "seed", where)))
    except CellsimError as exc:
        if isinstance(exc, InputError) and not exc.where:
            raise InputError(exc.field, exc.value, exc.allowed, where) from None
        raise

"""Write a model file from a few user inputs (``cellsim model new``).

The file has the format read by :func:`cellsim.models.load_model`; every value it states is
marked ``source = "cellsim model new (user input)"`` and ``status = "assumed"``. Interfaces are
not written: the loader fills in the library defaults for the neighbours' kinds
(``parameters/interfaces.toml``), exactly as :meth:`cellsim.stack.Stack.build` does.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Sequence

from .errors import InputError

SOURCE = "cellsim model new (user input)"
STATUS = "assumed"


def parse_layers(text: str, field: str = "--layers") -> list[tuple[str, str]]:
    """``"uvea:100um,latp:400um"`` -> ``[("uvea", "100um"), ("latp", "400um")]`` (material, thickness)."""
    out = []
    for item in [s.strip() for s in str(text).split(",") if s.strip()]:
        mat, sep, thick = item.partition(":")
        if not sep or not mat.strip() or not thick.strip():
            raise InputError(field, item, "MATERIAL:THICKNESS items separated by commas, e.g. "
                                          "uvea:100um,latp:400um,uvea:100um")
        out.append((mat.strip(), thick.strip()))
    if not out:
        raise InputError(field, text, "at least one MATERIAL:THICKNESS, e.g. uvea:100um,latp:400um,uvea:100um")
    return out


def layer_names(materials: Sequence[str]) -> list[str]:
    """Layer names from material keys: the label upper-cased, numbered when it repeats
    (``uvea, latp, uvea`` -> ``UVEA-1, LATP, UVEA-2``)."""
    from .library import load_material

    labels = [load_material(m).label for m in materials]
    total = Counter(labels)
    seen: Counter = Counter()
    out = []
    for lab in labels:
        seen[lab] += 1
        out.append(f"{lab}-{seen[lab]}" if total[lab] > 1 else lab)
    return out


def _q(value: str) -> str:
    """A TOML basic string (JSON string escaping is valid TOML)."""
    return json.dumps(str(value), ensure_ascii=False)


def _value(value: str) -> str:
    return f"{{ value = {_q(value)}, source = {_q(SOURCE)}, status = {_q(STATUS)} }}"


def model_text(layers: Sequence[tuple[str, str]], area: str, electrodes: tuple[str, str] = ("li", "li"),
               temperature: str | None = None, pressure: str | None = None, title: str = "") -> str:
    """The TOML text of a model with ``layers`` [(material, thickness text)], ``area`` text, ...

    Values are written as given (with their units) and checked when the text is loaded.
    """
    names = layer_names([m for m, _ in layers])
    left, right = electrodes
    title = title or " | ".join([left.capitalize() if left == "li" else left.upper(), *names,
                                 right.capitalize() if right == "li" else right.upper()])
    lines = [f"# written by cellsim model new; every value is user input (status assumed)",
             "[cell]", f"title = {_q(title)}", f"area = {_value(area)}"]
    if temperature is not None:
        lines.append(f"temperature = {_value(temperature)}")
    if pressure is not None:
        lines += ["", "[conditions]", f"pressure = {_value(pressure)}"]
    lines += ["", "[electrodes.left]", f"kind = {_q(left)}", "[electrodes.right]", f"kind = {_q(right)}"]
    for name, (mat, thick) in zip(names, layers):
        lines += ["", "[[layers]]", f"name = {_q(name)}", f"material = {_q(mat)}", f"thickness = {_value(thick)}"]
    return "\n".join(lines) + "\n"


def check_model_text(text: str, where: str):
    """Load ``text`` as a model (raises the loader's errors); returns the :class:`Stack`."""
    import tomllib

    from .models import stack_from_table

    return stack_from_table(tomllib.loads(text), where, Path(where).stem)


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically with the permissions the process umask gives a new
    file (:func:`cellsim.files.atomic_write_text`); the folder must exist."""
    from .files import atomic_write_text, existing_directory

    existing_directory(path, "OUT")
    atomic_write_text(path, text)

"""The materials library: one TOML file per material in ``parameters/``.

Examples
--------
>>> from cellsim.library import load_material, list_materials
>>> latp = load_material("LATP")
>>> latp.get("ionic_conductivity")          # S/m, at the reference temperature
0.00358
"""

from __future__ import annotations

import functools
from pathlib import Path

from .errors import NotFoundError
from .materials import Material, material_from_table
from .paths import data_dir, read_toml

#: Parameter files that are not materials.
_NOT_MATERIALS = {"interfaces.toml", "electrodes.toml", "shortcircuit.toml", "lifetime.toml",
                  "fullcell_aging.toml"}


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "-").replace("_", "-")


def material_files() -> dict[str, Path]:
    """Map of library key -> TOML path of every shipped material."""
    folder = data_dir("parameters")
    return {p.stem.lower(): p for p in sorted(folder.glob("*.toml")) if p.name not in _NOT_MATERIALS}


def list_materials() -> list[str]:
    """Keys of all materials in the library, sorted."""
    return sorted(material_files())


@functools.lru_cache(maxsize=256)
def _load_path(path: str) -> Material:
    return material_from_table(read_toml(Path(path)), path)


def load_material(name: str) -> Material:
    """Load a material by library key (case-insensitive) or by a path to a TOML file.

    Raises
    ------
    NotFoundError
        The name is neither a library key nor an existing file; the message lists the keys.
    """
    p = Path(name)
    if p.suffix == ".toml" and p.is_file():
        return _load_path(str(p.resolve()))
    files = material_files()
    key = _key(name)
    if key not in files:
        raise NotFoundError(f"unknown material {name!r}; the library has: {', '.join(sorted(files))}")
    return _load_path(str(files[key]))


def load_defaults(kind: str) -> dict:
    """The tables of ``parameters/interfaces.toml`` or ``parameters/electrodes.toml``."""
    path = data_dir("parameters") / f"{kind}.toml"
    return _cached_defaults(str(path))


@functools.lru_cache(maxsize=4)
def _cached_defaults(path: str) -> dict:
    return read_toml(Path(path))

"""Sweep specifications: a base model, axes over it, and the outputs wanted per point.

A sweep spec is a TOML file (examples in ``models/sweeps/``)::

    [sweep]
    title = "UVEA thickness x LATP pellet thickness"
    base_model = "li-uvea-latp-uvea-li"      # shipped name, or a path (relative to this file)
    outputs = ["bulk_resistance", "total_resistance", "apparent_conductivity", "j_lim"]
    # samples = 200     # number of random draws (only with random axes)
    # seed = 0          # random seed of the draws
    # chunk_size = 50   # points per task
    # plugins = ["my_lab.outputs"]   # modules that register extra outputs (imported on every worker)

    [protocol]          # the step-up protocol of the "ccd" output (and of protocol.* axes); all four keys
    step_capacity = "0.5 mAh/cm2"           # or: step_time = "0.5 h"
    start = "0.1 mA/cm2"
    increment = "0.1 mA/cm2"
    stop = "15 mA/cm2"

    [options]
    self_discharge_voltage = "4.2 V"
    # retention_cycles = 100    # the "retention" output: cycles simulated and their C-rate
    # retention_c_rate = 0.2

    [[axes]]
    name = "uvea_thickness"                  # column name (an SI suffix such as _m is added)
    target = ["layers.UVEA-1.thickness", "layers.UVEA-2.thickness"]   # one value, several targets
    start = "10 um"                           # a grid ...
    stop = "200 um"
    num = 12
    scale = "log"                             # linear (default) or log

    [[axes]]
    name = "lic"
    target = "middle.material"
    values = "library"                        # ... a list (here: every LIC of the library) ...
    exclude = ["nmc811"]
    form = "as-model"                         # as-model: swap a composite's ceramic; dense: plain layer

    [[axes]]
    name = "porosity"
    target = "middle.polymer_fraction"
    distribution = "uniform"                  # ... or random draws (uniform or loguniform)
    low = 0.3
    high = 0.9

Targets: ``temperature``, ``area``, ``layers.<name or index>.thickness``,
``layers.<name or index>.material``, ``layers.<name or index>.polymer_fraction`` (composite
layers), ``middle.<...>`` for the middle layer, and ``protocol.<key>`` with key one of
``step_time``, ``step_capacity``, ``start``, ``increment``, ``stop``.

The points are the Cartesian product of the grid and list axes; when random axes are present,
``samples`` draws of them (the same draws for every grid combination, from
``numpy.random.default_rng(seed)``) are the innermost factor. Point ids count from 0 in that
order, so a spec always enumerates the same points: that is what makes ``--resume`` exact.

Everything is validated when the spec is loaded, before any work: unknown tables or keys,
unknown axis targets, layers, materials or outputs, empty ranges, values out of range, and
material swaps that cannot be built. Errors are :class:`~cellsim.errors.InputError` naming the
spec file (and line), the field, the value and what is allowed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from ..errors import CellsimError, InputError, NotFoundError
from ..paths import data_dir, read_toml, resolve_shipped, shipped_files

#: Tables a spec may have.
SPEC_TABLES = ("sweep", "protocol", "options", "axes")
#: Keys of the ``[sweep]`` table.
SWEEP_KEYS = ("name", "title", "description", "base_model", "outputs", "samples", "seed", "chunk_size", "plugins")
#: Keys of an ``[[axes]]`` table.
AXIS_KEYS = ("name", "target", "values", "start", "stop", "num", "scale", "distribution", "low", "high",
             "exclude", "form", "description")
#: Step-up protocol keys and their dimensions (see :mod:`cellsim.sweeps.outputs`, "ccd").
PROTOCOL_KEYS: dict[str, str] = {
    "step_time": "time",
    "step_capacity": "charge_density",
    "start": "current_density",
    "increment": "current_density",
    "stop": "current_density",
}
#: Output options and their dimensions and defaults (SI).
OPTION_KEYS: dict[str, tuple[str, float]] = {
    "self_discharge_voltage": ("voltage", 4.2),
    # the galvanostatic cycling of the lifetime_h output (the seed's Table S3 protocol by default)
    "cycle_current": ("current_density", 5.0),
    "cycle_step_time": ("time", 3600.0),
    "cycle_until": ("time", 3.6e7),
    "retention_cycles": ("dimensionless", 100.0),
    "retention_c_rate": ("dimensionless", 0.2),
}
#: Layer properties an axis can set.
LAYER_PROPS = ("thickness", "material", "polymer_fraction")
#: Forms of a material swap.
MATERIAL_FORMS = ("as-model", "dense")
#: Material kinds that can replace a non-polymer (middle) layer.
LIC_KINDS = ("ceramic", "mixed", "inert", "cathode")

# dimension of each numeric target, and the SI suffix of its column
_DIMENSION = {"thickness": "length", "polymer_fraction": "dimensionless", "temperature": "temperature",
              "area": "area", "pressure": "pressure", **PROTOCOL_KEYS}
_SUFFIX = {"length": "m", "area": "m2", "temperature": "K", "time": "s", "current_density": "A_m2",
           "charge_density": "C_m2", "dimensionless": "", "pressure": "Pa"}
_LAB = {"length": "um", "area": "cm2", "temperature": "K", "time": "s", "current_density": "mA/cm2",
        "charge_density": "mAh/cm2", "dimensionless": "", "pressure": "MPa"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Columns every results table has (axis names may not clash with them).
RESERVED_COLUMNS = ("point_id", "status", "error", "elapsed_s", "worker", "finished_at")


@dataclass(frozen=True)
class Target:
    """What one axis value sets.

    Attributes
    ----------
    kind : str
        ``temperature``, ``area``, ``layer`` or ``protocol``.
    prop : str
        For ``layer``: one of :data:`LAYER_PROPS`; for ``protocol``: a key of
        :data:`PROTOCOL_KEYS`; else equal to ``kind``.
    layer : int
        Layer index (``layer`` targets), else -1.
    text : str
        The target as written.
    """

    kind: str
    prop: str
    layer: int = -1
    text: str = ""

    @property
    def dimension(self) -> str | None:
        """Dimension of the value (None for a material)."""
        return None if self.prop == "material" else _DIMENSION[self.prop]


@dataclass(frozen=True)
class Axis:
    """One axis of a sweep.

    Attributes
    ----------
    name : str
        Axis name.
    targets : tuple of Target
        What each value sets (several targets share one value).
    mode : str
        ``grid`` (start/stop/num), ``list`` (values) or ``random`` (distribution).
    values : tuple
        The values of a grid or list axis (SI floats, or material keys); for a random axis
        with ``values`` (a random choice) the choices.
    distribution : str
        ``uniform``, ``loguniform`` or ``choice`` (random axes).
    low, high : float
        Range of a uniform/loguniform random axis (SI).
    form : str
        Material axes: ``as-model`` or ``dense``.
    """

    name: str
    targets: tuple
    mode: str
    values: tuple = ()
    distribution: str = ""
    low: float = math.nan
    high: float = math.nan
    form: str = "as-model"
    description: str = ""

    @property
    def is_material(self) -> bool:
        return self.targets[0].prop == "material"

    @property
    def dimension(self) -> str | None:
        return self.targets[0].dimension

    @property
    def column(self) -> str:
        """Column name in the results: the axis name with its SI suffix (``_m``, ``_K``, ...)."""
        if self.is_material:
            return self.name
        suffix = _SUFFIX[self.dimension]
        if not suffix or self.name.endswith("_" + suffix):
            return self.name
        return f"{self.name}_{suffix}"

    @property
    def lab_unit(self) -> str:
        return "" if self.is_material else _LAB[self.dimension]

    @property
    def sql_type(self) -> str:
        return "TEXT" if self.is_material else "REAL"


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep specification (plain data: picklable, sent to workers).

    Use :func:`load_spec` to build one. ``points()`` enumerates ``(point_id, values)``
    where ``values`` maps axis name to an SI float or a material key.
    """

    data: Mapping[str, Any]
    where: str
    name: str
    title: str
    description: str
    base_model: str
    model_path: str
    model_data: Mapping[str, Any]
    outputs: tuple
    options: Mapping[str, float]
    protocol: Mapping[str, float] | None
    axes: tuple
    samples: int | None
    seed: int
    chunk_size: int | None
    spec_hash: str
    model_hash: str
    text: str = ""
    plugins: tuple = ()

    # --- enumeration -------------------------------------------------------------------
    @property
    def grid_axes(self) -> tuple:
        return tuple(a for a in self.axes if a.mode != "random")

    @property
    def random_axes(self) -> tuple:
        return tuple(a for a in self.axes if a.mode == "random")

    @property
    def n_points(self) -> int:
        n = 1
        for a in self.grid_axes:
            n *= len(a.values)
        return n * (self.samples if self.random_axes else 1)

    def _draws(self) -> list[dict[str, Any]]:
        if not self.random_axes:
            return [{}]
        import numpy as np

        rng = np.random.default_rng(self.seed)
        cols: dict[str, list] = {}
        for a in self.random_axes:
            if a.distribution == "uniform":
                cols[a.name] = [float(x) for x in rng.uniform(a.low, a.high, self.samples)]
            elif a.distribution == "loguniform":
                cols[a.name] = [float(x) for x in np.exp(rng.uniform(math.log(a.low), math.log(a.high), self.samples))]
            else:  # choice
                idx = rng.integers(0, len(a.values), self.samples)
                cols[a.name] = [a.values[int(i)] for i in idx]
        return [{k: v[i] for k, v in cols.items()} for i in range(self.samples)]

    def points(self, ids: Sequence[int] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
        """``(point_id, {axis name: value})`` for every point (or for ``ids``), in id order."""
        draws = self._draws()
        grid = self.grid_axes
        sizes = [len(a.values) for a in grid]
        nd = len(draws)
        if ids is None:
            pid = 0
            for combo in itertools.product(*(a.values for a in grid)):
                base = {a.name: v for a, v in zip(grid, combo)}
                for d in draws:
                    yield pid, {**base, **d}
                    pid += 1
            return
        for pid in ids:
            if not 0 <= pid < self.n_points:
                raise InputError("point_id", pid, f"0..{self.n_points - 1}")
            g, k = divmod(int(pid), nd)
            values = {}
            for a, n in zip(reversed(grid), reversed(sizes)):
                g, j = divmod(g, n)
                values[a.name] = a.values[j]
            values = {a.name: values[a.name] for a in grid}
            values.update(draws[k])
            yield int(pid), values

    def axis(self, name: str) -> Axis:
        for a in self.axes:
            if a.name == name:
                return a
        raise InputError("axis", name, "one of " + ", ".join(a.name for a in self.axes))

    def describe(self) -> dict[str, Any]:
        """JSON-able summary (for ``--json`` and the results file)."""
        return {
            "name": self.name, "title": self.title, "where": self.where, "base_model": self.base_model,
            "model_path": self.model_path, "outputs": list(self.outputs), "n_points": self.n_points,
            "axes": [{"name": a.name, "column": a.column, "mode": a.mode, "targets": [t.text for t in a.targets],
                      "n": len(a.values) if a.mode != "random" else self.samples} for a in self.axes],
            "spec_hash": self.spec_hash, "model_hash": self.model_hash,
        }

    def base_stack(self):
        """The base :class:`~cellsim.stack.Stack` (built from the stored model data; cached)."""
        return _base_stack(self.model_path, self.model_hash, self.model_data)


_STACK_CACHE: dict[tuple[str, str], Any] = {}


def _base_stack(model_path: str, model_hash: str, model_data: Mapping[str, Any]):
    key = (model_path, model_hash)
    s = _STACK_CACHE.get(key)
    if s is None:
        from ..models import stack_from_table

        s = stack_from_table(_thaw(model_data), model_path, Path(model_path).stem)
        _STACK_CACHE[key] = s
    return s


def _thaw(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {k: _thaw(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_thaw(v) for v in x]
    return x


# --- loading ----------------------------------------------------------------------------
def sweep_files() -> dict[str, Path]:
    """Map of name -> path of the shipped sweep specs (``models/sweeps/*.toml``)."""
    return shipped_files(data_dir("models") / "sweeps")


def resolve_spec(name: str | Path) -> Path:
    """Path of a spec given as a path or as the bare name of a shipped spec."""
    return resolve_shipped(name, sweep_files(), "sweep spec", "specs")


def load_spec(source: str | Path | Mapping[str, Any], where: str | None = None) -> SweepSpec:
    """Load and validate a sweep spec.

    Parameters
    ----------
    source : str, Path or mapping
        A spec file (path or shipped name, see ``models/sweeps/``) or an already parsed
        spec (a mapping with the tables of the TOML file).
    where : str, optional
        Name used in error messages for a mapping source (default ``"<sweep spec>"``).

    Raises
    ------
    InputError
        An unknown table, key, target, layer, material or output, an empty range, a
        value out of range; the message names the file (and line), the field, the value and
        what is allowed.
    NotFoundError
        The spec file or the base model does not exist.
    FileFormatError
        Malformed TOML.
    """
    text = ""
    if isinstance(source, Mapping):
        data = _thaw(source)
        where = where or "<sweep spec>"
        base_dir = Path.cwd()
    else:
        path = resolve_spec(source)
        data = read_toml(path)
        where = str(path)
        base_dir = path.parent
        try:
            text = path.read_text(encoding="utf-8")
        except OSError:  # pragma: no cover - read_toml already read it
            text = ""
    try:
        return _compile(data, where, base_dir, text)
    except InputError as exc:
        if text and exc.where == where:
            line = _line_of(text, exc)
            if line is not None:
                exc.args = (str(exc).replace(f"{where}: ", f"{where}:{line}: ", 1),)
        raise


def _line_of(text: str, exc: InputError) -> int | None:
    """Best-effort line of the offending value in the spec text.

    Lines holding both the field's last key and the value first, then the value, then the
    key; comments are ignored.
    """
    v = exc.value
    value = None
    if isinstance(v, str) and v:
        value = v
    elif isinstance(v, (list, tuple)) and v and isinstance(v[0], str):
        value = v[0]
    elif v is not None and not isinstance(v, (dict, list, tuple)):
        value = str(v)
    last = [x for x in re.split(r"[.\[\]() ]", exc.field) if x.strip()]
    key = last[-1].strip() if last else None
    bodies = [line.split("#", 1)[0] for line in text.splitlines()]
    tests = []
    if key and value:
        tests.append(lambda b: re.match(rf"\s*{re.escape(key)}\s*=", b) is not None and value in b)
    if value:
        tests.append(lambda b: value in b)
    if key:
        tests.append(lambda b: re.match(rf"\s*(\[+)?\s*{re.escape(key)}\b", b) is not None)
    for test in tests:
        for i, body in enumerate(bodies, 1):
            if test(body):
                return i
    return None


def _hash(obj: Any) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def _table(x: Any, field_name: str, where: str) -> dict:
    if x is None:
        return {}
    if not isinstance(x, Mapping):
        raise InputError(field_name, x, "a table", where)
    return dict(x)


def _check_keys(t: Mapping[str, Any], allowed: Sequence[str], prefix: str, where: str) -> None:
    for k in t:
        if k not in allowed:
            raise InputError(f"{prefix}.{k}", t[k] if not isinstance(t[k], (dict, list)) else k,
                             f"one of the keys {', '.join(allowed)}", where)


def _compile(data: Mapping[str, Any], where: str, base_dir: Path, text: str) -> SweepSpec:
    for k in data:
        if k not in SPEC_TABLES:
            raise InputError(k, f"[{k}]", "one of the tables " + ", ".join(f"[{t}]" for t in SPEC_TABLES[:3])
                             + ", [[axes]]", where)
    plugins = _plugins(_table(data.get("sweep"), "sweep", where).get("plugins", []), where)
    sweep = _table(data.get("sweep"), "sweep", where)
    _check_keys(sweep, SWEEP_KEYS, "sweep", where)
    base, mpath, model_data, model_hash, stack = _base_model(sweep, base_dir, where)
    outs = _outputs(sweep, where)
    options = _options(data, where)
    protocol = _protocol(data, where)
    axes = _axes(data, stack, outs, protocol, where)
    samples, seed, chunk = _sampling(sweep, axes, where)
    has_random = any(a.mode == "random" for a in axes)

    name = sweep.get("name") or (Path(where).stem if where and not where.startswith("<") else "sweep")
    canonical = {"data": _thaw(data), "model": str(mpath.name)}
    spec = SweepSpec(
        data=_thaw(data), where=where, name=str(name), title=str(sweep.get("title", "")),
        description=str(sweep.get("description", "")), base_model=base, model_path=str(mpath),
        model_data=model_data, outputs=tuple(outs), options=options, protocol=protocol, axes=tuple(axes),
        samples=samples if has_random else None, seed=seed, chunk_size=chunk,
        spec_hash=_hash(canonical), model_hash=model_hash, text=text, plugins=plugins)
    if spec.n_points == 0:  # pragma: no cover - every axis has >= 1 value
        raise InputError("axes", 0, "at least one point", where)
    _check_materials_build(spec, where)
    return spec


def _base_model(sweep: Mapping[str, Any], base_dir: Path, where: str):
    """``[sweep] base_model``: (name as given, path, TOML data, SHA-256 of the file, its Stack)."""
    from ..models import resolve_model

    base = sweep.get("base_model")
    if not isinstance(base, str) or not base:
        raise InputError("sweep.base_model", base, "a model name (e.g. li-uvea-latp-uvea-li) or a path to a model TOML",
                         where)
    candidate = (base_dir / base)
    try:
        mpath = candidate if candidate.suffix == ".toml" and candidate.is_file() else resolve_model(base)
    except NotFoundError:
        raise InputError("sweep.base_model", base, "a model file (path relative to the spec) or a shipped model: "
                         + ", ".join(sorted(p.stem for p in _model_files())), where) from None
    model_data = read_toml(mpath)
    model_text = mpath.read_bytes()
    model_hash = hashlib.sha256(model_text).hexdigest()
    try:
        stack = _base_stack(str(mpath), model_hash, model_data)
    except CellsimError as exc:
        raise InputError("sweep.base_model", base, f"a model that loads ({exc})", where) from None
    return base, mpath, model_data, model_hash, stack


def _outputs(sweep: Mapping[str, Any], where: str) -> list[str]:
    """``[sweep] outputs``: registered, available, each once (default: the default outputs)."""
    from .outputs import OUTPUTS, check_available, default_outputs

    outs = sweep.get("outputs", None)
    if outs is None:
        outs = list(default_outputs())
    if isinstance(outs, str):
        outs = [outs]
    if not isinstance(outs, list) or not outs:
        raise InputError("sweep.outputs", outs, "a non-empty list of outputs: " + ", ".join(OUTPUTS), where)
    for o in outs:
        if o not in OUTPUTS:
            raise InputError("sweep.outputs", o, "one of " + ", ".join(OUTPUTS), where)
    if len(set(outs)) != len(outs):
        dup = next(o for o in outs if outs.count(o) > 1)
        raise InputError("sweep.outputs", dup, "each output once", where)
    for o in outs:
        reason = check_available(o)
        if reason:
            raise InputError("sweep.outputs", o, f"an available output; {o!r} is not: {reason}", where)
    return outs


def _options(data: Mapping[str, Any], where: str) -> dict[str, float]:
    """``[options]`` in SI, defaults for the ones not given."""
    from ..units import parse_quantity

    opts_raw = _table(data.get("options"), "options", where)
    _check_keys(opts_raw, tuple(OPTION_KEYS), "options", where)
    options = {k: d for k, (_, d) in OPTION_KEYS.items()}
    for k, v in opts_raw.items():
        dim = OPTION_KEYS[k][0]
        options[k] = parse_quantity(v, dim, f"options.{k}", where)
        if options[k] < 0:
            raise InputError(f"options.{k}", v, ">= 0", where)
    return options


def _protocol(data: Mapping[str, Any], where: str) -> dict[str, float] | None:
    """``[protocol]`` (the step-up protocol of the CCD outputs) in SI, or None."""
    from ..units import parse_quantity

    protocol = None
    if "protocol" in data:
        praw = _table(data.get("protocol"), "protocol", where)
        _check_keys(praw, tuple(PROTOCOL_KEYS), "protocol", where)
        protocol = {}
        for k, v in praw.items():
            protocol[k] = parse_quantity(v, PROTOCOL_KEYS[k], f"protocol.{k}", where)
            if not protocol[k] > 0:
                raise InputError(f"protocol.{k}", v, "> 0", where)
    return protocol


def _axes(data: Mapping[str, Any], stack, outs: Sequence[str], protocol, where: str) -> list[Axis]:
    """``[[axes]]``: unique names and columns, each target set by one axis, consistent with the stack."""
    raw_axes = data.get("axes", [])
    if not isinstance(raw_axes, list):
        raise InputError("axes", raw_axes, "an array of tables [[axes]]", where)
    axes: list[Axis] = []
    for i, raw in enumerate(raw_axes):
        axes.append(_axis(raw, i, stack, where))
    names = [a.name for a in axes]
    for a in axes:
        if names.count(a.name) > 1:
            raise InputError("axes.name", a.name, "unique axis names", where)
    from .outputs import output_columns

    taken = set(RESERVED_COLUMNS) | {c.name for o in outs for c in output_columns(o)}
    for a in axes:
        if a.column in taken:
            raise InputError(f"axes ({a.name}).name", a.name, "a name that is not an output or reserved column ("
                             + ", ".join(sorted(taken)) + ")", where)
        taken.add(a.column)
    seen: dict[tuple, str] = {}
    for a in axes:
        for t in a.targets:
            key = (t.kind, t.prop, t.layer)
            if key in seen:
                raise InputError(f"axes ({a.name}).target", t.text, f"a target not already set by axis {seen[key]!r}",
                                 where)
            seen[key] = a.name
    _check_consistency(axes, stack, outs, protocol, where)
    return axes


def _sampling(sweep: Mapping[str, Any], axes: Sequence[Axis], where: str) -> tuple[int | None, int, int | None]:
    """(samples, seed, chunk_size) of ``[sweep]``; samples only with random axes. Checks title etc. are strings."""
    has_random = any(a.mode == "random" for a in axes)
    samples = sweep.get("samples")
    if has_random:
        if not (isinstance(samples, int) and not isinstance(samples, bool) and samples >= 1):
            raise InputError("sweep.samples", samples, "an integer >= 1 (the number of random draws; the spec has "
                             "random axes)", where)
    elif samples is not None:
        raise InputError("sweep.samples", samples, "no samples: the spec has no random axis "
                         "(give an axis a distribution, or remove samples)", where)
    seed = sweep.get("seed", 0)
    if not (isinstance(seed, int) and not isinstance(seed, bool) and seed >= 0):
        raise InputError("sweep.seed", seed, "an integer >= 0", where)
    chunk = sweep.get("chunk_size")
    if chunk is not None and not (isinstance(chunk, int) and not isinstance(chunk, bool) and chunk >= 1):
        raise InputError("sweep.chunk_size", chunk, "an integer >= 1", where)
    for key in ("title", "description", "name"):
        if key in sweep and not isinstance(sweep[key], str):
            raise InputError(f"sweep.{key}", sweep[key], "a string", where)
    return samples, seed, chunk


def _model_files():
    from ..models import model_files

    return model_files().values()


def _plugins(raw: Any, where: str) -> tuple:
    """Import the modules named in ``[sweep] plugins`` (they register extra outputs)."""
    import importlib

    if isinstance(raw, str):
        raw = [raw]
    if not (isinstance(raw, list) and all(isinstance(m, str) and m for m in raw)):
        raise InputError("sweep.plugins", raw, "a list of importable module names that register outputs", where)
    for m in raw:
        try:
            importlib.import_module(m)
        except ImportError as exc:
            raise InputError("sweep.plugins", m, f"an importable module ({exc})", where) from None
    return tuple(raw)


def _parse_target(text: Any, stack, field_name: str, where: str) -> Target:
    allowed = ("temperature, pressure, area, layers.<name|index>.(thickness|material|polymer_fraction), "
               "middle.(thickness|material|polymer_fraction), protocol.(" + "|".join(PROTOCOL_KEYS) + ")")
    if not isinstance(text, str) or not text.strip():
        raise InputError(field_name, text, "a target: " + allowed, where)
    t = text.strip()
    if t in ("temperature", "area", "pressure"):
        return Target(t, t, -1, t)
    if t.startswith("protocol."):
        key = t.split(".", 1)[1]
        if key not in PROTOCOL_KEYS:
            raise InputError(field_name, t, "protocol." + " or protocol.".join(PROTOCOL_KEYS), where)
        return Target("protocol", key, -1, t)
    if t.startswith("middle."):
        prop = t.split(".", 1)[1]
        n = len(stack.layers)
        if n % 2 == 0:
            raise InputError(field_name, t, f"layers.<name>.{prop}: the base model has {n} layers, so no middle one "
                             f"(layers: {', '.join(l.name for l in stack.layers)})", where)
        idx = n // 2
    elif t.startswith("layers."):
        rest = t[len("layers."):]
        if "." not in rest:
            raise InputError(field_name, t, "layers.<name|index>.<property>, property one of " + ", ".join(LAYER_PROPS),
                             where)
        key, prop = rest.rsplit(".", 1)
        if re.fullmatch(r"-?\d+", key):
            key = int(key)
        try:
            idx = stack.layer_index(key)
        except InputError:
            raise InputError(field_name, t, "a layer of the base model: " + ", ".join(
                f"layers.{l.name}" for l in stack.layers) + f" (or an index 0..{len(stack.layers) - 1})",
                where) from None
    else:
        raise InputError(field_name, t, "a target: " + allowed, where)
    if prop not in LAYER_PROPS:
        raise InputError(field_name, t, "a layer property: " + ", ".join(LAYER_PROPS), where)
    return Target("layer", prop, idx, t)


def lic_materials(exclude: Sequence[str] = ()) -> list[str]:
    """Library keys of every material that can be a middle (non-polymer) layer.

    Those whose kind is ceramic, mixed (e.g. LVO, NMC811), inert (SiO2) or cathode; the
    polymers and Li metal are left out.
    """
    from ..library import list_materials, load_material

    ex = {e.lower() for e in exclude}
    return [m for m in list_materials() if load_material(m).kind in LIC_KINDS and m not in ex]


def _material_values(raw: Mapping[str, Any], target: Target, stack, fld: str, where: str) -> list[str]:
    from ..library import list_materials, load_material

    layer = stack.layers[target.layer]
    polymer_layer = layer.kind == "polymer"
    vals = raw.get("values")
    exclude = raw.get("exclude", [])
    if not (isinstance(exclude, list) and all(isinstance(x, str) for x in exclude)):
        raise InputError(f"{fld}.exclude", exclude, "a list of material names", where)
    library = list_materials()
    for x in exclude:
        if x.lower() not in library:
            raise InputError(f"{fld}.exclude", x, "a material of the library: " + ", ".join(library), where)
    if vals == "library":
        if polymer_layer:
            vals = [m for m in library if load_material(m).kind == "polymer" and m not in {e.lower() for e in exclude}]
        else:
            vals = lic_materials(exclude)
    elif exclude:
        raise InputError(f"{fld}.exclude", exclude, "exclude only together with values = \"library\"", where)
    if not isinstance(vals, list):
        raise InputError(f"{fld}.values", vals, "a list of material names from the library, or \"library\"", where)
    if not vals:
        raise InputError(f"{fld}.values", vals, "a non-empty list of materials (empty range)", where)
    out = []
    for v in vals:
        if not isinstance(v, str):
            raise InputError(f"{fld}.values", v, "a material name (string) from the library: " + ", ".join(library),
                             where)
        key = v.strip().lower().replace("_", "-").replace(" ", "-")
        if key not in library:
            raise InputError(f"{fld}.values", v, "a material of the library: " + ", ".join(library), where)
        kind = load_material(key).kind
        if polymer_layer and kind != "polymer":
            raise InputError(f"{fld}.values", v, f"a polymer material for the polymer layer {layer.name!r}: "
                             + ", ".join(m for m in library if load_material(m).kind == "polymer"), where)
        if not polymer_layer and kind not in LIC_KINDS:
            raise InputError(f"{fld}.values", v, f"a non-polymer material for layer {layer.name!r} ({kind} is not "
                             f"allowed): " + ", ".join(lic_materials()), where)
        out.append(key)
    if len(set(out)) != len(out):
        raise InputError(f"{fld}.values", next(x for x in out if out.count(x) > 1), "each material once", where)
    return out


def _check_value(v: float, target: Target, raw: Any, fld: str, where: str) -> float:
    if target.prop == "polymer_fraction":
        if not 0.0 <= v <= 1.0:
            raise InputError(fld, raw, "a volume fraction in [0, 1]", where)
    elif target.prop == "pressure":
        if not v >= 0.0:
            raise InputError(fld, raw, "a stack pressure >= 0 Pa, e.g. \"20 MPa\"", where)
    elif not v > 0:
        raise InputError(fld, raw, f"a {target.prop.replace('_', ' ')} > 0" + (" K" if target.prop == "temperature" else ""),
                         where)
    return v


def _axis(raw: Any, i: int, stack, where: str) -> Axis:
    from ..units import parse_quantity

    t = _table(raw, f"axes[{i}]", where)
    label = t.get("name") if isinstance(t.get("name"), str) else None
    fld = f"axes[{i}]" + (f" ({label})" if label else "")
    _check_keys(t, AXIS_KEYS, fld, where)
    raw_targets = t.get("target")
    if raw_targets is None:
        raise InputError(f"{fld}.target", None, "a target such as \"layers.UVEA-1.thickness\" or \"temperature\"", where)
    if isinstance(raw_targets, str):
        raw_targets = [raw_targets]
    if not isinstance(raw_targets, list) or not raw_targets:
        raise InputError(f"{fld}.target", raw_targets, "a target or a non-empty list of targets", where)
    targets = tuple(_parse_target(x, stack, f"{fld}.target", where) for x in raw_targets)
    props = {tg.prop for tg in targets}
    if len(props) > 1 and not props <= {"start", "increment", "stop"}:
        raise InputError(f"{fld}.target", raw_targets, "targets of one kind (all thicknesses, or all materials, ...)",
                         where)
    name = label
    if name is None:
        name = re.sub(r"[^A-Za-z0-9_]+", "_", targets[0].text.replace("layers.", "")).strip("_").lower()
    if not isinstance(name, str) or not _NAME.match(name):
        raise InputError(f"{fld}.name", t.get("name"), "a name of letters, digits and _ (not starting with a digit)",
                         where)
    fld = f"axes[{i}] ({name})"
    first = targets[0]
    modes = [m for m, keys in (("list", ("values",)), ("grid", ("start", "stop", "num")),
                               ("random", ("distribution",))) if any(k in t for k in keys)]
    if len(modes) != 1:
        raise InputError(f"{fld}", modes or None, "exactly one of: values = [...] (a list), start/stop/num (a grid), "
                         "distribution/low/high (random draws)", where)
    mode = modes[0]
    form = t.get("form", "as-model")
    if form not in MATERIAL_FORMS:
        raise InputError(f"{fld}.form", form, "one of " + ", ".join(MATERIAL_FORMS), where)
    if "form" in t and first.prop != "material":
        raise InputError(f"{fld}.form", form, "form only on a material axis", where)
    if "exclude" in t and first.prop != "material":
        raise InputError(f"{fld}.exclude", t["exclude"], "exclude only on a material axis", where)
    desc = str(t.get("description", ""))

    if first.prop == "material":
        if mode == "grid":
            raise InputError(f"{fld}.start", t.get("start"), "values = [...] or \"library\" for a material axis", where)
        if mode == "random" and t.get("distribution") != "choice":
            raise InputError(f"{fld}.distribution", t.get("distribution"), "\"choice\" (with values) for a material "
                             "axis", where)
        vals = _material_values(t, first, stack, fld, where)
        for tg in targets[1:]:
            _material_values(t, tg, stack, fld, where)
        if mode == "random":
            return Axis(name, targets, "random", tuple(vals), "choice", form=form, description=desc)
        return Axis(name, targets, "list", tuple(vals), form=form, description=desc)

    dim = first.dimension

    def q(x, f):
        return _check_value(parse_quantity(x, dim, f, where), first, x, f, where)

    if mode == "list":
        vals = t["values"]
        if not isinstance(vals, list):
            raise InputError(f"{fld}.values", vals, f"a list of quantities, e.g. [\"10 {_LAB[dim] or ''}\"]".replace(
                " \"]", "\"]"), where)
        if not vals:
            raise InputError(f"{fld}.values", vals, "a non-empty list of values (empty range)", where)
        return Axis(name, targets, "list", tuple(q(v, f"{fld}.values") for v in vals), description=desc)
    if mode == "grid":
        for k in ("start", "stop", "num"):
            if k not in t:
                raise InputError(f"{fld}.{k}", None, "start, stop and num for a grid axis", where)
        num = t["num"]
        if not (isinstance(num, int) and not isinstance(num, bool)) or num < 1:
            raise InputError(f"{fld}.num", num, "an integer >= 1 (number of grid values; 0 is an empty range)", where)
        a, b = q(t["start"], f"{fld}.start"), q(t["stop"], f"{fld}.stop")
        scale = t.get("scale", "linear")
        if scale not in ("linear", "log"):
            raise InputError(f"{fld}.scale", scale, "linear or log", where)
        if num > 1 and a == b:
            raise InputError(f"{fld}.stop", t["stop"], f"a value different from start = {t['start']!r} (empty range "
                             f"for num = {num})", where)
        if scale == "log" and (a <= 0 or b <= 0):
            raise InputError(f"{fld}.start", t["start"], "start and stop > 0 on a log scale", where)
        import numpy as np

        vals = np.geomspace(a, b, num) if scale == "log" else np.linspace(a, b, num)
        return Axis(name, targets, "grid", tuple(float(v) for v in vals), description=desc)
    # random
    dist = t.get("distribution")
    if dist not in ("uniform", "loguniform"):
        raise InputError(f"{fld}.distribution", dist, "uniform or loguniform (choice only for material axes)", where)
    for k in ("low", "high"):
        if k not in t:
            raise InputError(f"{fld}.{k}", None, "low and high for a random axis", where)
    lo, hi = q(t["low"], f"{fld}.low"), q(t["high"], f"{fld}.high")
    if not hi > lo:
        raise InputError(f"{fld}.high", t["high"], f"a value above low = {t['low']!r} (empty range)", where)
    if dist == "loguniform" and lo <= 0:
        raise InputError(f"{fld}.low", t["low"], "> 0 for loguniform", where)
    return Axis(name, targets, "random", (), dist, lo, hi, description=desc)


def _check_consistency(axes: Sequence[Axis], stack, outputs: Sequence[str], protocol, where: str) -> None:
    from .outputs import OUTPUTS

    needs_protocol = [o for o in outputs if OUTPUTS[o].needs_protocol]
    proto_axes = [a for a in axes if a.targets[0].kind == "protocol"]
    if proto_axes and not needs_protocol:
        raise InputError(f"axes ({proto_axes[0].name}).target", proto_axes[0].targets[0].text,
                         "protocol axes only with an output that uses the protocol (" + ", ".join(
                             o for o, v in OUTPUTS.items() if v.needs_protocol) + ")", where)
    if needs_protocol:
        given = set(protocol or {}) | {t.prop for a in proto_axes for t in a.targets}
        if not ({"step_time", "step_capacity"} & given):
            raise InputError("protocol", protocol, f"a [protocol] table with step_time or step_capacity, start, "
                             f"increment and stop for the output {needs_protocol[0]!r}", where)
        if {"step_time", "step_capacity"} <= given:
            raise InputError("protocol", sorted(given), "either step_time or step_capacity, not both", where)
        for k in ("start", "increment", "stop"):
            if k not in given:
                raise InputError(f"protocol.{k}", None, f"a current density (e.g. \"0.1 mA/cm2\") for the output "
                                 f"{needs_protocol[0]!r}", where)
    # polymer fraction only on composite layers that stay composite
    dense = {t.layer for a in axes if a.is_material and a.form == "dense" for t in a.targets}
    for a in axes:
        for t in a.targets:
            if t.prop == "polymer_fraction":
                layer = stack.layers[t.layer]
                if layer.kind != "composite":
                    raise InputError(f"axes ({a.name}).target", t.text, "polymer_fraction of a composite layer: " + (
                        ", ".join(f"layers.{l.name}" for l in stack.layers if l.kind == "composite") or
                        "the base model has none"), where)
                if t.layer in dense:
                    raise InputError(f"axes ({a.name}).target", t.text, "no polymer_fraction axis on a layer made "
                                     "dense by a material axis (form = \"dense\")", where)


def _check_materials_build(spec: SweepSpec, where: str) -> None:
    """Build every material swap once so that a bad combination fails before any work."""
    from .points import structure_stack

    for a in spec.axes:
        if not a.is_material:
            continue
        for v in a.values:
            try:
                structure_stack(spec, ((a.name, v),))
            except CellsimError as exc:
                raise InputError(f"axes ({a.name}).values", v, f"a material that can replace layer "
                                 f"{spec.base_stack().layers[a.targets[0].layer].name!r} ({exc})", where) from None

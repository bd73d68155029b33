"""The results file of a sweep: SQLite, one row per point, committed point by point.

Tables
------
``points``
    ``point_id INTEGER PRIMARY KEY``, one column per axis (named with its SI suffix, e.g.
    ``uvea_thickness_m``, ``temperature_K``; materials as text), one column per output
    column (``bulk_resistance_ohm``, ...), then ``status`` (``ok`` or ``error``),
    ``error`` (the message), ``elapsed_s``, ``worker`` and ``finished_at`` (UTC, ISO 8601).
``meta``
    ``key``/``value`` text pairs: ``spec_hash``, ``model_hash``, ``n_points``, ``spec``
    (the JSON summary), ``spec_text`` (the TOML as written), ``columns`` (JSON: column ->
    lab unit and meaning), ``created_at``, ``cellsim_version``.

Durability
----------
The file is in WAL mode. Rows are inserted by the client only, in one transaction per
finished chunk, and counted done after ``COMMIT`` returns. With ``synchronous=NORMAL`` (the
default) a committed transaction survives the death of the process (SIGKILL, an exception,
a lost terminal): it is in the WAL file, and SQLite replays it on the next open. Only an
operating-system crash or power cut can roll back the last commits (never corrupting the
file); the sweep then recomputes those points on ``--resume``, so nothing is lost in the end.
``synchronous=FULL`` also survives power cuts at the cost of an fsync per commit.

Because ``point_id`` is the primary key and rows are written with ``INSERT OR IGNORE``, a
point recomputed after a lost Dask worker can never be stored twice.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping, Sequence

from ..errors import FileFormatError, InputError
from ..files import atomic_path, existing_directory

BASE_COLUMNS = (("status", "TEXT NOT NULL"), ("error", "TEXT"), ("elapsed_s", "REAL"), ("worker", "TEXT"),
                ("finished_at", "TEXT"))


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def result_columns(spec) -> list[tuple[str, str, str, str]]:
    """``(column, SQL type, lab unit, meaning)`` of the points table, in order."""
    from .outputs import OUTPUTS

    if hasattr(spec, "result_columns"):  # a study with its own columns (e.g. cellsim.uncertainty)
        return list(spec.result_columns())
    cols = [("point_id", "INTEGER", "", "point number (deterministic enumeration of the spec)")]
    for a in spec.axes:
        cols.append((a.column, a.sql_type, a.lab_unit, "axis: " + ", ".join(t.text for t in a.targets)))
    for o in spec.outputs:
        for c in OUTPUTS[o].columns:
            cols.append((c.name, c.type, c.lab_unit, c.description))
    cols += [("status", "TEXT", "", "ok or error"), ("error", "TEXT", "", "error message"),
             ("elapsed_s", "REAL", "s", "computation time of the point"),
             ("worker", "TEXT", "", "process or Dask worker that computed it"),
             ("finished_at", "TEXT", "", "UTC time the computation finished")]
    return cols


class ResultStore:
    """Open (create or resume) the results file of ``spec``.

    Parameters
    ----------
    path : path
        The SQLite file.
    spec : SweepSpec
    resume : bool
        Continue an existing file (which must hold the same spec). Without it an existing
        results file is an error (never overwritten).
    synchronous : {"NORMAL", "FULL"}
        See the module docstring.

    Raises
    ------
    InputError
        The file exists without ``resume``, or holds another spec.
    FileFormatError
        The file is not a cellsim results file.
    """

    def __init__(self, path, spec, *, resume: bool = False, synchronous: str = "NORMAL"):
        sync = str(synchronous).upper()
        if sync not in ("NORMAL", "FULL"):
            raise InputError("synchronous", synchronous, "NORMAL or FULL")
        self.path = Path(path)
        self.spec = spec
        if self.path.is_dir():
            raise InputError("--out", str(path), "a file name (this is a directory)")
        if not self.path.parent.is_dir():
            raise InputError("--out", str(path), f"a file in an existing directory ({self.path.parent} does not exist)")
        existed = self.path.exists() and self.path.stat().st_size > 0
        try:
            self.con = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            self.con.execute("PRAGMA journal_mode=WAL")
            self.con.execute(f"PRAGMA synchronous={sync}")
            tables = {r[0] for r in self.con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError as exc:
            raise FileFormatError(str(path), f"not a SQLite results file ({exc})") from None
        self.columns = result_columns(spec)
        if existed and tables:
            if "meta" not in tables or "points" not in tables:
                self.con.close()
                raise FileFormatError(str(path), "a SQLite file, but not a cellsim sweep results file "
                                      "(no meta/points tables)")
            if not resume:
                self.con.close()
                raise InputError("--out", str(path), "a new file, or --resume to continue the sweep stored in it")
            self._check_same(spec)
        else:
            self._create(spec)

    # --- setup --------------------------------------------------------------------------------
    def _create(self, spec) -> None:
        from .. import __version__

        cols = ", ".join(f"{_q(c)} {t}{' PRIMARY KEY' if c == 'point_id' else ''}"
                         f"{' NOT NULL' if c == 'status' else ''}" for c, t, _, _ in self.columns)
        meta = {
            "spec_hash": spec.spec_hash, "model_hash": spec.model_hash, "n_points": str(spec.n_points),
            "spec": json.dumps(spec.describe()), "spec_text": spec.text,
            "columns": json.dumps({c: {"unit": u, "description": d, "type": t} for c, t, u, d in self.columns}),
            "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "cellsim_version": __version__,
        }
        with self._tx():
            self.con.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            self.con.execute(f"CREATE TABLE IF NOT EXISTS points ({cols})")
            self.con.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(meta.items()))

    def _check_same(self, spec) -> None:
        meta = dict(self.con.execute("SELECT key, value FROM meta"))
        stored = meta.get("spec_hash")
        if stored != spec.spec_hash:
            name = json.loads(meta.get("spec", "{}")).get("name", "?")
            self.con.close()
            raise InputError("--resume", str(self.path), f"a results file of this spec; it holds another sweep "
                             f"({name!r}, spec hash {str(stored)[:12]}), this spec's hash is {spec.spec_hash[:12]}: "
                             f"use a new --out file")
        if meta.get("model_hash") != spec.model_hash:
            self.con.close()
            raise InputError("--resume", str(self.path), f"the same base model; the model file "
                             f"{spec.model_path} changed since the sweep started (hash "
                             f"{str(meta.get('model_hash'))[:12]} -> {spec.model_hash[:12]}): use a new --out file")
        have = [r[1] for r in self.con.execute("PRAGMA table_info(points)")]
        want = [c for c, *_ in self.columns]
        if have != want:  # pragma: no cover - same hash means same columns unless outputs changed code
            self.con.close()
            raise FileFormatError(str(self.path), f"columns {have} differ from this cellsim's {want}")

    class _Tx:
        def __init__(self, con):
            self.con = con

        def __enter__(self):
            self.con.execute("BEGIN IMMEDIATE")

        def __exit__(self, et, ev, tb):
            self.con.execute("ROLLBACK" if et else "COMMIT")
            return False

    def _tx(self):
        return ResultStore._Tx(self.con)

    # --- use --------------------------------------------------------------------------------
    def done_ids(self) -> set[int]:
        """point_id of every stored point (ok or error)."""
        return {r[0] for r in self.con.execute("SELECT point_id FROM points")}

    def write(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert rows in one committed transaction; returns how many were new."""
        if not rows:
            return 0
        names = [c for c, *_ in self.columns]
        sql = f"INSERT OR IGNORE INTO points ({', '.join(map(_q, names))}) VALUES ({', '.join('?' * len(names))})"
        before = self.con.total_changes
        with self._tx():
            self.con.executemany(sql, [tuple(r.get(c) for c in names) for r in rows])
        return self.con.total_changes - before

    def status_counts(self) -> dict[str, int]:
        return dict(self.con.execute("SELECT status, COUNT(*) FROM points GROUP BY status"))

    def close(self) -> None:
        try:
            self.con.close()
        except sqlite3.Error:  # pragma: no cover
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


# --- reading -----------------------------------------------------------------------------------
def _connect_ro(path) -> sqlite3.Connection:
    p = Path(path)
    if not p.is_file():
        from ..errors import NotFoundError

        raise NotFoundError(f"no results file {str(path)!r}")
    try:
        con = sqlite3.connect(str(p), timeout=30)
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.DatabaseError as exc:
        raise FileFormatError(str(path), f"not a SQLite results file ({exc})") from None
    if not {"meta", "points"} <= tables:
        con.close()
        raise FileFormatError(str(path), "not a cellsim sweep results file (no meta/points tables)")
    return con


def read_meta(path) -> dict[str, Any]:
    """The meta table of a results file (``spec`` and ``columns`` decoded from JSON)."""
    con = _connect_ro(path)
    try:
        meta = dict(con.execute("SELECT key, value FROM meta"))
    finally:
        con.close()
    for k in ("spec", "columns"):
        if k in meta:
            meta[k] = json.loads(meta[k])
    if "n_points" in meta:
        meta["n_points"] = int(meta["n_points"])
    return meta


def load_results(path):
    """The points of a results file as a :class:`pandas.DataFrame`, ordered by ``point_id``.

    ``df.attrs`` holds the meta data (``spec``, ``columns`` with their lab units, hashes).
    """
    import pandas as pd

    con = _connect_ro(path)
    try:
        df = pd.read_sql_query("SELECT * FROM points ORDER BY point_id", con)
    finally:
        con.close()
    df.attrs.update(read_meta(path))
    return df


def export_results(path, out, fmt: str | None = None) -> Path:
    """Write the results as CSV or Parquet, atomically (temporary file, then rename).

    Parameters
    ----------
    path : path
        The SQLite results file.
    out : path
        Target; the format follows its suffix (``.csv``, ``.parquet``) unless ``fmt`` is given.
    fmt : {"csv", "parquet"}, optional

    Raises
    ------
    InputError
        Unknown format, missing directory, or Parquet without pyarrow.
    """
    import importlib.util

    out = Path(out)
    fmt = (fmt or out.suffix.lstrip(".")).lower()
    if fmt not in ("csv", "parquet"):
        raise InputError("--export", str(out), "a .csv or .parquet file name")
    if fmt == "parquet" and importlib.util.find_spec("pyarrow") is None:
        raise InputError("--export", str(out), "a .csv file: writing Parquet needs pyarrow, which is not installed "
                         "(pip install pyarrow)")
    existing_directory(out, "--export")
    df = load_results(path)
    df.attrs = {}
    with atomic_path(out) as tmp:
        if fmt == "csv":
            df.to_csv(tmp, index=False)
        else:
            df.to_parquet(tmp, index=False)
    return out

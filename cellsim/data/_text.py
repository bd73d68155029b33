"""Text helpers shared by the readers: decoding, line splitting, strict number parsing,
column-name recognition. Every failure raises :class:`cellsim.errors.FileFormatError`
with the file and 1-based line number."""

from __future__ import annotations

import codecs
import math
import re

from ..errors import FileFormatError

_LINE_SPLIT = re.compile(r"\r\n|\r|\n")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
_NONFINITE = re.compile(r"[+-]?(?:nan|inf|infinity|1\.#inf|1\.#ind|1\.#qnan|#num!|#value!)\Z", re.IGNORECASE)


def decode(path: str, raw: bytes) -> tuple[str, str]:
    """Decode file bytes to text: BOM-marked UTF-8/UTF-16, else strict UTF-8, else latin-1.

    Returns
    -------
    (text, encoding)
    """
    if raw.startswith(codecs.BOM_UTF8):
        try:
            return raw[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError:
            return raw[3:].decode("latin-1"), "latin-1"
    for bom, enc in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if raw.startswith(bom):
            try:
                text = raw[2:].decode(enc)
            except UnicodeDecodeError as exc:
                raise FileFormatError(path, f"starts with a {enc.upper()} byte-order mark but is not valid "
                                            f"{enc.upper()} text (byte {exc.start + 2})") from None
            if "\x00" in text:
                raise FileFormatError(path, "binary content (NUL character) in a UTF-16 text file")
            return text, enc
    nul = raw.find(b"\x00")
    if nul >= 0:
        # UTF-16 without a BOM: every other byte is NUL in ASCII-range text
        head = raw[:400]
        if len(head) >= 4 and len(head) % 2 == 0:
            for enc, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
                if zeros.count(0) == len(zeros):
                    try:
                        text = raw.decode(enc)
                    except UnicodeDecodeError:
                        break
                    if "\x00" not in text:
                        return text, enc
        raise FileFormatError(path, f"binary content (NUL byte at offset {nul}); not a text impedance file "
                                    "and not a BioLogic .mpr file")
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def split_lines(text: str) -> list[str]:
    """Split on CRLF, CR or LF only (so line numbers agree with text editors)."""
    return _LINE_SPLIT.split(text)


def parse_number(path: str, token: str, line: int, column: str, decimal_comma: bool) -> float:
    """Parse one numeric field strictly; NaN, infinities and junk raise FileFormatError."""
    t = token.strip()
    if decimal_comma and "," in t:
        if "." in t:
            raise FileFormatError(path, f"column {column!r}: {token!r} mixes decimal comma and point", line)
        t = t.replace(",", ".")
    if _NUMBER.match(t):
        v = float(t)
        if not math.isfinite(v):
            raise FileFormatError(path, f"column {column!r}: {token!r} overflows a float", line)
        return v
    if _NONFINITE.match(t):
        raise FileFormatError(path, f"column {column!r}: non-finite value {token!r}; every point needs finite "
                                    "numbers", line)
    if not t:
        raise FileFormatError(path, f"column {column!r}: empty field", line)
    shown = token if len(token) <= 40 else token[:37] + "..."
    raise FileFormatError(path, f"column {column!r}: {shown!r} is not a number", line)


def is_number(token: str, decimal_comma: bool) -> bool:
    """True when ``token`` is a (finite or not) number in the accepted syntax."""
    t = token.strip()
    if decimal_comma and "," in t and "." not in t:
        t = t.replace(",", ".")
    return bool(_NUMBER.match(t) or _NONFINITE.match(t))


# ------------------------------------------------------------------ column names
_FREQ = re.compile(r"(?:freq(?:uency)?|f)(?:[/(\[_:,].*)?\Z")
_IMAG = re.compile(r"(?:im\(z\)|z''|z\"|zimag|zim|z_imag|z_im|imag|imaginary|zi|im_z|imz|zimg)(?:[/(\[_:,].*)?\Z")
_REAL = re.compile(r"(?:re\(z\)|z'|zreal|zre|z_real|z_re|real|zr|re_z|rez)(?:[/(\[_:,].*)?\Z")
_MOD = re.compile(r"(?:\|z\||zmod|mod\(z\)|z_mod|modulus|zabs|abs\(z\))(?:[/(\[_:,].*)?\Z")
_PHASE = re.compile(r"(?:phase\(z\)|phase|zphz|zphase|phz|phi|z_phase)(?:[/(\[_:,].*)?\Z")
_LOOP = re.compile(r"(?:cyclenumber|cycle_number|cycle|loop|loop_index)(?:[/(\[_:,].*)?\Z")
_TIME = re.compile(r"(?:time|t)(?:[/(\[_:,].*)?\Z")

_DATA_PREFIX = re.compile(r"^data[_:.](?=.)")
_OHM = re.compile(r"([kKmMuGµ]?)(?:ohms?|Ohms?|OHMS?|Ω|Ω)")
_PREFIX = {"": 1.0, "k": 1e3, "K": 1e3, "m": 1e-3, "M": 1e6, "u": 1e-6, "µ": 1e-6, "G": 1e9}


def _norm(name: str) -> tuple[str, float]:
    """Lower-case, spaces removed, quotes stripped; leading '-' returned as sign -1."""
    n = name.strip().strip('"').strip().lower().replace(" ", "").replace("\u2019", "'").replace("\u2032", "'")
    n = n.replace("\u2033", "''")
    sign = 1.0
    if n.startswith("-"):
        sign, n = -1.0, n[1:]
    n = _DATA_PREFIX.sub("", n)  # "Data_Real", "Data: Imag", "Data.Freq" (exported instrument tables)
    if n.startswith("-"):
        sign, n = -sign, n[1:]
    return n, sign


def _ohm_scale(name: str) -> float:
    m = _OHM.search(name)
    if not m:
        return 1.0
    low = name.lower().replace(" ", "")
    if "ohm-1" in low or "ohm^-1" in low:  # admittance, not impedance
        return float("nan")
    return _PREFIX.get(m.group(1), 1.0)


def _hz_scale(name: str) -> float:
    m = re.search(r"([kKmMG]?)Hz", name)
    if m:
        return _PREFIX.get(m.group(1), 1.0)
    return 1.0


def recognise_columns(names: list[str]) -> dict[str, tuple[int, float]]:
    """Map column names to roles ``freq``, ``real``, ``imag``, ``mod``, ``phase``, ``loop``, ``time``.

    Returns
    -------
    dict
        role -> (column index, factor); the factor converts the column to SI with the
        cellsim sign convention (e.g. -1 for ``-Im(Z)``, 1e-3 for ``mOhm``; for ``phase``,
        the factor converts to radians and includes the sign).
    """
    roles: dict[str, tuple[int, float]] = {}
    for i, raw in enumerate(names):
        n, sign = _norm(raw)
        if not n:
            continue
        if "freq" not in roles and _FREQ.match(n) and sign > 0:
            roles["freq"] = (i, _hz_scale(raw))
        elif "imag" not in roles and _IMAG.match(n):
            s = _ohm_scale(raw)
            if s == s:
                roles["imag"] = (i, sign * s)
        elif "real" not in roles and _REAL.match(n) and sign > 0:
            s = _ohm_scale(raw)
            if s == s:
                roles["real"] = (i, s)
        elif "mod" not in roles and _MOD.match(n) and sign > 0:
            s = _ohm_scale(raw)
            if s == s:
                roles["mod"] = (i, s)
        elif "phase" not in roles and _PHASE.match(n):
            scale = 1.0 if "rad" in n else math.pi / 180.0
            roles["phase"] = (i, sign * scale)
        elif "loop" not in roles and _LOOP.match(n):
            roles["loop"] = (i, 1.0)
        elif "time" not in roles and _TIME.match(n) and sign > 0:
            roles["time"] = (i, {"ms": 1e-3, "min": 60.0, "h": 3600.0}.get(_time_unit(n), 1.0))
    return roles


def _time_unit(n: str) -> str:
    m = re.search(r"[/(\[_](ms|s|min|h)\)?\]?\Z", n)
    return m.group(1) if m else "s"

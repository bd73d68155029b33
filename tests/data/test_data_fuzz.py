"""Fuzzing the readers (SPEC section 6): random and mutated inputs raise only CellsimError subclasses.

A mutated file may still be valid (then it parses); what must never happen is another
exception type escaping, or a NaN/inf reaching a Spectrum.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellsim.data import FORMATS, read_spectra
from cellsim.errors import CellsimError, FileFormatError

from conftest import SHARED_EIS, mpt_text, rc_spectrum  # noqa: E402

F = np.logspace(4, -1, 12)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

CSV = "frequency_Hz,z_real_ohm,z_imag_ohm\n" + "".join(
    f"{fi!r},{zi.real!r},{zi.imag!r}\n" for fi, zi in zip(F.tolist(), rc_spectrum(F).tolist()))
DTA = ("EXPLAIN\nTAG\tEISPOT\nZCURVE\tTABLE\t12\n\tPt\tTime\tFreq\tZreal\tZimag\n\t#\ts\tHz\tohm\tohm\n"
       + "".join(f"\t{i}\t{i}\t{fi:.6g}\t{zi.real:.6g}\t{zi.imag:.6g}\n"
                 for i, (fi, zi) in enumerate(zip(F.tolist(), rc_spectrum(F).tolist()))))
ZPLOT = ("ZPlot2 ASCII\nEnd Comments\n"
         + "".join(f"{fi:.6E}, 0, 0, {i}, {zi.real:.6E}, {zi.imag:.6E}, 0, 0, 1\n"
                   for i, (fi, zi) in enumerate(zip(F.tolist(), rc_spectrum(F).tolist()))))
SEEDS = {
    "mpt": mpt_text([(F, rc_spectrum(F)), (F, rc_spectrum(F, r1=150.0))]).encode("latin-1"),
    "mpt_comma": mpt_text([(F, rc_spectrum(F))], decimal_comma=True, technique="GEIS").encode("utf-8"),
    "csv": CSV.encode(),
    "dta": DTA.encode("latin-1"),
    "z": ZPLOT.encode(),
    "txt": "".join(f"{fi} \t{zi.real} \t{zi.imag} \n"
                   for fi, zi in zip(F.tolist(), rc_spectrum(F).tolist())).encode(),
}
TOKENS = [b"NaN", b"nan", b"inf", b"-Infinity", b"1e999", b"", b"\t", b",", b";", b" ", b"1,5", b"1.2.3", b"\xb5",
          b"\x00", b"-", b"E+", b"\r", b"\n", b"\xff\xfe", b"Loop 0 from point number 0 to 3\n",
          b"Nb header lines : 9999\n", b"ZCURVE\tTABLE\t5\n", b"End Header:\n"]


def check(path, fmt=None):
    try:
        spectra = read_spectra(path, format=fmt)
    except CellsimError as exc:
        assert str(exc)  # a message a person can act on
        return None
    for s in spectra:
        assert np.all(np.isfinite(s.frequency)) and np.all(s.frequency > 0) and np.all(np.isfinite(s.z))
    return spectra


@FUZZ
@given(data=st.binary(max_size=2000), fmt=st.sampled_from((None,) + FORMATS))
def test_random_bytes(tmp_path, data, fmt):
    p = tmp_path / "random.dat"
    p.write_bytes(data)
    check(p, fmt)


@FUZZ
@given(seed=st.sampled_from(sorted(SEEDS)), data=st.data())
def test_mutated_valid_files(tmp_path, seed, data):
    raw = bytearray(SEEDS[seed])
    n_mut = data.draw(st.integers(1, 4))
    for _ in range(n_mut):
        kind = data.draw(st.sampled_from(["truncate", "flip", "insert", "delete", "replace_line"]))
        pos = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        if kind == "truncate":
            del raw[pos:]
        elif kind == "flip" and raw:
            raw[pos] = data.draw(st.integers(0, 255))
        elif kind == "insert":
            raw[pos:pos] = data.draw(st.sampled_from(TOKENS))
        elif kind == "delete":
            del raw[pos:pos + data.draw(st.integers(1, 20))]
        else:
            lines = bytes(raw).split(b"\n")
            k = data.draw(st.integers(0, len(lines) - 1))
            lines[k] = data.draw(st.sampled_from(TOKENS + [b"1,2", b"1 2 3 4 5", b"a\tb\tc"]))
            raw = bytearray(b"\n".join(lines))
    p = tmp_path / f"mutated.{seed}"
    p.write_bytes(bytes(raw))
    check(p)


@FUZZ
@given(seed=st.sampled_from(sorted(SEEDS)),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "cp1252",
                                 "cp437", "mac-roman", "utf-32"]))
def test_odd_encodings(tmp_path, seed, encoding):
    text = SEEDS[seed].decode("latin-1")
    try:
        raw = text.encode(encoding)
    except UnicodeEncodeError:
        return
    p = tmp_path / "enc.txt"
    p.write_bytes(raw)
    spectra = check(p)
    if encoding in ("utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"):
        assert spectra is not None  # these must read correctly
        assert sum(len(s) for s in spectra) in (12, 24)


@FUZZ
@given(cut=st.integers(0, 10**6))
def test_truncated_mpt_with_loop_table_always_detected(tmp_path, cut):
    """Cut anywhere before the last data line: the loop table or the field count catches it."""
    raw = SEEDS["mpt"]
    last_line_start = raw.rstrip(b"\r\n").rfind(b"\n") + 1
    cut = cut % last_line_start
    p = tmp_path / "cut.mpt"
    p.write_bytes(raw[:cut])
    with pytest.raises(CellsimError):
        read_spectra(p)


@pytest.mark.parametrize("name", ["li-tegdme-li_geis_prerun.mpr", "li-tegdme-li_geis_45loops.mpr"])
@FUZZ
@given(data=st.data())
def test_mutated_real_mpr(tmp_path, name, data):
    src = SHARED_EIS / name
    if not src.is_file():
        pytest.skip(f"{src} not available")
    raw = bytearray(src.read_bytes())
    kind = data.draw(st.sampled_from(["truncate", "flip", "zero"]))
    pos = data.draw(st.integers(0, len(raw) - 1))
    if kind == "truncate":
        del raw[pos:]
    elif kind == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    else:
        raw[pos:pos + 64] = bytes(len(raw[pos:pos + 64]))
    p = tmp_path / "m.mpr"
    p.write_bytes(bytes(raw))
    check(p)


def test_mpr_magic_but_garbage(tmp_path):
    p = tmp_path / "g.mpr"
    p.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a" + bytes(range(256)) * 4)
    with pytest.raises(FileFormatError, match="mpr"):
        read_spectra(p)

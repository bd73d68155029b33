"""Property-based reader tests: random valid spectra round-trip exactly, random field values
(NaN, inf, junk, wrong column counts) are rejected with the line number, and mutated real
Gamry/text files raise only cellsim errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellsim.data import Spectrum, read_spectra, write_csv
from cellsim.errors import CellsimError, FileFormatError

from conftest import SHARED_EIS, mpt_text  # noqa: E402

SET = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
pos = st.floats(1e-4, 1e7, allow_nan=False, allow_infinity=False)
real = st.floats(-1e9, 1e9, allow_nan=False, allow_infinity=False)


@st.composite
def spectra(draw):
    n = draw(st.integers(1, 15))
    f = np.array(draw(st.lists(pos, min_size=n, max_size=n)))
    zr = np.array(draw(st.lists(real, min_size=n, max_size=n)))
    zi = np.array(draw(st.lists(real, min_size=n, max_size=n)))
    return f, zr + 1j * zi


@SET
@given(data=spectra())
def test_cellsim_csv_roundtrip_is_exact(tmp_path, data):
    f, z = data
    p = tmp_path / "s.csv"
    write_csv(p, Spectrum(f, z))
    (s,) = read_spectra(p)
    assert np.array_equal(s.frequency, f) and np.array_equal(s.z, z)


@SET
@given(data=spectra(), comma=st.booleans(), n_loops=st.integers(1, 3))
def test_mpt_roundtrip_decimal_comma_and_loops(tmp_path, data, comma, n_loops):
    f, z = data
    loops = [(f, z * (k + 1)) for k in range(n_loops)]
    p = tmp_path / "s.mpt"
    p.write_bytes(mpt_text(loops, decimal_comma=comma).encode("latin-1"))
    out = read_spectra(p)
    assert len(out) == n_loops
    for (fk, zk), s in zip(loops, out):
        # the writer keeps 8 significant digits
        assert np.allclose(s.frequency, fk, rtol=1e-7, atol=0)
        assert np.allclose(s.z.real, zk.real, rtol=1e-7, atol=1e-300)
        assert np.allclose(s.z.imag, zk.imag, rtol=1e-7, atol=1e-300)


@SET
@given(bad=st.sampled_from(["nan", "NaN", "inf", "-inf", "1e999", "", "abc", "1.2.3", "--1", "0x10"]),
       row=st.integers(0, 4), col=st.integers(0, 2))
def test_bad_field_names_the_line(tmp_path, bad, row, col):
    rows = [["1000", "10", "-5"], ["100", "11", "-6"], ["10", "12", "-7"], ["1", "13", "-8"], ["0.1", "14", "-9"]]
    rows[row][col] = bad
    p = tmp_path / "t.csv"
    p.write_text("frequency_Hz,z_real_ohm,z_imag_ohm\n" + "".join(",".join(r) + "\n" for r in rows))
    with pytest.raises(FileFormatError) as e:
        read_spectra(p)
    assert e.value.line == row + 2


@SET
@given(ncols=st.integers(1, 6).filter(lambda n: n != 3), row=st.integers(0, 2))
def test_wrong_column_count_names_the_line(tmp_path, ncols, row):
    rows = [["1000", "10", "-5"], ["100", "11", "-6"], ["10", "12", "-7"]]
    rows[row] = (rows[row] + ["1", "2", "3"])[:ncols]
    p = tmp_path / "t.csv"
    p.write_text("frequency_Hz,z_real_ohm,z_imag_ohm\n" + "".join(",".join(r) + "\n" for r in rows))
    with pytest.raises(FileFormatError) as e:
        read_spectra(p)
    if ncols == 1 and row == 0:
        # a one-field first row reads as a (last) header line; the message points at it
        assert e.value.line == 3 and "(line 2)" in str(e.value)
    else:
        assert e.value.line == row + 2


@pytest.mark.parametrize("name", ["gamry_example.DTA", "commercial-li-ion_drt-benchmark.txt"])
@SET
@given(data=st.data())
def test_mutated_real_text_files(tmp_path, name, data):
    src = SHARED_EIS / name
    if not src.is_file():
        pytest.skip(f"{src} not available")
    raw = bytearray(src.read_bytes())
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["truncate", "flip", "insert", "delete"]))
        pos = data.draw(st.integers(0, max(len(raw) - 1, 0)))
        if kind == "truncate":
            del raw[pos:]
        elif kind == "flip" and raw:
            raw[pos] = data.draw(st.integers(0, 255))
        elif kind == "insert":
            raw[pos:pos] = data.draw(st.sampled_from([b"nan", b"\t", b",", b"1e999", b"\n", b"\x00", b"ZCURVE\tTABLE\n"]))
        else:
            del raw[pos:pos + data.draw(st.integers(1, 40))]
    p = tmp_path / ("m" + src.suffix)
    p.write_bytes(bytes(raw))
    try:
        out = read_spectra(p)
    except CellsimError as exc:
        assert str(exc)
        return
    for s in out:
        assert np.all(np.isfinite(s.frequency) & (s.frequency > 0)) and np.all(np.isfinite(s.z))

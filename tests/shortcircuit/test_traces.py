"""Cycling-trace readers: CSV/TXT, BioLogic .mpt/.mpr, NEWARE; errors name file and line; fuzzed."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cellsim.errors import CellsimError, FileFormatError, InputError
from cellsim.shortcircuit import Trace, detect_short, read_trace

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "eis"


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


@pytest.mark.parametrize("header,ts,vs,js,kind", [
    ("time_s,voltage_V,current_mA", 1.0, 1.0, 1e-3, "current"),
    ("time/h\tEwe/mV\tI/uA", 3600.0, 1e-3, 1e-6, "current"),
    ("Time (h);Voltage (V);Current (mA)", 3600.0, 1.0, 1e-3, "current"),
    ("time_min voltage_mV current_density_mA_cm2", 60.0, 1e-3, 10.0, "j"),
])
def test_csv_headers_and_units(tmp_path, header, ts, vs, js, kind):
    delim = "\t" if "\t" in header else ";" if ";" in header else "," if "," in header else " "
    rows = [(k * 0.5, 0.01 * (k + 1), 0.5) for k in range(5)]
    text = header + "\n" + "\n".join(delim.join(f"{x:g}" for x in r) for r in rows) + "\n"
    tr = read_trace(write(tmp_path, "a.csv", text), area=1e-4)
    assert tr.time == pytest.approx([r[0] * ts for r in rows], rel=1e-12)
    assert tr.voltage == pytest.approx([r[1] * vs for r in rows], rel=1e-12)
    if kind == "current":
        assert tr.current == pytest.approx(0.5 * js, rel=1e-12)
        assert tr.current_density == pytest.approx(0.5 * js / 1e-4, rel=1e-12)
    else:
        assert tr.current_density == pytest.approx(0.5 * js, rel=1e-12)
        assert tr.current == pytest.approx(0.5 * js * 1e-4, rel=1e-12)


def test_decimal_comma_semicolon_and_latin1(tmp_path):
    text = "# Zelle µ-Test\nZeit/s;Spannung;x\n"  # unknown names -> clear error
    with pytest.raises(FileFormatError, match="lacks"):
        read_trace(write(tmp_path, "b.csv", text + "0,0;0,1;1\n", "latin-1"))
    text = "# Zelle µ-Test\ntime/s;Ewe/V;I/mA\n0,0;0,010;0,5\n1,5;0,012;0,5\n"
    tr = read_trace(write(tmp_path, "c.csv", text, "latin-1"))
    assert tr.time == pytest.approx([0.0, 1.5]) and tr.voltage == pytest.approx([0.010, 0.012])
    assert tr.metadata["decimal_comma"] and tr.metadata["encoding"] == "latin-1"


def mpt(n_header_stated=None, rows=4, truncate=False, comma=False):
    header = ["EC-Lab ASCII FILE", "Nb header lines : {n}", "", "Galvanostatic Cycling with Potential Limitation",
              "Electrode surface area : 1.330 cm²", "mode\ttime/s\tEwe/V\tI/mA\tcycle number"]
    n = len(header)
    header[1] = header[1].format(n=n_header_stated or n)
    body = []
    for k in range(rows):
        vals = [1, k * 10.0, 0.002 * (k + 1), 0.133, 0]
        line = "\t".join(f"{x:g}" for x in vals)
        body.append(line.replace(".", ",") if comma else line)
    if truncate:
        body[-1] = body[-1].rsplit("\t", 2)[0]
    return "\n".join(header + body) + "\n"


@pytest.mark.parametrize("comma", [False, True])
def test_mpt_text_export(tmp_path, comma):
    tr = read_trace(write(tmp_path, "a.mpt", mpt(comma=comma), "latin-1"), area=1.33e-4)
    assert tr.metadata["format"] == "biologic-mpt"
    assert tr.time == pytest.approx([0, 10, 20, 30]) and tr.current == pytest.approx(1.33e-4)
    assert tr.current_density == pytest.approx(1.0)


def test_mpt_wrong_header_length_and_truncation(tmp_path):
    with pytest.raises(FileFormatError, match=r"a\.mpt:4: header says 4 header lines"):
        read_trace(write(tmp_path, "a.mpt", mpt(n_header_stated=4)))
    with pytest.raises(FileFormatError, match=r"b\.mpt:10: .*truncated"):
        read_trace(write(tmp_path, "b.mpt", mpt(truncate=True)))


def test_bad_rows_name_their_line(tmp_path):
    with pytest.raises(FileFormatError, match=r"c\.csv:3"):
        read_trace(write(tmp_path, "c.csv", "time_s,voltage_V,current_A\n0,0.1,1\n1,abc,1\n"))
    with pytest.raises(FileFormatError, match=r"d\.csv:3: time goes backwards"):
        read_trace(write(tmp_path, "d.csv", "time_s,voltage_V,current_A\n5,0.1,1\n1,0.1,1\n"))
    with pytest.raises(FileFormatError, match=r"e\.csv:3: column .voltage_V.: non-finite"):
        read_trace(write(tmp_path, "e.csv", "time_s,voltage_V,current_A\n0,0.1,1\n1,nan,1\n"))
    with pytest.raises(FileFormatError, match="no such file"):
        read_trace(tmp_path / "missing.csv")
    with pytest.raises(FileFormatError, match="empty"):
        read_trace(write(tmp_path, "f.csv", "  \n"))


def test_current_density_needs_an_area(tmp_path):
    tr = read_trace(write(tmp_path, "g.csv", "time_s,voltage_V,current_A\n0,0.1,1e-4\n1,0.1,1e-4\n"))
    with pytest.raises(InputError, match="area"):
        tr.current_density
    assert tr.with_area(1e-4).current_density == pytest.approx(1.0)


def test_corrupt_binary_files(tmp_path):
    p = tmp_path / "x.nda"
    p.write_bytes(b"\x00\x01garbage" * 50)
    with pytest.raises(FileFormatError, match="NEWARE"):
        read_trace(p)
    q = tmp_path / "y.mpr"
    q.write_bytes(b"BIO-LOGIC MODULAR FILE\x1a" + b"\x00" * 100)
    with pytest.raises(FileFormatError, match="mpr"):
        read_trace(q)


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/eis not present")
def test_real_mpr_gives_a_trace():
    tr = read_trace(DATA / "li-tegdme-li_geis_45loops.mpr", area=1e-4)
    assert tr.time.size == 405 and np.all(np.diff(tr.time) >= 0)
    assert np.all(np.abs(tr.voltage) < 1.0)


def test_detector_reads_a_file(tmp_path):
    t = np.arange(0, 8 * 600.0, 20.0)
    step = (t // 600).astype(int)
    j = np.where(step % 2 == 0, 1.0, -1.0) * (1 + step // 2) * 5.0
    v = 0.002 * j
    v[t >= 3 * 600 + 300] *= 0.02  # hard short in segment 3
    text = "time_s,voltage_V,current_density_A_m2\n" + "\n".join(f"{a},{b},{c}" for a, b, c in zip(t, v, j))
    tr = read_trace(write(tmp_path, "s.csv", text))
    res = detect_short(tr.time, tr.voltage, tr.current_density)
    assert res.detected and res.kind == "hard" and res.segment == 3 and res.time_s == pytest.approx(2100.0)
    assert res.survived_A_m2 == pytest.approx(5.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=400), st.sampled_from(["a.csv", "a.mpt", "a.txt", "a.mpr", "a.nda"]))
def test_fuzz_random_bytes_only_cellsim_errors(tmp_path, data, name):
    p = tmp_path / name
    p.write_bytes(data)
    try:
        read_trace(p)
    except CellsimError:
        pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzz_mutated_mpt(tmp_path, data):
    text = mpt(comma=data.draw(st.booleans()))
    pos = data.draw(st.integers(0, len(text) - 1))
    cut = data.draw(st.integers(0, 5))
    ins = data.draw(st.text(alphabet="0123456789,.\t\n-eE ;xé", max_size=5))
    p = tmp_path / "m.mpt"
    p.write_bytes((text[:pos] + ins + text[pos + cut:]).encode("latin-1", "replace"))
    try:
        tr = read_trace(p)
        assert isinstance(tr, Trace)
    except CellsimError:
        pass

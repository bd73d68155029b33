"""Readers: synthetic files of every format written into tmp_path, and the real shared files."""

from __future__ import annotations

import numpy as np
import pytest

from cellsim.data import Spectrum, detect_format, read_spectra, read_spectrum, write_csv
from cellsim.errors import CellsimError, FileFormatError, InputError, NotFoundError

from conftest import rc_spectrum  # noqa: E402  (tests/data/conftest.py helper)

F = np.logspace(5, -1, 25)
Z = rc_spectrum(F)


def loops3():
    return [(F, rc_spectrum(F, r1=100.0 + 20 * k)) for k in range(3)]


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return p


# ---------------------------------------------------------------- BioLogic .mpt
@pytest.mark.parametrize("comma", [False, True])
@pytest.mark.parametrize("encoding", ["utf-8", "latin-1"])
def test_mpt_roundtrip_decimal_and_encoding(tmp_path, mpt_factory, comma, encoding):
    text = mpt_factory([(F, Z)], decimal_comma=comma)
    p = write(tmp_path, "cell.mpt", text, encoding)
    (s,) = read_spectra(p)
    assert s.format == "biologic-mpt"
    assert s.metadata["technique"] == "PEIS"
    assert s.metadata["decimal_comma"] is comma
    assert s.metadata["encoding"] == encoding
    # written with 8 significant digits
    np.testing.assert_allclose(s.frequency, F, rtol=1e-7)
    np.testing.assert_allclose(s.z.real, Z.real, rtol=1e-7)
    np.testing.assert_allclose(s.z.imag, Z.imag, rtol=1e-7)
    assert np.all(s.z.imag < 0)  # "-Im(Z)/Ohm" converted: capacitive -> negative
    assert s.metadata["Electrode surface area"].startswith("1")
    assert s.time is not None and np.all(np.diff(s.time) > 0)


def test_mpt_geis_and_loops_from_loop_table(tmp_path, mpt_factory):
    lp = loops3()
    p = write(tmp_path, "geis.mpt", mpt_factory(lp, technique="GEIS", decimal_comma=True), "latin-1")
    spectra = read_spectra(p)
    assert [s.loop for s in spectra] == [0, 1, 2]
    assert all(s.metadata["technique"] == "GEIS" for s in spectra)
    for s, (f, z) in zip(spectra, lp):
        np.testing.assert_allclose(s.z, z, rtol=1e-7)
    assert read_spectrum(p, loop=2).z[0] == spectra[2].z[0]
    with pytest.raises(InputError, match="loop"):
        read_spectrum(p, loop=3)


def test_mpt_loops_from_cycle_number_without_loop_table(tmp_path, mpt_factory):
    p = write(tmp_path, "c.mpt", mpt_factory(loops3(), loop_table=False))
    spectra = read_spectra(p)
    assert len(spectra) == 3 and all(len(s) == F.size for s in spectra)
    assert [s.metadata["cycle"] for s in spectra] == [1.0, 2.0, 3.0]


def test_mpt_truncated_last_line(tmp_path, mpt_factory):
    text = mpt_factory(loops3(), truncate_last=True)
    n_lines = len(text.split("\r\n"))
    p = write(tmp_path, "t.mpt", text)
    with pytest.raises(FileFormatError) as err:
        read_spectra(p)
    assert err.value.line == n_lines
    assert "fields" in str(err.value) and str(p) in str(err.value)


def test_mpt_truncated_at_row_boundary_caught_by_loop_table(tmp_path, mpt_factory):
    text = mpt_factory(loops3())
    lines = text.split("\r\n")
    p = write(tmp_path, "t2.mpt", "\r\n".join(lines[:-3]) + "\r\n")  # drop the last two rows
    with pytest.raises(FileFormatError, match="loop table covers points 0..74 but the file has 73"):
        read_spectra(p)


@pytest.mark.parametrize("delta", [-1, 1, 5])
def test_mpt_wrong_header_length(tmp_path, mpt_factory, delta):
    text = mpt_factory([(F, Z)], header_delta=delta)
    true_n = int(mpt_factory([(F, Z)]).split("\r\n")[1].split(":")[1])
    p = write(tmp_path, "h.mpt", text)
    with pytest.raises(FileFormatError) as err:
        read_spectra(p)
    assert err.value.line == true_n + delta
    assert f"line {true_n}" in str(err.value)


def test_mpt_nan_row_names_line(tmp_path, mpt_factory):
    text = mpt_factory([(F, Z)])
    lines = text.split("\r\n")
    n_header = int(lines[1].split(":")[1])
    fields = lines[n_header + 3].split("\t")
    fields[1] = "NaN"
    lines[n_header + 3] = "\t".join(fields)
    p = write(tmp_path, "nan.mpt", "\r\n".join(lines))
    with pytest.raises(FileFormatError, match="non-finite") as err:
        read_spectra(p)
    assert err.value.line == n_header + 4


def test_mpt_detected_by_content_not_extension(tmp_path, mpt_factory):
    p = write(tmp_path, "export.txt", mpt_factory([(F, Z)]))
    assert detect_format(p) == "biologic-mpt"
    assert read_spectrum(p).format == "biologic-mpt"


# ---------------------------------------------------------------- Gamry .DTA
def dta_text(f, z, comma=False, count=True, abort=False, nrows=None):
    def v(x):
        s = f"{x:.7g}"
        return s.replace(".", ",") if comma else s

    rows = [f"\t{i}\t{i + 1}\t{v(fi)}\t{v(zi.real)}\t{v(zi.imag)}\t1\t{v(abs(zi))}\t{v(np.degrees(np.angle(zi)))}"
            for i, (fi, zi) in enumerate(zip(f, z))]
    n = len(rows) if nrows is None else nrows
    head = ["EXPLAIN", "TAG\tEISPOT", "TITLE\tLABEL\tPotentiostatic EIS\tTest &Identifier",
            "AREA\tQUANT\t1.00000E+000\t&Area (cm^2)",
            "ZCURVE\tTABLE" + (f"\t{n}" if count else ""),
            "\tPt\tTime\tFreq\tZreal\tZimag\tZsig\tZmod\tZphz", "\t#\ts\tHz\tohm\tohm\tV\tohm\t\u00b0"]
    tail = ["EXPERIMENTABORTED\tTOGGLE\tT\tExperiment Aborted"] if abort else []
    return "\n".join(head + rows + tail) + "\n"


@pytest.mark.parametrize("comma", [False, True])
def test_dta_synthetic(tmp_path, comma):
    p = write(tmp_path, "x.DTA", dta_text(F, Z, comma=comma, abort=True), "latin-1")
    (s,) = read_spectra(p)
    assert s.format == "gamry-dta" and s.metadata["technique"] == "EISPOT"
    np.testing.assert_allclose(s.z, Z, rtol=1e-6)
    assert s.metadata["first_line"] == 8


def test_dta_row_count_mismatch(tmp_path):
    p = write(tmp_path, "x.DTA", dta_text(F, Z, nrows=F.size + 2))
    with pytest.raises(FileFormatError, match="announces 27 rows but has 25"):
        read_spectra(p)


def test_dta_wrong_column_count(tmp_path):
    text = dta_text(F, Z).split("\n")
    text[10] = text[10].rsplit("\t", 2)[0]
    p = write(tmp_path, "x.DTA", "\n".join(text))
    with pytest.raises(FileFormatError) as err:
        read_spectra(p)
    assert err.value.line == 11


# ---------------------------------------------------------------- ZView .z
def test_zview_synthetic(tmp_path):
    head = ['"ZPlot2 ASCII"', "Software: ZPlot", "Begin Comments", "End Comments", "",
            "Data Points: 25", "End Header:"]
    rows = [f"{fi:.6E},  1.0E-02,  0.0,  {k:.1f},  {zi.real:.6E},  {zi.imag:.6E},  0,  0,  1"
            for k, (fi, zi) in enumerate(zip(F, Z))]
    p = write(tmp_path, "cell.z", "\n".join(head + rows) + "\n")
    (s,) = read_spectra(p)
    assert s.format == "zview-z"
    np.testing.assert_allclose(s.z, Z, rtol=1e-6)


# ---------------------------------------------------------------- tables
def test_cellsim_csv_roundtrip_exact(tmp_path):
    spectra = [Spectrum(F, rc_spectrum(F, r1=50.0 * (k + 1)), loop=k) for k in range(2)]
    p = tmp_path / "out.csv"
    write_csv(p, spectra)
    assert p.read_text().splitlines()[0] == "frequency_Hz,z_real_ohm,z_imag_ohm,loop"
    back = read_spectra(p)
    assert [b.format for b in back] == ["cellsim-csv"] * 2
    for a, b in zip(spectra, back):
        assert np.array_equal(a.frequency, b.frequency) and np.array_equal(a.z, b.z)
    write_csv(p, spectra[0])
    assert p.read_text().splitlines()[0] == "frequency_Hz,z_real_ohm,z_imag_ohm"
    assert np.array_equal(read_spectrum(p).z, spectra[0].z)
    assert not [x for x in tmp_path.iterdir() if x.name.startswith(".tmp")]


def test_semicolon_decimal_comma_nova_style(tmp_path):
    head = "Index;Frequency (Hz);Z' (\u03a9);-Z'' (\u03a9);Z (\u03a9);-Phase (\u00b0);Time (s)"
    rows = [f"{i + 1};{fi:.6g};{zi.real:.6g};{-zi.imag:.6g};{abs(zi):.6g};{-np.degrees(np.angle(zi)):.6g};{i}"
            .replace(".", ",") for i, (fi, zi) in enumerate(zip(F, Z))]
    p = write(tmp_path, "nova.txt", "\n".join([head] + rows), "utf-16")
    (s,) = read_spectra(p)
    assert s.metadata["encoding"].startswith("utf-16") and s.metadata["decimal_comma"]
    np.testing.assert_allclose(s.z, Z, rtol=1e-5)


def test_modulus_phase_and_unit_prefixes(tmp_path):
    rows = [f"{fi / 1e3:.9g}\t{abs(zi) / 1e3:.9g}\t{np.degrees(np.angle(zi)):.9g}" for fi, zi in zip(F, Z)]
    p = write(tmp_path, "polar.tsv", "\n".join(["Freq/kHz\t|Z|/kOhm\tPhase/deg"] + rows))
    s = read_spectrum(p)
    np.testing.assert_allclose(s.frequency, F, rtol=1e-8)
    np.testing.assert_allclose(s.z, Z, rtol=1e-7, atol=1e-6)


def test_headerless_whitespace_three_columns(tmp_path):
    rows = [f"{float(fi)!r} \t{float(zi.real)!r} \t{float(zi.imag)!r} " for fi, zi in zip(F, Z)]
    p = write(tmp_path, "lib.txt", "\n".join(rows) + "\n")
    s = read_spectrum(p)
    assert np.array_equal(s.z, Z)


def test_headerless_four_columns_is_ambiguous(tmp_path):
    p = write(tmp_path, "four.txt", "\n".join(f"{fi} {zi.real} {zi.imag} 1" for fi, zi in zip(F, Z)))
    with pytest.raises(FileFormatError, match="exactly f"):
        read_spectra(p)


def test_table_wrong_column_count_and_bad_frequency(tmp_path):
    lines = ["frequency_Hz,z_real_ohm,z_imag_ohm"] + [f"{fi},{zi.real},{zi.imag}" for fi, zi in zip(F, Z)]
    bad = list(lines)
    bad[7] = bad[7] + ",3"
    with pytest.raises(FileFormatError) as err:
        read_spectra(write(tmp_path, "a.csv", "\n".join(bad)))
    assert err.value.line == 8
    bad = list(lines)
    bad[4] = "-" + bad[4]
    with pytest.raises(FileFormatError, match="not > 0") as err:
        read_spectra(write(tmp_path, "b.csv", "\n".join(bad)))
    assert err.value.line == 5
    bad = list(lines)
    bad[9] = ",".join(bad[9].split(",")[:2] + ["-Infinity"])
    with pytest.raises(FileFormatError, match="non-finite") as err:
        read_spectra(write(tmp_path, "c.csv", "\n".join(bad)))
    assert err.value.line == 10


def test_unrecognised_header(tmp_path):
    p = write(tmp_path, "u.csv", "a,b,c\n1,2,3\n")
    with pytest.raises(FileFormatError, match="no frequency column"):
        read_spectra(p)


def test_missing_empty_and_directory(tmp_path):
    with pytest.raises(NotFoundError):
        read_spectra(tmp_path / "nope.csv")
    with pytest.raises(FileFormatError, match="empty"):
        read_spectra(write(tmp_path, "e.csv", ""))
    with pytest.raises(FileFormatError, match="directory"):
        read_spectra(tmp_path)
    with pytest.raises(InputError):
        read_spectra(write(tmp_path, "ok.csv", "1,2,3\n"), format="excel")


def test_spectrum_validation_and_band():
    s = Spectrum(F, Z)
    b = s.band(1.0, 1e3)
    assert b.frequency.min() >= 1.0 and b.frequency.max() <= 1e3 and len(b) == 13
    for kwargs in ({"fmin": 1e6}, {"fmin": 10.0, "fmax": 1.0}, {"fmin": -1.0}):
        with pytest.raises(InputError):
            s.band(**kwargs)
    with pytest.raises(InputError, match="frequency"):
        Spectrum([1.0, 0.0], [1, 2])
    with pytest.raises(InputError, match="z"):
        Spectrum([1.0, 2.0], [1, np.nan])
    with pytest.raises(InputError):
        Spectrum([1.0, 2.0], [1.0])
    assert isinstance(InputError("x", 1, "y"), CellsimError)


# ---------------------------------------------------------------- real files
def test_real_drt_benchmark_txt(shared_eis):
    s = read_spectrum(shared_eis / "commercial-li-ion_drt-benchmark.txt")
    assert len(s) == 107 and s.format == "table"
    assert s.frequency[0] == pytest.approx(999.040405) and s.frequency[-1] == pytest.approx(0.00500083202)
    assert s.z[0].imag > 0  # inductive first point kept as measured
    assert s.z[-1].imag < 0
    assert 0.1 < s.z.real.min() < s.z.real.max() < 0.2


def test_real_gamry(shared_eis):
    s = read_spectrum(shared_eis / "gamry_example.DTA")
    assert len(s) == 72 and s.format == "gamry-dta"
    assert s.frequency.max() == pytest.approx(200015.6) and s.frequency.min() == pytest.approx(0.0158898)
    assert 1.5e3 < np.abs(s.z).min() < np.abs(s.z).max() < 1.9e4
    assert s.z[-1] == pytest.approx(17007.49 - 6635.557j)


def test_real_mpr_prerun(shared_eis):
    spectra = read_spectra(shared_eis / "li-tegdme-li_geis_prerun.mpr")
    assert len(spectra) == 1
    s = spectra[0]
    assert len(s) == 15 and s.format == "biologic-mpr"
    assert 150 < np.abs(s.z).min() < np.abs(s.z).max() < 800
    assert np.all(s.z.imag < 0)  # -Im(Z) column converted
    assert s.frequency[0] == pytest.approx(1.0002e4, rel=1e-4)


def test_real_mpr_45_loops(shared_eis):
    spectra = read_spectra(shared_eis / "li-tegdme-li_geis_45loops.mpr")
    assert len(spectra) == 45
    assert [s.loop for s in spectra] == list(range(45))
    assert all(len(s) == 9 for s in spectra)
    for s in spectra:
        assert s.frequency[0] == pytest.approx(500.16, rel=1e-4)
        assert s.frequency[-1] == pytest.approx(0.7998, rel=1e-3)
        assert np.all(np.diff(s.time) > 0)
    # the interfacial impedance evolves with cycling: not all loops alike
    lf = np.array([s.z[-1].real for s in spectra])
    assert lf.std() > 1.0

"""Chosen columns (--columns f,re,im), Data_Real-style names, and corrupt .mpr numbers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cellsim.data import read_spectra
from cellsim.data._text import recognise_columns
from cellsim.errors import FileFormatError, InputError

from conftest import SHARED_EIS, rc_spectrum  # noqa: E402  (tests/data/conftest.py helper)

F = np.logspace(5, -1, 13)
Z = rc_spectrum(F)


def _rows(cols):
    return "".join(" ".join(repr(float(c[k])) for c in cols) + "\n" for k in range(len(cols[0])))


def test_data_real_style_names_recognised(tmp_path):
    p = tmp_path / "export.txt"
    p.write_text("Data_Freq\tData_Real\tData_Imag\n"
                 + _rows([F, Z.real, Z.imag]).replace(" ", "\t"))
    s = read_spectra(p)[0]
    np.testing.assert_allclose(s.frequency, F, rtol=1e-15)
    np.testing.assert_allclose(s.z, Z, rtol=1e-15)
    assert recognise_columns(["Data: Frequency", "Data: Real", "Data: -Imag"]) == {
        "freq": (0, 1.0), "real": (1, 1.0), "imag": (2, -1.0)}
    assert recognise_columns(["data_zreal_mOhm"])["real"] == (0, 1e-3)


def test_columns_by_name_and_index_with_other_columns(tmp_path):
    # no name the reader recognises: "omega_index", "hz", "resistive", "reactive"
    p = tmp_path / "odd.txt"
    p.write_text("idx hz junk resistive reactive\n" + _rows([np.arange(F.size), F, 0 * F + 7, Z.real, Z.imag]))
    with pytest.raises(FileFormatError, match="no frequency column"):
        read_spectra(p)
    for cols in ("hz,resistive,reactive", "HZ, Resistive, Reactive", "1,3,4", ["1", "resistive", "4"]):
        s = read_spectra(p, columns=cols)[0]
        np.testing.assert_allclose(s.frequency, F, rtol=1e-15)
        np.testing.assert_allclose(s.z, Z, rtol=1e-15)
    # a column of -Im Z
    q = tmp_path / "neg.txt"
    q.write_text("f a b c\n" + _rows([F, Z.real, 0 * F, -Z.imag]))
    np.testing.assert_allclose(read_spectra(q, columns="f,a,-c")[0].z, Z, rtol=1e-15)
    np.testing.assert_allclose(read_spectra(q, columns="0,1,-3")[0].z, Z, rtol=1e-15)


def test_columns_without_header_any_count(tmp_path):
    p = tmp_path / "bare.txt"
    p.write_text(_rows([F, 0 * F + 1, Z.real, Z.imag, 0 * F]))
    with pytest.raises(FileFormatError, match="--columns"):
        read_spectra(p)
    s = read_spectra(p, columns="0,2,3")[0]
    np.testing.assert_allclose(s.z, Z, rtol=1e-15)


def test_recognised_unit_factor_kept(tmp_path):
    p = tmp_path / "units.csv"
    p.write_text("freq/kHz,Z'/mOhm,x,-Z''/mOhm\n" + _rows([F / 1e3, Z.real * 1e3, F, -Z.imag * 1e3]).replace(" ", ","))
    s = read_spectra(p, columns="freq/kHz,Z'/mOhm,-Z''/mOhm")[0]
    np.testing.assert_allclose(s.frequency, F, rtol=1e-12)
    np.testing.assert_allclose(s.z, Z, rtol=1e-12)


@pytest.mark.parametrize("cols, match", [("f,re", "three columns"), ("0,1,9", "column index 9"),
                                         ("f,nope,c", "no column 'nope'"), ("0,0,1", "three different")])
def test_bad_columns(tmp_path, cols, match):
    p = tmp_path / "x.txt"
    p.write_text("f a b c\n" + _rows([F, Z.real, 0 * F, Z.imag]))
    with pytest.raises((FileFormatError, InputError), match=match):
        read_spectra(p, columns=cols)


def test_columns_refused_for_mpr():
    f = SHARED_EIS / "li-tegdme-li_geis_prerun.mpr"
    if not f.is_file():
        pytest.skip("shared data not present")
    with pytest.raises(InputError, match="text files"):
        read_spectra(f, columns="0,1,2")


def test_corrupt_mpr_number_is_a_reader_error_not_a_warning(tmp_path):
    src = SHARED_EIS / "li-tegdme-li_geis_45loops.mpr"
    if not src.is_file():
        pytest.skip("shared data not present")
    raw = bytearray(src.read_bytes())
    assert read_spectra(src)  # the intact file reads
    # one byte of a float32 in the data module set to 0xFF: an exponent of all ones (found by fuzzing;
    # numpy then said "RuntimeWarning: invalid value encountered in cast" before the reader's error)
    for offset, column in ((18423, "freq/Hz"), (18143, "Phase(Z)/deg")):
        bad = bytearray(raw)
        bad[offset] = 0xFF
        p = tmp_path / "bad.mpr"
        p.write_bytes(bytes(bad))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with pytest.raises(FileFormatError) as e:
                read_spectra(p)
        assert f"corrupt .mpr data module: column '{column}' holds a non-finite number" in str(e.value)
        assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]

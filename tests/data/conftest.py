"""Synthetic instrument files for the reader tests (written into tmp_path by the tests)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

SHARED_EIS = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "eis"


def rc_spectrum(freq, r0=10.0, r1=100.0, c1=1e-6, r2=300.0, c2=1e-4):
    """Two RC arcs in series with R0 (closed form) [ohm]."""
    w = 2 * np.pi * np.asarray(freq, dtype=float)
    return r0 + r1 / (1 + 1j * w * r1 * c1) + r2 / (1 + 1j * w * r2 * c2)


def _fmt(x: float, comma: bool) -> str:
    s = f"{x:.7E}"
    return s.replace(".", ",") if comma else s


def mpt_text(loops, *, decimal_comma=False, technique="PEIS", header_delta=0, truncate_last=False,
             loop_table=True, micro="µ"):
    """EC-Lab .mpt text for a list of (freq, Z) loops.

    header_delta shifts the announced 'Nb header lines' away from the true value;
    truncate_last cuts the last data line in the middle of its fields.
    """
    cols = ["freq/Hz", "Re(Z)/Ohm", "-Im(Z)/Ohm", "|Z|/Ohm", "Phase(Z)/deg", "time/s", "<Ewe>/V", "<I>/mA",
            f"Cs/{micro}F", f"Cp/{micro}F", "cycle number", "I Range", "|Ewe|/V", "|I|/A", "Ns"]
    name = ("Potentio Electrochemical Impedance Spectroscopy" if technique == "PEIS"
            else "Galvano Electrochemical Impedance Spectroscopy")
    c = decimal_comma
    head = [
        "EC-Lab ASCII FILE",
        "Nb header lines : {N}",
        "",
        name,
        "",
        "Run on channel : 3 (SN 12345)",
        "User : ",
        "CE vs. WE compliance from -10 V to 10 V",
        "Electrode connection : standard",
        "Potential control : Ewe",
        f"Ewe ctrl range : min = {_fmt(-10, c)} V, max = {_fmt(10, c)} V",
        "Safety Limits :",
        "\tDo not start on E overload",
        "Acquisition started on : 08/11/2023 12:33:57",
        "Device : VMP-300 (SN 12345)",
        "Electrode surface area : " + ("1,131" if c else "1.131") + " cm²",
        f"Characteristic mass : {'0,001' if c else '0.001'} g",
        f"Cs unit : {micro}F",
        "Mode                Single sine",
        "fi                  100,000" if c else "fi                  100.000",
        "unit fi             kHz",
    ]
    n_total = sum(len(f) for f, _ in loops)
    if loop_table:
        head += ["", f"Number of loops : {len(loops)}"]
        start = 0
        for k, (f, _) in enumerate(loops):
            head.append(f"Loop {k} from point number {start} to {start + len(f) - 1}")
            start += len(f)
        head.append("")
    head.append("\t".join(cols) + "\t")
    n_header = len(head)
    head[1] = head[1].format(N=n_header + header_delta)
    rows = []
    t = 0.0
    for k, (f, z) in enumerate(loops):
        for fi, zi in zip(f, z):
            t += 1.0 / fi + 0.5
            vals = [fi, zi.real, -zi.imag, abs(zi), np.degrees(np.angle(zi)), t, 0.002, 1e-4,
                    1.0, 0.5, k + 1, 12, 0.01, 1e-4, 0]
            rows.append("\t".join(_fmt(v, c) for v in vals) + "\t")
    assert len(rows) == n_total
    if truncate_last:
        fields = rows[-1].split("\t")
        rows[-1] = "\t".join(fields[:4])
    return "\r\n".join(head + rows) + ("" if truncate_last else "\r\n")


@pytest.fixture
def mpt_factory():
    return mpt_text


@pytest.fixture
def shared_eis():
    if not SHARED_EIS.is_dir():
        pytest.skip(f"shared EIS data not found at {SHARED_EIS}")
    return SHARED_EIS

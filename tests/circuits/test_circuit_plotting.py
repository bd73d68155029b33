"""cellsim.plotting: Nyquist and Bode figures (axes, labels, markers, overlays, atomic save)."""

import numpy as np
import pytest

from cellsim import plotting
from cellsim.circuits import Circuit
from cellsim.errors import InputError

F = np.logspace(6, 0, 61)


def spectrum(r=100.0):
    return F, Circuit("R0-p(R1,CPE1)").impedance(F, [10.0, r, 1e-6, 0.9])


def test_nyquist_axes_markers_and_equal_aspect(tmp_path):
    import matplotlib.pyplot as plt

    f, z = spectrum()
    path = tmp_path / "n.png"
    fig = plotting.nyquist([(f, z, "model")], path, title="t")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Z' [ohm]" and ax.get_ylabel() == "-Z'' [ohm]"
    assert ax.get_aspect() == 1.0
    line = ax.lines[0]
    assert np.allclose(line.get_ydata(), -z.imag)  # -Z'' upwards
    # a marker at every decade; a label at every decade that is not crowded onto the
    # previously labelled one (the 10 kHz..1 MHz points sit within 4 % of the span at R0)
    decades = ["1 Hz", "10 Hz", "100 Hz", "1 kHz", "10 kHz", "100 kHz", "1 MHz"]
    markers = [l for l in ax.lines if l.get_marker() == "D"]
    assert len(markers) == len(decades)
    labels = [t.get_text() for t in ax.texts]
    assert labels[0] == "1 Hz" and set(labels) <= set(decades)
    assert labels == [d for d in decades if d in labels]  # in frequency order
    span = max(np.ptp(z.real), np.ptp(z.imag))
    pts = [complex(*t.xy) for t in ax.texts]
    assert all(abs(a - b) >= 0.04 * span for a, b in zip(pts, pts[1:]))
    assert len(labels) >= 4
    # the 1 kHz marker sits on the spectrum at 1 kHz
    zk = Circuit("R0-p(R1,CPE1)").impedance([1e3], [10.0, 100.0, 1e-6, 0.9])[0]
    marker = [l for l in ax.lines if l.get_marker() == "D"][3]
    assert marker.get_xdata()[0] == pytest.approx(zk.real, rel=1e-3)
    assert path.read_bytes()[:4] == b"\x89PNG"
    plt.close(fig)


def test_overlay_and_bode(tmp_path):
    import matplotlib.pyplot as plt

    s1, s2 = spectrum(100.0), spectrum(300.0)
    fig = plotting.nyquist([(*s1, "a"), {"frequency": s2[0], "z": s2[1], "label": "b", "style": "points"}])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]
    plt.close(fig)
    fig = plotting.bode([s1, s2], tmp_path / "b.svg")
    ax1, ax2 = fig.axes
    assert ax1.get_yscale() == "log" and ax1.get_xscale() == "log"
    assert ax1.get_ylabel() == "|Z| [ohm]" and ax2.get_xlabel() == "frequency [Hz]"
    assert "deg" in ax2.get_ylabel()
    assert np.allclose(ax2.lines[0].get_ydata(), np.degrees(np.angle(s1[1])))
    assert (tmp_path / "b.svg").read_text().lstrip().startswith("<?xml")
    plt.close(fig)


def test_spectrum_objects():
    import matplotlib.pyplot as plt

    class S:
        frequency, z = spectrum()
        source = "/x/measured.mpt"

    fig = plotting.nyquist(S())
    assert fig.axes[0].get_legend().get_texts()[0].get_text() == "measured.mpt"
    plt.close(fig)


def test_format_frequency():
    assert plotting.format_frequency(1e3) == "1 kHz"
    assert plotting.format_frequency(0.01) == "10 mHz"
    assert plotting.format_frequency(3e6) == "3 MHz"


@pytest.mark.parametrize("bad", [[], [(np.ones(3), np.ones(2))], [(np.array([1.0, -1.0]), np.ones(2))], [42]])
def test_bad_spectra(bad):
    with pytest.raises(InputError):
        plotting.nyquist(bad)


def test_save_into_missing_directory(tmp_path):
    import matplotlib.pyplot as plt

    with pytest.raises(InputError):
        plotting.nyquist([spectrum()], tmp_path / "nope" / "x.png")
    plt.close("all")

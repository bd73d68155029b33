"""The :class:`Spectrum` container for one measured impedance spectrum.

Sign convention: ``z.imag`` is the true imaginary part of the impedance, negative for
capacitive behaviour (Nyquist plots show ``-z.imag`` upwards). Readers convert instrument
columns such as BioLogic's ``-Im(Z)/Ohm`` to this convention.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError
from ..files import atomic_write_text

__all__ = ["Spectrum", "write_csv"]


@dataclass(frozen=True, eq=False)
class Spectrum:
    """One impedance spectrum.

    Parameters
    ----------
    frequency : numpy.ndarray
        Frequencies [Hz], positive and finite, in measurement order.
    z : numpy.ndarray
        Complex impedance [ohm]; ``z.imag < 0`` for capacitive behaviour.
    metadata : dict, optional
        Header information of the source file (technique, area, date, ...), strings or numbers.
    source : str, optional
        File the spectrum was read from (empty for synthetic data).
    loop : int, optional
        0-based loop (cycle) index within the source file.
    format : str, optional
        Name of the file format (``"biologic-mpt"``, ``"biologic-mpr"``, ``"gamry-dta"``,
        ``"zview-z"``, ``"table"``, ``"cellsim-csv"``).
    time : numpy.ndarray, optional
        Time stamp of each point [s] when the file has one.

    Raises
    ------
    cellsim.errors.InputError
        When the arrays have different lengths, are empty, or contain a non-positive or
        non-finite frequency or a non-finite impedance.
    """

    frequency: np.ndarray
    z: np.ndarray
    metadata: dict[str, Any] = field(default_factory=dict)
    source: str = ""
    loop: int = 0
    format: str = ""
    time: np.ndarray | None = None

    def __post_init__(self) -> None:
        f = np.array(self.frequency, dtype=float).ravel()
        try:
            z = np.array(self.z, dtype=complex).ravel()
        except (TypeError, ValueError) as exc:
            raise InputError("z", type(self.z).__name__, "complex impedance values [ohm]", self.source or None) from exc
        where = self.source or None
        if f.size == 0:
            raise InputError("frequency", "[]", "at least one point", where)
        if z.shape != f.shape:
            raise InputError("z", f"{z.size} values", f"one per frequency ({f.size})", where)
        bad = ~(np.isfinite(f) & (f > 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InputError(f"frequency[{i}]", float(f[i]), "a finite frequency > 0 Hz", where)
        badz = ~np.isfinite(z)
        if badz.any():
            i = int(np.flatnonzero(badz)[0])
            raise InputError(f"z[{i}]", complex(z[i]), "a finite impedance [ohm]", where)
        t = None
        if self.time is not None:
            t = np.array(self.time, dtype=float).ravel()
            if t.shape != f.shape:
                raise InputError("time", f"{t.size} values", f"one per frequency ({f.size})", where)
            t.setflags(write=False)
        f.setflags(write=False)
        z.setflags(write=False)
        object.__setattr__(self, "frequency", f)
        object.__setattr__(self, "z", z)
        object.__setattr__(self, "time", t)
        object.__setattr__(self, "metadata", dict(self.metadata))

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return int(self.frequency.size)

    @property
    def n_points(self) -> int:
        """Number of points."""
        return int(self.frequency.size)

    @property
    def omega(self) -> np.ndarray:
        """Angular frequency [rad/s], ``2 pi f``."""
        return 2.0 * np.pi * self.frequency

    @property
    def modulus(self) -> np.ndarray:
        """``|Z|`` [ohm]."""
        return np.abs(self.z)

    def __repr__(self) -> str:
        src = f", source={os.path.basename(self.source)!r}" if self.source else ""
        return (f"Spectrum({self.n_points} points, {self.frequency.min():.4g}..{self.frequency.max():.4g} Hz, "
                f"loop={self.loop}{src})")

    def band(self, fmin: float | None = None, fmax: float | None = None) -> "Spectrum":
        """The points with ``fmin <= f <= fmax`` [Hz] (either bound optional).

        Raises
        ------
        cellsim.errors.InputError
            When the band is empty or inverted.
        """
        lo = 0.0 if fmin is None else float(fmin)
        hi = np.inf if fmax is None else float(fmax)
        if fmin is not None and not (np.isfinite(lo) and lo > 0):
            raise InputError("fmin", fmin, "a finite frequency > 0 Hz")
        if fmax is not None and not (hi > 0 and not np.isnan(hi)):
            raise InputError("fmax", fmax, "a frequency > 0 Hz")
        if hi < lo:
            raise InputError("fmax", fmax, f">= fmin ({fmin} Hz)")
        keep = (self.frequency >= lo) & (self.frequency <= hi)
        if not keep.any():
            raise InputError("fmin/fmax", f"{fmin}..{fmax} Hz",
                             f"a band containing data ({self.frequency.min():.4g}..{self.frequency.max():.4g} Hz)",
                             self.source or None)
        return Spectrum(self.frequency[keep], self.z[keep], self.metadata, self.source, self.loop, self.format,
                        None if self.time is None else self.time[keep])

    def sorted(self, descending: bool = True) -> "Spectrum":
        """A copy ordered by frequency (descending by default)."""
        order = np.argsort(self.frequency, kind="stable")
        if descending:
            order = order[::-1]
        return Spectrum(self.frequency[order], self.z[order], self.metadata, self.source, self.loop, self.format,
                        None if self.time is None else self.time[order])


def write_csv(path: str | os.PathLike, spectra: "Spectrum | list[Spectrum]") -> None:
    """Write spectra as cellsim CSV ``frequency_Hz,z_real_ohm,z_imag_ohm`` (atomically).

    With several spectra a fourth column ``loop`` holds each point's loop index.
    ``z_imag_ohm`` is negative for capacitive behaviour. Values are written with 17
    significant digits so that reading the file back is exact.

    Parameters
    ----------
    path : str or os.PathLike
        Output file; written to a temporary file in the same directory, then renamed.
    spectra : Spectrum or list of Spectrum
    """
    if isinstance(spectra, Spectrum):
        spectra = [spectra]
    spectra = list(spectra)
    multi = len(spectra) > 1
    lines = ["frequency_Hz,z_real_ohm,z_imag_ohm" + (",loop" if multi else "")]
    for s in spectra:
        for f, z in zip(s.frequency, s.z):
            row = f"{float(f)!r},{float(z.real)!r},{float(z.imag)!r}"
            lines.append(row + (f",{s.loop}" if multi else ""))
    atomic_write_text(path, "\n".join(lines) + "\n")

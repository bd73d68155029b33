"""Measured impedance data: the :class:`Spectrum` container and the file readers.

>>> from cellsim.data import read_spectrum, read_spectra
>>> s = read_spectrum("cell.mpt")            # first loop
>>> loops = read_spectra("cell_45loops.mpr")  # every loop
"""

from __future__ import annotations

from .readers import FORMATS, detect_format, read_spectra, read_spectrum
from .spectrum import Spectrum, write_csv

__all__ = ["Spectrum", "read_spectrum", "read_spectra", "detect_format", "write_csv", "FORMATS"]

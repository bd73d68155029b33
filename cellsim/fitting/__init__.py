"""Fitting and analysis of impedance spectra: CNLS circuit fits, lin-KK, DRT."""

from __future__ import annotations

from .drt import DRTResult, drt
from .kk import KKResult, lin_kk

__all__ = ["lin_kk", "KKResult", "drt", "DRTResult"]

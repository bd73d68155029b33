"""Fitting and analysis of impedance spectra: CNLS circuit fits, lin-KK, DRT, model validation."""

from __future__ import annotations

from .drt import DRTResult, drt
from .fit import FitResult, fit, fit_joint
from .kk import KKResult, lin_kk

__all__ = ["fit", "fit_joint", "FitResult", "lin_kk", "KKResult", "drt", "DRTResult", "validate_model", "ValidationResult"]


def __getattr__(name: str):
    if name in ("validate_model", "ValidationResult", "uncertain_parameters"):
        from . import validate as _v

        return getattr(_v, name)
    raise AttributeError(f"module 'cellsim.fitting' has no attribute {name!r}")

"""The seed's lifetimes (Table S3) and which of them calibrates the model.

Table S3 gives, for UVEA-LATP-UVEA between Li foils at room temperature, a Li anode lifetime
of 2500 h at 0.5 mA/cm2 and 7000 h at 0.1 mA/cm2 (cumulative capacities 1250 and
700 mAh/cm2, i.e. J t), with 1 h plating/stripping steps (Figs. S14/S16). The 2500 h calibrates
the SEI growth constant (``parameters/lifetime.toml``); the rest are predictions.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SeedLifetime", "SEED_LIFETIMES", "seed_lifetime"]


@dataclass(frozen=True)
class SeedLifetime:
    """One lifetime of Table S3 (SI): model, |J| [A/m2], half-cycle time [s], lifetime [s],
    cumulative capacity [C/m2], and its role here (``calibration`` or ``prediction``)."""

    model: str
    current: float
    step_time: float
    lifetime: float
    cumulative_capacity: float
    role: str
    source: str = "seed Table S3 (1 h steps: Figs. S14/S16)"


SEED_LIFETIMES = (
    SeedLifetime("li-uvea-latp-uvea-li", 5.0, 3600.0, 2500 * 3600.0, 1250 * 36000.0, "calibration"),
    SeedLifetime("li-uvea-latp-uvea-li", 1.0, 3600.0, 7000 * 3600.0, 700 * 36000.0, "prediction"),
)


def seed_lifetime(model: str, current: float, step_time: float) -> SeedLifetime | None:
    """The Table S3 entry for this model, |J| [A/m2] and step time [s], or None."""
    for s in SEED_LIFETIMES:
        if s.model == model and abs(s.current - current) <= 1e-9 * s.current and \
                abs(s.step_time - step_time) <= 1e-9 * s.step_time:
            return s
    return None

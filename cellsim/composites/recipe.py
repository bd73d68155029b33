"""Volume fractions of a composite from its mass recipe.

The seed's composite SSE ("UVEA+LIC") mixes LIC powder into the UVEA precursor at
LIC : precursor = 1 : 10 by mass (seed, "Preparation of sandwich SSE and composite SSE").
Volume fractions follow from the densities, assuming ideal mixing (volumes add) and no
porosity::

    phi_i = (m_i / rho_i) / sum_j (m_j / rho_j)

The precursor's own density is estimated the same way from its component mass fractions
(:data:`UVEA_PRECURSOR_MASS_PERCENT`, seed) and literature densities of the components
(:data:`UVEA_COMPONENT_DENSITIES`, [L] supplier values). Polymerisation shrinkage of the
acrylates (a few % of the total volume at 19 wt% acrylate) is neglected.
"""

from __future__ import annotations

import math
from typing import Mapping

from ..errors import InputError

#: Mass percent of the UVEA precursor components as written in the seed (the PPO
#: photo-initiator 0.5 wt% is listed on top of the other five, which add to 100.0).
UVEA_PRECURSOR_MASS_PERCENT: dict[str, float] = {
    "ethyl_acrylate": 9.52,
    "ethylene_glycol_dimethacrylate": 9.52,
    "litfsi": 28.57,
    "succinonitrile": 47.62,
    "fec": 4.77,
    "ppo": 0.5,
}

#: Densities [kg/m3] of the precursor components near room temperature, [L] (supplier data
#: sheets, not re-checked): ethyl acrylate 0.92 g/cm3, EGDMA 1.05 g/cm3, LiTFSI (solid)
#: 1.33 g/cm3, succinonitrile (solid) 0.985 g/cm3, FEC 1.45 g/cm3, PPO (BAPO) 1.19 g/cm3.
UVEA_COMPONENT_DENSITIES: dict[str, float] = {
    "ethyl_acrylate": 920.0,
    "ethylene_glycol_dimethacrylate": 1050.0,
    "litfsi": 1330.0,
    "succinonitrile": 985.0,
    "fec": 1450.0,
    "ppo": 1190.0,
}

#: The seed's composite recipe: LIC powder : UVEA precursor by mass.
SEED_COMPOSITE_MASS_RATIO = 1.0 / 10.0


def _positive(value, field: str, allow_zero: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(field, value, "a number") from None
    if not math.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise InputError(field, value, ">= 0" if allow_zero else "> 0")
    return v


def volume_fractions(masses: Mapping[str, float], densities: Mapping[str, float]) -> dict[str, float]:
    """Volume fractions [-] of the components of an ideal (volume-additive) mixture.

    ``phi_i = (m_i/rho_i) / sum_j (m_j/rho_j)``.

    Parameters
    ----------
    masses : mapping
        Component -> mass (any consistent unit, or mass fraction) [-], >= 0, not all 0.
    densities : mapping
        Component -> density [kg/m3], > 0; must name every component of ``masses``.

    Returns
    -------
    dict
        Component -> volume fraction, summing to 1.
    """
    if not masses:
        raise InputError("masses", dict(masses), "at least one component")
    volumes = {}
    for name, m in masses.items():
        if name not in densities:
            raise InputError(f"densities[{name!r}]", None, "a density for every component: " + ", ".join(masses))
        volumes[name] = _positive(m, f"masses[{name!r}]", allow_zero=True) / _positive(densities[name], f"densities[{name!r}]")
    total = sum(volumes.values())
    if total <= 0:
        raise InputError("masses", dict(masses), "at least one component with mass > 0")
    return {k: v / total for k, v in volumes.items()}


def mixture_density(mass_fractions: Mapping[str, float], densities: Mapping[str, float]) -> float:
    """Density [kg/m3] of an ideal mixture: ``1/rho = sum_i w_i/rho_i`` (w normalised to 1)."""
    total_mass = sum(_positive(w, f"mass_fractions[{k!r}]", allow_zero=True) for k, w in mass_fractions.items())
    if total_mass <= 0:
        raise InputError("mass_fractions", dict(mass_fractions), "at least one component with mass > 0")
    spec_vol = 0.0
    for k, w in mass_fractions.items():
        if k not in densities:
            raise InputError(f"densities[{k!r}]", None, "a density for every component: " + ", ".join(mass_fractions))
        spec_vol += (float(w) / total_mass) / _positive(densities[k], f"densities[{k!r}]")
    return 1.0 / spec_vol


def uvea_precursor_density() -> float:
    """Estimated density [kg/m3] of the UVEA precursor from the seed's recipe ([C], ideal mixing)."""
    return mixture_density(UVEA_PRECURSOR_MASS_PERCENT, UVEA_COMPONENT_DENSITIES)


def composite_polymer_fraction(filler_to_polymer_mass_ratio: float, filler_density: float,
                               polymer_density: float, porosity: float = 0.0) -> float:
    """Polymer volume fraction [-] of a polymer + ceramic-powder composite from its mass ratio.

    ``eps = (1 - p) (1/rho_p) / (1/rho_p + r/rho_c)`` with ``r`` = filler : polymer by mass
    and ``p`` an optional empty (gas) porosity.

    Parameters
    ----------
    filler_to_polymer_mass_ratio : float
        Ceramic powder mass over polymer (precursor) mass [-], e.g. 0.1 for the seed's 1 : 10.
    filler_density, polymer_density : float
        Densities [kg/m3].
    porosity : float
        Unfilled pore fraction [-], in [0, 1).

    Returns
    -------
    float
        Polymer volume fraction; the ceramic fraction is ``(1 - p) - eps``.
    """
    r = _positive(filler_to_polymer_mass_ratio, "filler_to_polymer_mass_ratio", allow_zero=True)
    rc = _positive(filler_density, "filler_density")
    rp = _positive(polymer_density, "polymer_density")
    p = _positive(porosity, "porosity", allow_zero=True)
    if p >= 1:
        raise InputError("porosity", porosity, "a fraction in [0, 1)")
    vp, vc = 1.0 / rp, r / rc
    return (1.0 - p) * vp / (vp + vc)

"""The scalar outputs a propagation or sensitivity study can ask for.

=================== ======== ==============================================================
name                unit     what
=================== ======== ==============================================================
``ccd``             A/m2     step-up critical current density (:func:`~cellsim.shortcircuit.ccd.run_ccd`);
                             a sample that does not short within the protocol is *censored*
                             at the protocol's stop (its CCD is known only to exceed it)
``asr``             ohm m2   area-specific resistance: (sum of bulk resistances + sum of
                             interface resistances) x area
``dcr``             ohm      DC resistance: the zero-frequency limit of the composed
                             equivalent circuit (bulk, interfaces, salt diffusion R_d,
                             electronic leakage in parallel), Re Z at 1e-9 Hz
``bulk_resistance`` ohm      sum of the layers' bulk resistances L / (sigma S)
``z_at``            ohm      |Z| of the composed equivalent circuit at ``frequency``
``lifetime``        s        symmetric-cell lifetime under galvanostatic cycling
                             (:func:`~cellsim.lifetime.refit.sample_lifetime`; ``cellsim
                             cycle --interval``); a sample that survives ``until`` is censored
                             there
=================== ======== ==============================================================
"""

from __future__ import annotations

import math
from typing import Any, Mapping

from ..errors import InputError

#: name -> (SI unit suffix of the column, SI unit, lab unit, factor SI -> lab)
OUTPUTS: dict[str, tuple[str, str, str, float]] = {
    "ccd": ("A_m2", "A/m2", "mA/cm2", 0.1),
    "asr": ("ohm_m2", "ohm m2", "ohm cm2", 1e4),
    "dcr": ("ohm", "ohm", "ohm", 1.0),
    "bulk_resistance": ("ohm", "ohm", "ohm", 1.0),
    "z_at": ("ohm", "ohm", "ohm", 1.0),
    "lifetime": ("s", "s", "h", 1.0 / 3600.0),
}
#: Frequency at which the DC limit of the circuit is read [Hz].
DC_FREQUENCY = 1e-9


def check_output(name: str, options: Mapping[str, Any]) -> None:
    """Raise InputError for an unknown output or a missing option (protocol, frequency)."""
    if name not in OUTPUTS:
        raise InputError("--output", name, "one of " + ", ".join(OUTPUTS))
    if name == "ccd" and not options.get("protocol"):
        raise InputError("--output ccd", None, "a step-up protocol: --step-time or --step-capacity")
    if name == "z_at" and not options.get("frequency"):
        raise InputError("--output z_at", None, "--frequency F, e.g. '1 kHz'")
    if name == "lifetime" and not options.get("cycle"):
        raise InputError("--output lifetime", None, "a cycling protocol: cellsim cycle MODEL --current J --step-time T "
                         "--interval N")


def column(name: str) -> str:
    """Results column of an output, e.g. ``ccd_A_m2``."""
    return f"{name}_{OUTPUTS[name][0]}"


def evaluate(name: str, stack, shortcircuit_parameters, options: Mapping[str, Any]) -> tuple[float, bool]:
    """``(value [SI], censored)`` of output ``name`` for one stack.

    ``censored`` is True only for a CCD sample that survived the whole protocol (its value
    is then the protocol's stop: the CCD exceeds it) or a lifetime sample that survived
    ``until`` (value ``until``). ``options['lifetime_values']`` holds a sample's
    ``parameters/lifetime.toml`` values (:func:`~cellsim.uncertainty.space.lifetime_values`).
    """
    if name == "bulk_resistance":
        return float(stack.total_bulk_resistance()), False
    if name == "asr":
        return float((stack.total_bulk_resistance() + sum(stack.interface_resistances())) * stack.area), False
    if name in ("dcr", "z_at"):
        from ..circuits import compose_circuit

        cc = compose_circuit(stack)
        f = DC_FREQUENCY if name == "dcr" else float(options["frequency"])
        z = complex(cc.impedance([f])[0])
        value = z.real if name == "dcr" else abs(z)
        if not math.isfinite(value):
            raise InputError(f"output {name}", value, "a finite impedance (a blocking cell has no DC resistance)")
        return float(value), False
    if name == "ccd":
        from ..shortcircuit.ccd import StepUpProtocol, run_ccd

        proto = StepUpProtocol(**options["protocol"])
        res = run_ccd(stack, proto, shortcircuit_parameters, explain=False)   # the CCD only: no margins
        if res.ccd is None:
            return float(proto.stop), True
        return float(res.ccd), False
    if name == "lifetime":
        from ..lifetime.refit import sample_lifetime

        return sample_lifetime(stack, shortcircuit_parameters, options.get("lifetime_values") or {}, options)
    raise InputError("--output", name, "one of " + ", ".join(OUTPUTS))


def evaluate_ccd_batch(stacks, shortcircuit_parameters, options: Mapping[str, Any]) -> list:
    """:func:`evaluate` of ``ccd`` for many stacks at once (:func:`~cellsim.shortcircuit.ccd.run_ccd_batch`:
    the compiled runs on one thread per core). Per stack ``(value [A/m2], censored)``, or the
    :class:`~cellsim.errors.CellsimError` it raised."""
    from ..shortcircuit.ccd import StepUpProtocol, run_ccd_batch

    proto = StepUpProtocol(**options["protocol"])
    out = []
    for res in run_ccd_batch(stacks, proto, list(shortcircuit_parameters)):
        if isinstance(res, Exception):
            out.append(res)
        elif res.ccd is None:
            out.append((float(proto.stop), True))
        else:
            out.append((float(res.ccd), False))
    return out

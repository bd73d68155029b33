"""Protocols: sequences of galvanostatic, potentiostatic and rest steps (SPEC §3).

Written like PyBaMM experiment strings, but in current density::

    Protocol.parse("Plate at 1 mA/cm2 for 1 h; Rest for 10 min; Hold at 10 mV for 2 h")
    Protocol.parse("Strip at 50 uA until 0.1 mAh/cm2")
    Protocol.parse("Plate at 2 mA/cm2 for 30 min or until 0.5 V")
    Protocol.parse("Hold at 10 mV for 5 h or until 1 uA")

Steps are separated by ``;`` or new lines. "Plate at J" is +J (Li+ from left to right),
"Strip at J" is -J, "Hold at V" holds the cell voltage, "Rest" is J = 0. Absolute currents
("uA") are divided by the stack area when the protocol is simulated.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..errors import InputError, UnitError
from ..units import parse_quantity

_STEP = re.compile(
    r"^\s*(?P<verb>plate|strip|hold|rest)\b(?:\s+at\s+(?P<value>.+?))?"
    r"(?:\s+for\s+(?P<dur>.+?))?(?:\s+(?:or\s+)?until\s+(?P<until>.+?))?\s*$",
    re.IGNORECASE)


@dataclass(frozen=True)
class Step:
    """One protocol step (SI values).

    Attributes
    ----------
    kind : str
        ``current`` (galvanostatic, also rest) or ``voltage`` (potentiostatic).
    value : float
        Current density [A/m2] (or current [A] when ``absolute``), or voltage [V].
    absolute : bool
        ``value`` is a current [A], to be divided by the stack area.
    duration : float
        Longest duration [s] (inf when only an end condition is given).
    until_kind : str
        ``""``, ``voltage`` [V], ``capacity`` [C/m2], ``current_density`` [A/m2] or ``current`` [A].
    until_value : float
    text : str
        The text the step was parsed from.
    """

    kind: str
    value: float
    absolute: bool = False
    duration: float = math.inf
    until_kind: str = ""
    until_value: float = math.nan
    text: str = ""

    def __eq__(self, other):
        if not isinstance(other, Step):
            return NotImplemented
        same_until = self.until_kind == other.until_kind and (
            self.until_kind == "" or self.until_value == other.until_value)
        return (self.kind == other.kind and self.value == other.value and self.absolute == other.absolute
                and self.duration == other.duration and same_until)

    def __hash__(self):
        return hash((self.kind, self.value, self.absolute, self.duration, self.until_kind))

    def current_density(self, area: float) -> float:
        """Current density [A/m2] of a galvanostatic step on a stack of ``area`` [m2]."""
        return self.value / area if self.absolute else self.value

    def __str__(self) -> str:
        if self.kind == "voltage":
            head = f"Hold at {self.value!r} V"
        elif self.value == 0.0:
            head = "Rest"
        else:
            verb = "Plate" if self.value > 0 else "Strip"
            unit = "A" if self.absolute else "A/m2"
            head = f"{verb} at {abs(self.value)!r} {unit}"
        parts = [head]
        if math.isfinite(self.duration):
            parts.append(f"for {self.duration!r} s")
        if self.until_kind:
            unit = {"voltage": "V", "capacity": "C/m2", "current_density": "A/m2", "current": "A"}[self.until_kind]
            parts.append(("or until " if math.isfinite(self.duration) else "until ") + f"{self.until_value!r} {unit}")
        return " ".join(parts)


class Protocol:
    """A sequence of :class:`Step` objects."""

    def __init__(self, steps: Iterable[Step]):
        self.steps = tuple(steps)
        if not self.steps:
            raise InputError("protocol", "", "at least one step, e.g. 'Plate at 1 mA/cm2 for 1 h'")

    @classmethod
    def parse(cls, text: str | "Protocol" | Sequence[str]) -> "Protocol":
        """Parse a protocol string (steps separated by ``;`` or new lines)."""
        if isinstance(text, Protocol):
            return text
        if isinstance(text, (list, tuple)):
            chunks = [str(t) for t in text]
        elif isinstance(text, str):
            # parsed steps are immutable: the same text is parsed (with pint) only once
            return cls(_parse_text(text))
        else:
            raise InputError("protocol", text, "a text such as 'Plate at 1 mA/cm2 for 1 h; Rest for 10 min'")
        chunks = [c.strip() for c in chunks if c.strip()]
        if not chunks:
            raise InputError("protocol", text, "at least one step, e.g. 'Plate at 1 mA/cm2 for 1 h'")
        return cls(parse_step(c, i + 1) for i, c in enumerate(chunks))

    def __iter__(self):
        return iter(self.steps)

    def __len__(self):
        return len(self.steps)

    def __getitem__(self, i):
        return self.steps[i]

    def __add__(self, other: "Protocol") -> "Protocol":
        return Protocol(self.steps + Protocol.parse(other).steps)

    def __mul__(self, n: int) -> "Protocol":
        return Protocol(self.steps * int(n))

    def __eq__(self, other):
        return isinstance(other, Protocol) and self.steps == other.steps

    def __str__(self) -> str:
        return "; ".join(str(s) for s in self.steps)

    def __repr__(self) -> str:
        return f"Protocol({str(self)!r})"


@functools.lru_cache(maxsize=256)
def _parse_text(text: str) -> tuple:
    """The steps of a protocol text (cached; errors are raised, never cached)."""
    chunks = [c.strip() for c in re.split(r"[;\n]", text) if c.strip()]
    if not chunks:
        raise InputError("protocol", text, "at least one step, e.g. 'Plate at 1 mA/cm2 for 1 h'")
    return tuple(parse_step(c, i + 1) for i, c in enumerate(chunks))


def _field(n: int, name: str) -> str:
    return f"protocol step {n}.{name}"


def _duration(text: str, n: int) -> float:
    field = _field(n, "duration")
    t = parse_quantity(text.strip(), "time", field)
    if not t > 0:
        raise InputError(field, text.strip(), "a duration > 0, e.g. '1 h', '10 min', '30 s'")
    return t


def parse_step(text: str, n: int = 1) -> Step:
    """Parse one step such as ``"Plate at 1 mA/cm2 for 1 h"`` (``n`` numbers it in errors)."""
    m = _STEP.match(text)
    if not m:
        raise InputError(f"protocol step {n}", text,
                         "'Plate|Strip at <current> for <time> [or until <limit>]', "
                         "'Hold at <voltage> for <time> [or until <current>]' or 'Rest for <time>'")
    verb = m.group("verb").lower()
    value_text, dur_text, until_text = m.group("value"), m.group("dur"), m.group("until")
    duration = _duration(dur_text, n) if dur_text else math.inf
    if verb == "rest":
        if value_text:
            raise InputError(_field(n, "value"), value_text, "no value for 'Rest' (write 'Rest for 10 min')")
        if until_text:
            raise InputError(_field(n, "until"), until_text, "only a duration for 'Rest'")
        if not dur_text:
            raise InputError(_field(n, "duration"), None, "a duration, e.g. 'Rest for 10 min'")
        return Step("current", 0.0, False, duration, text=text.strip())
    if not value_text:
        raise InputError(_field(n, "value"), None, f"'{verb.capitalize()} at <value>'")
    if not dur_text and not until_text:
        raise InputError(_field(n, "duration"), None, "'for <time>' and/or 'until <limit>'")
    field = _field(n, "value")
    if verb == "hold":
        v = parse_quantity(value_text.strip(), "voltage", field)
        step_kw = dict(kind="voltage", value=v, absolute=False)
        allowed_until = ("current_density", "current")
    else:
        absolute = False
        try:
            j = parse_quantity(value_text.strip(), "current_density", field)
        except UnitError:
            try:
                j = parse_quantity(value_text.strip(), "current", field)
                absolute = True
            except UnitError:
                raise InputError(field, value_text.strip(),
                                 "a current density such as '1 mA/cm2' or a current such as '50 uA'") from None
        if j < 0:
            raise InputError(field, value_text.strip(), "a magnitude >= 0 (the verb gives the sign: Plate +, Strip -)")
        step_kw = dict(kind="current", value=j if verb == "plate" else -j, absolute=absolute)
        allowed_until = ("voltage", "capacity")
    until_kind, until_value = "", math.nan
    if until_text:
        ufield = _field(n, "until")
        for kind, dim in (("voltage", "voltage"), ("capacity", "charge_density"),
                          ("current_density", "current_density"), ("current", "current")):
            try:
                until_value = parse_quantity(until_text.strip(), dim, ufield)
                until_kind = kind
                break
            except UnitError:
                continue
        if until_kind not in allowed_until:
            what = "a voltage ('3 V') or a capacity ('0.5 mAh/cm2')" if verb != "hold" else \
                "a current ('1 uA') or a current density ('0.01 mA/cm2')"
            raise InputError(ufield, until_text.strip(), what)
        if until_kind in ("capacity", "current", "current_density") and not until_value > 0:
            raise InputError(ufield, until_text.strip(), "a value > 0")
    return Step(**step_kw, duration=duration, until_kind=until_kind, until_value=until_value, text=text.strip())

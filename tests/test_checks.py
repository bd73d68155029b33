"""Shared value checks (cellsim.checks) and text tables (cellsim.tables)."""

from __future__ import annotations

import math

import pytest

from cellsim.checks import finite_number
from cellsim.errors import InputError
from cellsim.tables import format_table


def test_finite_number():
    assert finite_number("2.5", "x") == 2.5
    assert finite_number(0.0, "x", 0.0) == 0.0
    for bad, low, open_, allowed in [("a", None, False, "a real number"), (math.inf, None, False, "a finite number"),
                                     (-1.0, 0.0, False, ">= 0"), (0.0, 0.0, True, "> 0")]:
        with pytest.raises(InputError) as exc:
            finite_number(bad, "thickness", low, low_open=open_)
        assert exc.value.field == "thickness" and allowed in str(exc.value)


def test_format_table_aligns_numbers_right_and_text_left():
    text = format_table(["name", "value"], [["a", 1.23456], ["long name", None], ["b", 10]])
    lines = text.splitlines()
    assert lines[0] == "name       value"
    assert lines[1] == "---------  -----"
    assert lines[2] == "a          1.235"
    assert lines[3] == "long name  -    "
    assert lines[4] == "b             10"

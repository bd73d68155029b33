"""Screening with intervals: per-LIC intervals, paired design, 'cannot be told apart'."""

import pytest

from cellsim.errors import InputError
from cellsim.uncertainty.screening import overlapping, screen_with_intervals

AT = {"uvea_thickness": 100e-6, "temperature": 295.15}


def test_overlapping_rule():
    assert overlapping((0, 10), (5, 20))          # shares 5 of the narrower 10
    assert not overlapping((0, 10), (6, 20))      # 4 < 5
    assert not overlapping((0, 1), (2, 3))
    assert overlapping((2, 2), (0, 5))            # a point inside the other interval
    assert overlapping((0, 4), (1, 2))            # nested


def test_lic_screening_intervals_asr():
    r = screen_with_intervals("lic-screening", "asr", at=AT, samples=16, seed=1, target=0.1)
    rows = r["rows"]
    assert len(rows) == 13 and all(x["samples"] == 16 for x in rows)
    meds = [x["median"] for x in rows]
    assert meds == sorted(meds)  # a resistance: smallest first
    by = {x["label"]: x for x in rows}
    assert by["latp"]["p_exceeds"] == 1.0 and by["lgps"]["p_exceeds"] == 0.0  # 1000 ohm cm2 = 0.1 ohm m2
    # the pairs are symmetric statements of the overlap rule
    for a, b in r["cannot_be_told_apart"]:
        assert overlapping((by[a]["q05"], by[a]["q95"]), (by[b]["q05"], by[b]["q95"]))
        assert b in by[a]["cannot_be_told_apart_from"] and a in by[b]["cannot_be_told_apart_from"]
    assert ("lgps", "li3incl6") in r["cannot_be_told_apart"] or ("li3incl6", "lgps") in r["cannot_be_told_apart"]
    assert not any("latp" in p and "sio2" in p for p in r["cannot_be_told_apart"])


def test_screening_needs_a_selection():
    with pytest.raises(InputError, match="--at"):
        screen_with_intervals("lic-screening", "asr", at={"nope": 1.0})
    with pytest.raises(InputError, match="at most"):
        screen_with_intervals("lic-screening", "asr", at={}, max_points=10)

"""``cellsim polarize``: Table S1 keys and values, current parsing, errors."""

import json

import numpy as np
import pytest

from cellsim.cli import main
from cellsim.cli.cmd_polarize import parse_currents


def run_cli(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_table_s1_json(capsys):
    code, out, _ = run_cli(capsys, "polarize", "li-uvea-li", "--currents", "0.1,1,2,4,6,8,10,20,50uA", "--json")
    assert code == 0
    d = json.loads(out)
    assert np.allclose(d["currents_A"], np.array([0.1, 1, 2, 4, 6, 8, 10, 20, 50]) * 1e-6)
    assert len(d["voltages_V"]) == 9 and len(d["dcr_ohm"]) == 8
    # seed Table S1: DCR ~0.35 kohm; V9 = 17.756 mV
    assert np.all(np.abs(np.array(d["dcr_ohm"]) - 350) < 3)
    assert d["voltages_V"][-1] == pytest.approx(17.756e-3, rel=0.02)


def test_table_output_and_hold(capsys):
    code, out, _ = run_cli(capsys, "polarize", "li-uvea-li", "--currents", "1,2uA", "--hold", "10 min")
    assert code == 0 and "DCR [kohm]" in out and "600 s" in out


def test_parse_currents():
    assert parse_currents("0.1,1,2uA") == pytest.approx([1e-7, 1e-6, 2e-6])
    assert parse_currents("1 uA, 2 mA") == pytest.approx([1e-6, 2e-3])


@pytest.mark.parametrize("currents,needle", [("1,2", "--currents"), ("1,2V", "--currents"), ("", "--currents")])
def test_bad_currents(capsys, currents, needle):
    code, _, err = run_cli(capsys, "polarize", "li-uvea-li", "--currents", currents)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1

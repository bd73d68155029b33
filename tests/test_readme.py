"""README's quick start is exactly two commands, and .ci/run runs the second."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def quick_start_commands():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"## Quick start\n(.*?)\n## ", text, re.S)
    assert m, "README has no '## Quick start' section"
    blocks = re.findall(r"```(?:bash|sh)?\n(.*?)```", m.group(1), re.S)
    cmds = [l.strip() for b in blocks for l in b.splitlines() if l.strip() and not l.strip().startswith("#")]
    return cmds


def test_two_commands():
    cmds = quick_start_commands()
    assert len(cmds) == 2, cmds
    assert "cellsim demo" in cmds[0] and "pip install" in cmds[0]
    assert "pytest" in cmds[1] and "pip install" in cmds[1]


def test_ci_runs_readme_test_command():
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert quick_start_commands()[1] in ci

import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def write_spec(tmp_path):
    """write_spec(text, name="s.toml") -> path of a spec file in tmp_path."""

    def _write(text: str, name: str = "s.toml") -> Path:
        p = tmp_path / name
        p.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return p

    return _write


BASE = """
[sweep]
base_model = "li-uvea-latp-uvea-li"
outputs = ["bulk_resistance", "j_lim"]

[[axes]]
name = "uvea_thickness"
target = ["layers.UVEA-1.thickness", "layers.UVEA-2.thickness"]
start = "20 um"
stop = "200 um"
num = 4

[[axes]]
name = "temperature"
target = "temperature"
values = ["22 degC", "40 degC", "60 degC"]
"""

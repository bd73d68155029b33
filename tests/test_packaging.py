"""A plain (non-editable) install ships models/ and parameters/, and every file loads from it."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
                       capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        pytest.fail(f"pip wheel failed: {r.stderr[-2000:]}")
    wheels = list(out.glob("cellsim-*.whl"))
    assert len(wheels) == 1
    return wheels[0]


def test_wheel_contains_every_toml(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("models", "parameters"):
        for p in (REPO / folder).rglob("*.toml"):
            rel = p.relative_to(REPO / folder).as_posix()
            assert f"cellsim/_data/{folder}/{rel}" in names, rel


def test_installed_package_loads_everything_from_any_directory(wheel, tmp_path):
    target = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    code = (
        "import cellsim, cellsim.paths as p, cellsim.models as m, cellsim.library as lib\n"
        "assert str(p.data_dir('models')).startswith(%r), p.data_dir('models')\n"
        "names = m.list_models(); mats = lib.list_materials()\n"
        "assert len(names) >= 14 and len(mats) >= 16\n"
        "[m.load_model(n) for n in names]; [lib.load_material(x) for x in mats]\n"
        "print(len(names), len(mats))\n" % str(target)
    )
    env = dict(os.environ, PYTHONPATH=str(target))
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    n_models, n_mats = map(int, r.stdout.split())
    assert n_models == len(list((REPO / "models").glob("*.toml")))

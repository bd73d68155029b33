"""Atomic writes (cellsim.files): the target is replaced only by a complete file."""

from __future__ import annotations

import os

import pytest

from cellsim.errors import InputError
from cellsim.files import atomic_path, atomic_write_bytes, atomic_write_text, existing_directory


def test_write_text_and_bytes(tmp_path):
    p = tmp_path / "a.csv"
    atomic_write_text(p, "x,y\r\n1,2\n")
    assert p.read_bytes() == b"x,y\r\n1,2\n"  # line ends as given
    atomic_write_bytes(p, b"\x00\x01")
    assert p.read_bytes() == b"\x00\x01"
    assert os.listdir(tmp_path) == ["a.csv"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path):
    p = tmp_path / "a.csv"
    p.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(p) as tmp:
            with open(tmp, "w") as fh:
                fh.write("half")
            assert os.path.dirname(tmp) == str(tmp_path)  # same folder: os.replace is atomic
            raise RuntimeError("interrupted")
    assert p.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.csv"]


def test_mkdir_and_existing_directory(tmp_path):
    p = tmp_path / "new" / "deep" / "r.html"
    with pytest.raises(InputError, match="existing directory"):
        existing_directory(p, "--out")
    atomic_write_bytes(p, b"<html/>", mkdir=True)
    assert p.read_bytes() == b"<html/>"
    assert existing_directory(p, "--out") == p.parent
    with pytest.raises(FileNotFoundError):
        atomic_write_text(tmp_path / "missing" / "x.txt", "x")

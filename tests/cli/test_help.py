"""Every command's help renders (argparse %-formats help texts: a bare '%' breaks it)."""

import argparse

import pytest

from cellsim.cli import build_parser, main


def _subparsers():
    p = build_parser()
    sub = next(a for a in p._actions if isinstance(a, argparse._SubParsersAction))
    return p, sub


def test_top_level_help_renders(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    _, sub = _subparsers()
    for name in sub.choices:
        assert name in out


def test_every_command_help_renders():
    _, sub = _subparsers()
    for name, sp in sub.choices.items():
        text = sp.format_help()
        assert name in text

"""Reports on the user's own measured spectra (``cellsim report``)."""

from __future__ import annotations

from .measured import DEFAULT_CIRCUITS, FileReport, analyse_file, collect_files, write_report

__all__ = ["DEFAULT_CIRCUITS", "FileReport", "analyse_file", "collect_files", "write_report"]

"""The demo runs, writes a self-contained report, and the report renders in a browser."""

import re
import shutil
import time

import pytest

from cellsim.demo import run_demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    t0 = time.perf_counter()
    res = run_demo(out, echo=lambda s: None, progress=False)
    res["elapsed_s"] = time.perf_counter() - t0
    return res


def test_report_written_and_self_contained(demo):
    html = demo["report"].read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>")
    # nothing is loaded from the network: no external src/href
    assert not re.search(r"""(src|href)\s*=\s*['"]https?://""", html)
    assert html.count("data:image/png;base64,") == len([p for p in demo["figures"] if p.suffix == ".png"])
    assert "cellsim 0." in html and "Model files from" in html


def test_figures_have_png_and_svg(demo):
    pngs = {p.stem for p in demo["figures"] if p.suffix == ".png"}
    svgs = {p.stem for p in demo["figures"] if p.suffix == ".svg"}
    assert pngs and pngs == svgs
    for p in demo["figures"]:
        assert p.stat().st_size > 0


def test_every_axis_labelled_with_units(demo):
    assert demo["figure_labels"]
    for name, axes in demo["figure_labels"].items():
        for xlabel, ylabel in axes:
            assert xlabel and ylabel, name
            # a unit in brackets, or an explicitly dimensionless / categorical axis
            for label in (xlabel, ylabel):
                assert "[" in label or "(" in label, f"{name}: {label!r} has no unit"


def test_summary_states_seed_and_cellsim(demo):
    assert demo["summary"]
    for row in demo["summary"]:
        assert len(row) == 4


def test_report_renders_in_headless_chromium(demo, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not chromium or not driver_path:
        pytest.skip("no headless Chromium + chromedriver installed (Debian packages chromium, chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = chromium
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,2000"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(driver_path), options=opts)
    try:
        drv.get(demo["report"].resolve().as_uri())
        images = drv.execute_script(
            "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.naturalHeight]);")
        assert images, "the report has no images"
        assert all(c and w > 0 and h > 0 for c, w, h in images), images
        severe = [e for e in drv.get_log("browser") if e.get("level") == "SEVERE"]
        assert not severe, severe
        drv.save_screenshot(str(tmp_path / "report.png"))
        assert (tmp_path / "report.png").stat().st_size > 0
    finally:
        drv.quit()

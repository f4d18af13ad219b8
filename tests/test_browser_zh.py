"""The Chinese edition in a real browser: ``./course.sh lab --lang zh`` in headless Chromium.

As tests/test_browser.py does for the English course (and with its helpers and test-only
settings), this starts the server exactly as README.zh-CN.md says, opens the URL it prints and
checks that JupyterLab shows its Simplified Chinese interface (the page's language and the
menus), that the URL opens the Chinese first notebook, and then runs Chinese notebooks through
the Chinese menus (编辑 > 清除所有单元格的输出, 运行 > 运行所有单元格): no cell raises, every
code cell runs, every stored figure is drawn again. The kernel draws the figures' Chinese labels
with the CJK font (no "Glyph missing" warning, a picture unlike the English one; a screenshot of
one figure, ``zh/01_figure_label.png``), and the Chinese exercise's ``check()`` answers in
Chinese (``zh/04_tensors_and_functions_exercises.png``). Screenshots go to
``test-artifacts/screenshots/zh_00_launch.png`` and ``test-artifacts/screenshots/zh/``.

Only the first Chinese notebook runs by default: the code cells of every Chinese notebook are
the English ones (tests/test_translation.py checks it), which tests/test_browser.py runs
already. ``MINIGRAD_BROWSER_ZH_NOTEBOOKS`` (a glob relative to the repository, e.g.
``notebooks/zh/*.ipynb``) runs more.
"""

from __future__ import annotations

import base64
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import test_browser as en

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_GLOB = os.environ.get("MINIGRAD_BROWSER_ZH_NOTEBOOKS", "notebooks/zh/01_*.ipynb")
NOTEBOOKS = sorted(ROOT.glob(NOTEBOOK_GLOB))
FIRST = "notebooks/zh/01_chain_rule.ipynb"
# A figure whose title and legend are Chinese (i18n/zh/01_chain_rule.md, its code entry).
FIGURE_CELL = "25870664"
EXERCISE = ROOT / "solutions" / "zh" / "04_tensors_and_functions_exercises.ipynb"
# Every cell's outputs as JupyterLab's model holds them after the run (text and images).
JS_OUTPUTS = (
    "(path) => {"
    + en.JS_FIND_PANEL
    + """
  return findPanel(path).content.model.toJSON().cells.map((cell) => ({
    id: cell.id,
    outputs: (cell.outputs || []).map((out) => ({
      text: [].concat(out.text || (out.data && out.data["text/plain"]) || []).join(""),
      png: (out.data && out.data["image/png"]) || "",
    })),
  }));
}"""
)
# The Chinese names of the menus test_browser.py clicks, as the language pack spells them.
MENUS = {
    "Edit": "编辑",
    "Clear Outputs of All Cells": "清除所有单元格的输出",
    "Run": "运行",
    "Run All Cells": "运行所有单元格",
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[en.Lab]:
    """``./course.sh lab --lang zh``, started and checked as test_browser.py does."""
    with en.running_lab(tmp_path_factory.mktemp("lab-zh"), "--lang", "zh") as server:
        yield server


@pytest.fixture(scope="module")
def browser(lab: en.Lab) -> Iterator[Any]:
    """One headless Debian Chromium for the module, as in test_browser.py, always closed.

    Started after the server: `./course.sh lab --lang zh` may install the Chinese font, which a
    browser sees only if it starts after that."""
    en._require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(en.CHROMIUM), headless=True, args=en.CHROMIUM_ARGS
        )
        try:
            context = chromium.new_context(viewport=en.VIEWPORT)
            context.set_default_timeout(en.UI_TIMEOUT_MS)
            yield context
        finally:
            chromium.close()


def test_lang_zh_opens_the_chinese_first_notebook_in_the_chinese_interface(
    browser: Any, lab: en.Lab
) -> None:
    """The printed URL opens notebooks/zh/01, in JupyterLab's Chinese interface, no pop-ups."""
    assert f"/lab/tree/{FIRST}?" in lab.url, f"the URL does not open {FIRST}: {lab.url}"
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    assert fonts.stdout.strip(), (
        "no Chinese font for Chromium (fc-list :lang=zh is empty): the screenshots would show "
        "boxes; './course.sh lab --lang zh' installs fonts-wqy-microhei where apt can"
    )
    page = browser.new_page()
    try:
        page.goto(lab.url)
        en._wait_for_panel(page, FIRST)
        page.wait_for_timeout(3000)  # news and update notices would arrive by now
        screenshot = en.SCREENSHOTS / "zh_00_launch.png"
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot))
        print(f"screenshot of the Chinese launch: {screenshot}")
        language = page.evaluate("() => document.documentElement.lang")
        assert language.startswith("zh"), f"the page's language is {language!r}, not Chinese"
        for chinese in ("编辑", "运行", "设置"):
            menu = page.get_by_role("menuitem", name=chinese, exact=True)
            assert menu.count() == 1, f"no menu {chinese!r}: is the interface Chinese? {screenshot}"
        heading = page.locator(".jp-MarkdownOutput h1").first.inner_text()
        assert "链式法则" in heading, f"the first notebook's title is {heading!r}, not Chinese"
        assert not en._visible_popups(page), f"pop-ups: {en._visible_popups(page)}"
    finally:
        page.close()
        lab.shutdown_kernel_of(FIRST)


def _run_in_chinese(
    browser: Any, lab: en.Lab, notebook: Path, monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    """Run All Cells from the Chinese menus, checked as test_browser.py checks a notebook;
    returns every cell's outputs after the run (and takes a figure's screenshot while the page
    is open: see _shoot)."""
    original = en._click_menu
    monkeypatch.setattr(
        en, "_click_menu", lambda page, menu, item: original(page, MENUS[menu], MENUS[item])
    )
    monkeypatch.setattr(en, "SCREENSHOTS", en.SCREENSHOTS / "zh")
    seen: dict[str, Any] = {}
    wait = en._wait_for_images

    def wait_and_read(page: Any, path: str) -> list[dict[str, Any]]:
        report = wait(page, path)
        seen["outputs"] = page.evaluate(JS_OUTPUTS, path)
        _shoot(page, notebook, seen["outputs"])
        return report

    monkeypatch.setattr(en, "_wait_for_images", wait_and_read)
    screenshot = en.check_notebook_in_browser(browser, lab, notebook)
    assert screenshot.exists()
    return list(seen["outputs"])


def _shoot(page: Any, notebook: Path, outputs: list[dict[str, Any]]) -> None:
    """A screenshot of the figure of FIGURE_CELL, as the page shows it after the run."""
    index = next((i for i, cell in enumerate(outputs) if cell["id"] == FIGURE_CELL), None)
    if index is None:
        return
    figure = page.locator(".jp-Notebook .jp-Cell").nth(index).locator(".jp-OutputArea img")
    figure.first.scroll_into_view_if_needed()
    target = en.SCREENSHOTS / f"{notebook.stem[:2]}_figure_label.png"  # (zh/ already)
    target.parent.mkdir(parents=True, exist_ok=True)
    figure.first.screenshot(path=str(target))
    print(f"screenshot of a figure with Chinese labels: {target}")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_chinese_notebook_runs_through_the_chinese_menus(
    browser: Any, lab: en.Lab, notebook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run All Cells from the Chinese menus: no error, every cell ran, every figure rendered,
    no character the figures' font lacks (the kernel runs in notebooks/zh/, whose matplotlibrc
    adds the CJK font), and the figure with Chinese labels is not the English picture."""
    outputs = _run_in_chinese(browser, lab, notebook, monkeypatch)
    texts = [out["text"] for cell in outputs for out in cell["outputs"]]
    boxes = [text for text in texts if "Glyph" in text or "missing from font" in text]
    assert not boxes, f"{notebook.name}: characters drawn as boxes: {boxes[:3]}"
    english = nbformat.read(ROOT / "notebooks" / notebook.name, as_version=4)
    for cell in english.cells:
        drawn = next((c for c in outputs if c["id"] == cell.id), None)
        if cell.id != FIGURE_CELL or drawn is None:
            continue
        pngs = [base64.b64decode(out["png"]) for out in drawn["outputs"] if out["png"]]
        stored = [o.data["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
        assert pngs, f"{notebook.name}: the figure of cell {FIGURE_CELL} was not drawn"
        assert pngs[0] != base64.b64decode(stored[0]), "the figure shows the English labels"


def test_chinese_exercise_check_answers_in_chinese(
    browser: Any, lab: en.Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In JupyterLab, the Chinese exercise's check() (here on the solved notebook, so that
    Run All runs through) reads its notebook's language and prints Chinese verdicts."""
    outputs = _run_in_chinese(browser, lab, EXERCISE, monkeypatch)
    verdicts = [
        out["text"]
        for cell in outputs
        for out in cell["outputs"]
        if out["text"].startswith("q") and "（" in out["text"]
    ]
    assert len(verdicts) == 6, f"check() printed {verdicts}"
    assert all("）：通过\n" in verdict for verdict in verdicts), verdicts

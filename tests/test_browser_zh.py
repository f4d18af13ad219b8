"""The Chinese edition in a real browser: ``./course.sh lab --lang zh`` in headless Chromium.

As tests/test_browser.py does for the English course (and with its helpers and test-only
settings), this starts the server exactly as README.zh-CN.md says, opens the URL it prints and
checks that JupyterLab shows its Simplified Chinese interface (the page's language and the
menus), that the URL opens the Chinese first notebook, and then runs Chinese notebooks through
the Chinese menus (编辑 > 清除所有单元格的输出, 运行 > 运行所有单元格): no cell raises, every
code cell runs, every stored figure is drawn again. Screenshots go to
``test-artifacts/screenshots/zh_00_launch.png`` and ``test-artifacts/screenshots/zh/``.

Only the first Chinese notebook runs by default: the code cells of every Chinese notebook are
the English ones (tests/test_translation.py checks it), which tests/test_browser.py runs
already. ``MINIGRAD_BROWSER_ZH_NOTEBOOKS`` (a glob relative to the repository, e.g.
``notebooks/zh/*.ipynb``) runs more.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import test_browser as en

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_GLOB = os.environ.get("MINIGRAD_BROWSER_ZH_NOTEBOOKS", "notebooks/zh/01_*.ipynb")
NOTEBOOKS = sorted(ROOT.glob(NOTEBOOK_GLOB))
FIRST = "notebooks/zh/01_chain_rule.ipynb"
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


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_chinese_notebook_runs_through_the_chinese_menus(
    browser: Any, lab: en.Lab, notebook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run All Cells from the Chinese menus: no error, every cell ran, every figure rendered."""
    original = en._click_menu
    monkeypatch.setattr(
        en, "_click_menu", lambda page, menu, item: original(page, MENUS[menu], MENUS[item])
    )
    monkeypatch.setattr(en, "SCREENSHOTS", en.SCREENSHOTS / "zh")
    screenshot = en.check_notebook_in_browser(browser, lab, notebook)
    assert screenshot.exists()

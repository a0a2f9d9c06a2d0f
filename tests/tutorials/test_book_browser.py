"""The index and a chapter, opened in a real headless browser: they render, and the math is typeset.

Needs selenium and a chromium with its chromedriver (Debian: ``apt-get install chromium chromium-driver``);
skipped, with the reason, where they are missing.
"""
from __future__ import annotations

import io
import shutil

import numpy as np
import pytest

pytestmark = pytest.mark.slow  # needs the quick-mode book (conftest.py)


def chromium_paths():
    browser = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    return browser, shutil.which("chromedriver")


@pytest.fixture(scope="session")  # session-scoped like the book, and named first, so a skip comes before the build
def browser():
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is not installed")
    binary, driver = chromium_paths()
    if binary is None or driver is None:
        pytest.skip("no chromium and chromedriver on this machine (Debian: apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,1400"):
        options.add_argument(flag)
    session = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=driver))
    yield session
    session.quit()


def screenshot_pixels(session) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(session.get_screenshot_as_png())).convert("L"), dtype=float)


TYPESET = """
const maths = Array.from(document.querySelectorAll('math'));
return maths.map(m => [getComputedStyle(m).display, m.getBoundingClientRect().width, m.getBoundingClientRect().height]);
"""


@pytest.mark.parametrize("page", ["index.html", "06_vanishing_gradients.html"])
def test_page_renders_with_typeset_math(browser, book, page, tmp_path):
    browser.get((book / page).as_uri())
    pixels = screenshot_pixels(browser)
    (tmp_path / f"{page}.png").write_bytes(browser.get_screenshot_as_png())  # kept for a look, under pytest's tmp
    assert pixels.std() > 10 and (pixels < 128).mean() > 0.01, "the page looks blank"
    maths = browser.execute_script(TYPESET)
    assert maths, "no <math> element on the page"
    # A browser that typesets MathML lays <math> out as display "math" / "block math" with a real size;
    # one that does not would show it as inline text.
    assert all("math" in display and width > 0 and height > 0 for display, width, height in maths), maths[:3]
    if page != "index.html":
        loaded = browser.execute_script("return Array.from(document.images).map(i => i.complete && i.naturalWidth)")
        assert loaded and all(loaded), "a figure did not load"

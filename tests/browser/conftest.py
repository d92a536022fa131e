"""Real-browser tests: Debian's Chromium driven by Playwright against a live server.

They need two things this repository does not ship: Chromium (`apt-get install
chromium`) and axe-core (`make browser-deps`, which installs it from the npm
registry into var/npm/). Where either is missing they are skipped with one line
saying so, unless BROWSER_TESTS=required (set by .ci/run), where that is an error.
"""

import os
import shutil
from pathlib import Path

import pytest

from tests.browser.page_tools import assert_accessible, watch

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")
AXE_SCRIPT = ROOT / "var" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
REQUIRED = os.environ.get("BROWSER_TESTS") == "required"
SCREENSHOTS = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "test-results" / "screenshots"))


def _missing():
    missing = []
    if not CHROMIUM:
        missing.append("Chromium (apt-get install chromium)")
    if not AXE_SCRIPT.exists():
        missing.append("axe-core (make browser-deps)")
    return missing


def pytest_collection_modifyitems(config, items):
    browser_items = [item for item in items if item.get_closest_marker("browser")]
    if browser_items and os.environ.get("PYTEST_XDIST_WORKER"):
        # Live-server tests flush the database; inside a parallel run they would
        # wipe seeded data under the fast tests. `make test` runs them separately.
        skip = pytest.mark.skip(reason="browser tests run in their own pytest run (-m browser)")
        for item in browser_items:
            item.add_marker(skip)
        return
    missing = _missing()
    if not browser_items or not missing:
        return
    if REQUIRED:
        raise pytest.UsageError(
            "Browser tests are required here but cannot run: missing " + " and ".join(missing)
        )
    skip = pytest.mark.skip(reason="browser tests need " + " and ".join(missing))
    for item in browser_items:
        item.add_marker(skip)
    config._fansite_browser_skip = (len(browser_items), missing)


def pytest_terminal_summary(terminalreporter, config):
    skipped = getattr(config, "_fansite_browser_skip", None)
    if skipped:
        count, missing = skipped
        terminalreporter.write_line(
            f"Skipped {count} browser tests: install {' and '.join(missing)} to run them "
            "(see docs/testing.md)."
        )


@pytest.fixture(scope="session", autouse=True)
def _allow_database_access_beside_playwright():
    # Playwright's synchronous API runs an event loop in the test's thread; the
    # database work the tests do around it is ordinary synchronous code. Only
    # for the browser tests: anywhere else Django's guard stays on.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    headless = browser_type_launch_args.get("headless", True)  # --headed turns it off
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": headless,
        "args": [
            *(["--headless"] if headless else []),
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
            "--disable-quic",
        ],
    }


@pytest.fixture
def problems(page):
    """Console errors, uncaught exceptions and failed requests seen by the page."""
    seen = []
    watch(page, seen)
    yield seen
    assert not seen, "\n".join(seen)


@pytest.fixture(scope="session")
def axe_source():
    return AXE_SCRIPT.read_text()


@pytest.fixture
def check_accessibility(page, axe_source):
    """Run axe-core on the current page; fail on serious or critical violations."""
    return lambda: assert_accessible(page, axe_source)


@pytest.fixture
def screenshot(page):
    def take(name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)

    return take

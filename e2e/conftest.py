"""Browser-test fixtures shared by every e2e test (DESIGN §10).

Tests drive Debian's chromium (never a downloaded browser build) through Playwright's sync API
against pytest-django's `live_server`. Use them like this::

    @pytest.mark.e2e
    def test_something(live_server, page, login):
        user = ...  # factories; the live server sees committed rows, hence transactional_db below
        login(user.email, "pw-test-123")
        page.goto(f"{live_server.url}/workers/")

`page` fails the test at teardown when the browser reported a Content-Security-Policy violation or an
uncaught JavaScript error, so every e2e test also checks the strict CSP of the pages it visits.
"""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in the test thread; Django would then refuse ORM calls
# from that thread (factories, assertions) although they are not made from async code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # The machine has no network but localhost: keep chromium from dialling out at every start.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
# Generous: eight engineers share two cores, and a slow page must not read as a broken one.
DEFAULT_TIMEOUT_MS = 30_000


def pytest_collection_modifyitems(items):
    """Everything under e2e/ is a browser test and needs the transactional database: the live server
    runs in another thread with its own connection, so it sees only committed rows."""
    for item in items:
        if "/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Browser tests need Debian's chromium at {CHROMIUM} (`apt-get install chromium`).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


class ConsoleLog:
    """What the page reported: console errors and uncaught exceptions, as text."""

    def __init__(self):
        self.errors: list[str] = []

    def on_console(self, message):
        if message.type == "error":
            self.errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_page_error(self, error):
        self.errors.append(f"uncaught: {error}")

    def csp_violations(self) -> list[str]:
        return [text for text in self.errors if "Content Security Policy" in text]


@pytest.fixture
def console_log():
    return ConsoleLog()


@pytest.fixture
def page(browser, console_log):
    """A fresh browser context (no cookies) and page; fails on CSP violations and JS errors."""
    context = browser.new_context()
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    page.on("console", console_log.on_console)
    page.on("pageerror", console_log.on_page_error)
    yield page
    context.close()
    uncaught = [text for text in console_log.errors if text.startswith("uncaught: ")]
    assert not console_log.csp_violations(), f"CSP violations: {console_log.csp_violations()}"
    assert not uncaught, f"JavaScript errors: {uncaught}"


@pytest.fixture
def login(live_server, page):
    """`login(email, password)`: logs in through the real login form and waits for the redirect."""

    def do_login(email: str, password: str, next_path: str = "") -> None:
        query = f"?next={next_path}" if next_path else ""
        page.goto(f"{live_server.url}/login/{query}")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        assert "/login/" not in page.url, f"login as {email} failed: still on {page.url}"

    return do_login


# --- every page: no sideways scroll, axe-core, a screenshot (DESIGN §10, issue 11) -----------------

# axe-core 4.11.0 from the npm registry (`npm pack axe-core@4.11.0`), vendored so the tests need no
# network and no CDN. The page's strict CSP forbids inline scripts, so the file is served to the page
# under its own origin by a Playwright route and added with add_script_tag(url=...).
AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_ROUTE = "/__e2e__/axe.min.js"
ARTIFACTS_DIR = Path(__file__).resolve().parent.parent / "var" / "e2e-artifacts"
BLOCKING_IMPACTS = {"serious", "critical"}
PHONE, NARROWEST, DESKTOP = 390, 360, 1366


class PageChecker:
    """`check(name)` on the page as it is now: fails on horizontal page scroll, on any serious or
    critical axe-core violation, and saves a full-page screenshot under var/e2e-artifacts/."""

    def __init__(self, page, live_server, test_name: str):
        self.page = page
        self.base_url = live_server.url
        self.directory = ARTIFACTS_DIR / test_name
        self.directory.mkdir(parents=True, exist_ok=True)
        page.route(f"**{AXE_ROUTE}", lambda route: route.fulfill(path=AXE_PATH, content_type="text/javascript"))

    def width(self) -> int:
        return self.page.viewport_size["width"]

    def no_horizontal_scroll(self, label: str) -> None:
        overflow = self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{label}: the page scrolls sideways by {overflow}px at {self.width()}px"

    def axe(self, label: str) -> list[dict]:
        if not self.page.evaluate("typeof window.axe === 'object'"):
            self.page.add_script_tag(url=self.base_url + AXE_ROUTE)
        violations = self.page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }))"""
        )
        blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
        assert not blocking, f"{label} at {self.width()}px: axe-core found " + "; ".join(
            f"{v['impact']} {v['id']} ({v['help']}) on {v['targets']}" for v in blocking
        )
        return violations

    def check(self, name: str, *, axe: bool = True) -> None:
        """`axe=False` skips axe-core (seconds per page on 2 cores) where the same page was already
        checked at another width; the sideways-scroll check and the screenshot always run."""
        label = f"{name} ({self.page.url})"
        self.page.wait_for_load_state("load")
        self.no_horizontal_scroll(label)
        if axe:
            self.axe(label)
        self.page.screenshot(path=str(self.directory / f"{name}-{self.width()}.png"), full_page=True)


@pytest.fixture
def checker(page, live_server, request):
    return PageChecker(page, live_server, request.node.name.replace("[", "-").replace("]", ""))

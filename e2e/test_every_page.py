"""Every main page, for each kind of user, on the demo data: usable at 360 px (no sideways page
scroll) and at 1366 px, and free of serious or critical axe-core violations (issue 11, points 1
and 7). Screenshots land in var/e2e-artifacts/.

Detail pages are reached the way a person reaches them, by following the first matching link on a
list, so the test needs no ids and breaks when a list stops linking to its details.
"""

import pytest

from demo import DEMO_PASSWORD
from demo.services import demo_seed
from risks.services import risk_scan_run

from .conftest import DESKTOP, NARROWEST

# (name, path) visits a page; (name, path, selector) visits the first link matching selector on path.
HIRING_MANAGER_PAGES = [
    ("home", "/"),
    ("workers", "/workers/"),
    ("worker", "/workers/", "table a[href^='/workers/']"),
    ("check-ins", "/workers/check-ins/"),
    ("teams", "/teams/"),
    ("team", "/teams/", "table a[href^='/teams/']"),
    ("assignment-form", "/teams/", "table a[href^='/teams/']", "a[href$='/assignments/new/']"),
    ("risks", "/risks/"),
    ("flag", "/risks/", "a[href^='/risks/flags/']"),
    ("jurisdictions", "/risks/jurisdictions/"),
    ("retention", "/risks/retention/"),
    ("screening", "/screening/"),
    ("screening-detail", "/screening/", "table a[href^='/screening/']"),
    ("templates", "/screening/templates/"),
    ("template", "/screening/templates/", "table a[href^='/screening/templates/']"),
]
CLIENT_ADMIN_PAGES = [
    ("home", "/"),
    ("integrations", "/integrations/"),
    ("audit", "/audit/"),
    ("team-new", "/teams/new/"),
    ("worker", "/workers/", "table a[href^='/workers/']"),
    ("worker-dates", "/workers/?status=active", "table a[href^='/workers/']", "a[href$='/dates/']"),
]
# The provider admin changes contracts (the payroll officer cannot).
PROVIDER_ADMIN_PAGES = [
    ("contract-edit", "/workers/?status=active", "table a[href^='/workers/']", "a[href^='/provider/contracts/']"),
]
PAYROLL_OFFICER_PAGES = [
    ("home", "/"),
    ("provider", "/provider/"),
    ("payroll-runs", "/provider/payroll/"),
    ("payroll-run", "/provider/payroll/", "table a[href^='/provider/payroll/']"),
    ("payroll-entry", "/provider/payroll/", "table a[href^='/provider/payroll/']", "a[href*='/entries/']"),
    ("compliance", "/provider/compliance/"),
    ("compliance-item", "/provider/compliance/", "table a[href^='/provider/compliance/']"),
    ("imports", "/provider/imports/"),
    ("workers", "/workers/"),
    ("worker", "/workers/", "table a[href^='/workers/']"),
    ("screening-outcomes", "/screening/"),
    ("risks", "/risks/"),
]


@pytest.fixture
def demo():
    """The demo data as `seed_demo` leaves it: seeded, then scanned, so the planted flags exist."""
    demo_seed()
    risk_scan_run()


def _visit(page, base_url: str, entry: tuple) -> None:
    page.goto(base_url + entry[1])
    for selector in entry[2:]:
        link = page.locator(selector).first
        assert link.count(), f"{entry[0]}: no link {selector!r} on {page.url}"
        page.goto(base_url + link.get_attribute("href"))


def _walk(page, live_server, checker, login, email: str, pages: list[tuple]) -> None:
    for width in (NARROWEST, DESKTOP):
        page.set_viewport_size({"width": width, "height": 900})
        if width == NARROWEST:
            login(email, DEMO_PASSWORD)
        for entry in pages:
            _visit(page, live_server.url, entry)
            # axe-core once per page, at the phone width where layout problems show first.
            checker.check(entry[0], axe=width == NARROWEST)


def test_login_page(live_server, page, checker):
    for width in (NARROWEST, DESKTOP):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/login/")
        checker.check("login")


def test_every_page_of_a_hiring_manager(demo, live_server, page, checker, login):
    _walk(page, live_server, checker, login, "manager@acme.example", HIRING_MANAGER_PAGES)


def test_every_page_of_a_client_admin(demo, live_server, page, checker, login):
    _walk(page, live_server, checker, login, "admin@acme.example", CLIENT_ADMIN_PAGES)


def test_every_page_of_a_provider_admin(demo, live_server, page, checker, login):
    _walk(page, live_server, checker, login, "admin@remotely.example", PROVIDER_ADMIN_PAGES)


def test_every_page_of_a_payroll_officer(demo, live_server, page, checker, login):
    _walk(page, live_server, checker, login, "payroll@remotely.example", PAYROLL_OFFICER_PAGES)


def test_the_phone_menu_folds_and_opens(demo, live_server, page, login):
    """At phone width the navigation hides behind one button, which opens it (Log out included)."""
    page.set_viewport_size({"width": NARROWEST, "height": 800})
    login("manager@acme.example", DEMO_PASSWORD)
    toggle = page.get_by_role("button", name="Menu")
    logout = page.get_by_role("button", name="Log out")
    assert toggle.is_visible()
    assert not logout.is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert logout.is_visible()
    box = logout.bounding_box()
    assert box["x"] + box["width"] <= NARROWEST
    page.get_by_role("link", name="Workers", exact=True).click()
    assert page.url.endswith("/workers/")
    page.set_viewport_size({"width": DESKTOP, "height": 800})
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.get_by_role("button", name="Log out").is_visible()


def test_skip_link_moves_focus_to_the_content(demo, live_server, page, login):
    login("manager@acme.example", DEMO_PASSWORD)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    assert skip.evaluate("el => el === document.activeElement")
    assert skip.is_visible(), "the skip link must show when focused"
    outline = skip.evaluate("el => getComputedStyle(el).outlineStyle")
    assert outline != "none", "focus must be visible"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

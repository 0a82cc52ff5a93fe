"""The API docs render in the browser from locally served assets, within the docs CSP."""

import pytest

pytestmark = pytest.mark.e2e


def test_swagger_ui_renders_the_schema_without_csp_violations(live_server, page, console_log):
    page.goto(f"{live_server.url}/api/docs/")

    title = page.locator(".swagger-ui .info .title")
    title.wait_for()
    assert "Outstaff API" in title.inner_text()
    # Operations were rendered from /api/schema/, so the schema request worked in the browser.
    assert page.locator(".opblock").count() > 0
    assert console_log.csp_violations() == []

"""A client admin turns on two-factor in the browser (the QR code is an inline SVG under the strict
CSP), then the next login needs the code from the authenticator app."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.choices import Role
from accounts.tests.factories import ClientFactory, MembershipFactory, UserFactory, totp_token

pytestmark = pytest.mark.e2e

PASSWORD = "pw-test-123"


def test_enrol_an_authenticator_then_log_in_with_its_code(live_server, page, console_log, login):
    user = UserFactory(email="admin@twofactor.e2e.test")
    MembershipFactory(user=user, organization=ClientFactory(name="Acme 2FA"), role=Role.CLIENT_ADMIN)
    login(user.email, PASSWORD)

    page.get_by_role("link", name="Security").click()
    qr = page.locator("figure.qr svg")
    assert qr.is_visible() and qr.bounding_box()["width"] > 100
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    page.get_by_label("Code from your authenticator app").fill(totp_token(device))
    with page.expect_navigation():
        page.get_by_role("button", name="Turn on two-factor").click()
    assert "Two-factor authentication is on" in page.content()

    with page.expect_navigation():
        page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert "/login/" in page.url and "6-digit code" in page.content()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Authentication code").fill(totp_token(device, drift=1))
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert "/login/" not in page.url
    assert console_log.errors == []

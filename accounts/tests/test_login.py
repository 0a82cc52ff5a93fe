import os
import secrets
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Organization
from accounts.tests.factories import (
    ClientFactory,
    ProviderOrgFactory,
    UserFactory,
    login_with_second_factor,
    make_actor,
    totp_token,
)

pytestmark = pytest.mark.django_db

PASSWORD = "pw-test-123"


def _login(client, email, password, ip="198.51.100.7", path="/login/", otp_token=None, **headers):
    data = {"username": email, "password": password}
    if otp_token is not None:
        data["otp_token"] = otp_token
    return client.post(path, data, REMOTE_ADDR=ip, **headers)


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_login_page_renders_in_the_product_layout(client):
    response = client.get("/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Log in to Outstaff" in body and "/static/css/app.css" in body
    assert "http://" not in body.replace("http://testserver", "") and "https://" not in body


def test_login_with_email_and_password_lands_on_home(client):
    actor = make_actor(ClientFactory(name="Acme"))
    response = client.post("/login/", {"username": actor.user.email, "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert "Acme" in response.content.decode()


@override_settings(AXES_FAILURE_LIMIT=3)
def test_repeated_failures_lock_that_username_from_that_address_only(client):
    user = UserFactory()
    make_actor(ClientFactory(), user=user)
    for _ in range(2):
        assert "Please enter a correct" in _login(client, user.email, "wrong").content.decode()
    # The third failure locks the pair; the page says so and for how long.
    assert _login(client, user.email, "wrong").status_code == 429
    locked = _login(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed attempts" in locked.content.decode() and "Wait 15 minutes" in locked.content.decode()
    assert locked["Retry-After"] == "900"
    assert not _logged_in(client)
    # A different case of the same e-mail is the same account, not a fresh counter.
    assert _login(client, user.email.upper(), PASSWORD).status_code == 429
    # The attacker's address is locked; the user's own office is not.
    _login(client, user.email, PASSWORD, ip="203.0.113.50")
    assert _logged_in(client)


@override_settings(AXES_FAILURE_LIMIT=3)
def test_admin_login_shares_the_lockout_of_the_login_page(client):
    """20 wrong passwords on /admin/login/ then the right one used to log in (issue 10)."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(2):
        assert _login(client, staff.email, "wrong", path="/admin/login/").status_code == 200
    assert _login(client, staff.email, "wrong", path="/admin/login/").status_code == 429
    response = _login(client, staff.email, PASSWORD, path="/admin/login/")
    assert response.status_code == 429 and "Too many failed attempts" in response.content.decode()
    assert not _logged_in(client)
    assert _login(client, staff.email, PASSWORD).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=3)
def test_a_lockout_on_the_login_page_holds_on_the_admin_login(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    for _ in range(3):
        _login(client, staff.email, "wrong")
    assert _login(client, staff.email, PASSWORD, path="/admin/login/").status_code == 429
    assert not _logged_in(client)


@override_settings(LOGIN_IP_FAILURE_LIMIT=10)
def test_spraying_many_usernames_from_one_address_is_stopped(client):
    victim = UserFactory()
    make_actor(ClientFactory(), user=victim)
    for n in range(9):
        response = _login(client, f"guess{n}@example.test", "wrong")
        assert response.status_code == 200, n
    assert _login(client, "guess9@example.test", "wrong").status_code == 429
    # Every username, even a real one with its right password, is refused from that address now.
    assert _login(client, victim.email, PASSWORD).status_code == 429
    assert _login(client, "another@example.test", "wrong").status_code == 429
    assert not _logged_in(client)
    _login(client, victim.email, PASSWORD, ip="203.0.113.9")
    assert _logged_in(client)


def test_successful_login_clears_that_pairs_failures(client):
    user = UserFactory()
    make_actor(ClientFactory(), user=user)
    _login(client, user.email, "wrong")
    assert AccessAttempt.objects.filter(username=user.email.lower()).exists()
    _login(client, user.email, PASSWORD)
    assert _logged_in(client)
    assert not AccessAttempt.objects.filter(username=user.email.lower()).exists()


@override_settings(AXES_FAILURE_LIMIT=2)
def test_a_forged_forwarded_for_header_does_not_reset_the_count(client):
    """Directly exposed (no trusted proxy), X-Forwarded-For is the attacker's to choose: ignored."""
    user = UserFactory()
    for n in range(2):
        _login(client, user.email, "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    response = _login(client, user.email, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}


@override_settings(AXES_FAILURE_LIMIT=2, TRUSTED_PROXY_HOPS=1)
def test_behind_one_proxy_the_address_it_appended_is_the_client(client):
    user = UserFactory()
    for _ in range(2):
        # The client prepended a fake address; the proxy (REMOTE_ADDR) appended the real one.
        _login(client, user.email, "wrong", ip="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.44")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.44"}
    assert _login(client, user.email, PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.44").status_code == 429
    _login(client, user.email, PASSWORD, ip="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.45")
    assert _logged_in(client)


def test_logout_is_a_post(client):
    actor = make_actor(ClientFactory())
    client.force_login(actor.user)
    assert client.post("/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_user_without_membership_gets_404_not_a_crash(client):
    client.force_login(UserFactory())
    assert client.get("/").status_code == 404


def test_switching_organization_only_to_own_memberships(client):
    user = UserFactory()
    acme = ClientFactory(name="Acme Switch")
    remotely = ProviderOrgFactory(name="Remotely Switch")
    stranger = ClientFactory(name="Stranger Org")
    make_actor(acme, user=user)
    make_actor(remotely, user=user)
    client.force_login(user)
    client.post("/switch-organization/", {"organization": str(remotely.id)})
    assert "Provider workspace" in client.get("/").content.decode()
    client.post("/switch-organization/", {"organization": str(stranger.id)})
    body = client.get("/").content.decode()
    assert "Stranger Org" not in body.split("<main")[1]


# --- Two-factor -----------------------------------------------------------------------------------


def _enrol(client, user) -> TOTPDevice:
    page = client.get("/account/two-factor/")
    body = page.content.decode()
    assert page.status_code == 200 and "<svg" in body and "Set up an authenticator app" in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post("/account/two-factor/", {"action": "confirm", "token": totp_token(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    return device


def test_enrolment_draws_the_qr_code_locally_and_confirms_with_a_code(client):
    actor = make_actor(ClientFactory())
    client.force_login(actor.user)
    page = client.get("/account/two-factor/").content.decode()
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    # The secret is never sent to a third-party image service; no URL but the SVG namespace.
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
    device = TOTPDevice.objects.get(user=actor.user)
    wrong = client.post("/account/two-factor/", {"action": "confirm", "token": "000000"})
    assert wrong.status_code == 400 and "not valid" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    _enrol(client, actor.user)
    assert "is <strong>on</strong>" in client.get("/account/two-factor/").content.decode()


# django-otp also slows down codes after a wrong one (1 s, doubling); off here to test the sequence.
@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_after_enrolment_login_needs_the_code_and_a_wrong_code_counts_as_a_failure(client):
    actor = make_actor(ClientFactory())
    client.force_login(actor.user)
    device = _enrol(client, actor.user)
    client.logout()
    response = _login(client, actor.user.email, PASSWORD)
    assert "Enter the current 6-digit code" in response.content.decode() and not _logged_in(client)
    _login(client, actor.user.email, PASSWORD, otp_token="123456")
    assert AccessAttempt.objects.get(username=actor.user.email.lower()).failures_since_start == 2
    _login(client, actor.user.email, PASSWORD, otp_token=totp_token(device, drift=1))
    assert _logged_in(client)
    assert client.get("/").status_code == 200


def test_an_organization_admin_can_require_two_factor_for_members(client, api_key_client):
    org = ClientFactory()
    admin = make_actor(org)
    member = make_actor(org, role="viewer")
    client.force_login(member.user)
    refused = client.post("/account/two-factor/", {"action": "require"})
    assert refused.status_code == 400 and "Only the organization" in refused.content.decode()
    assert not Organization.objects.get(pk=org.pk).require_two_factor

    client.force_login(admin.user)
    assert client.post("/account/two-factor/", {"action": "require"}).status_code == 302
    assert Organization.objects.get(pk=org.pk).require_two_factor

    client.force_login(member.user)
    response = client.get("/workers/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/?next=%2Fworkers%2F")
    api = client.get("/api/v1/workers/")
    assert api.status_code == 403 and "two-factor" in api.json()["title"].lower()
    # Turning it off is refused while the organization requires it.
    _enrol(client, member.user)
    assert client.post("/account/two-factor/", {"action": "disable"}).status_code == 400
    assert client.get("/workers/").status_code == 200
    # An API key is not a session: unaffected.
    assert api_key_client(org, ["workers:read"]).get("/api/v1/workers/").status_code == 200
    # Another organization is not affected by this one's requirement.
    outsider = make_actor(ClientFactory())
    client.force_login(outsider.user)
    assert client.get("/workers/").status_code == 200


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_staff_must_pass_a_code_for_the_admin(client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/two-factor/")
    assert client.get("/admin/accounts/user/").status_code == 302
    device = _enrol(client, staff)
    assert client.get("/admin/").status_code == 200
    # Next session: the admin login takes the password, then the code on the two-factor page.
    client.logout()
    _login(client, staff.email, PASSWORD, path="/admin/login/")
    assert _logged_in(client)
    assert client.get("/admin/").status_code == 302
    bad = client.post("/account/two-factor/", {"action": "verify", "token": "000000", "next": "/admin/"})
    assert bad.status_code == 400
    ok = client.post(
        "/account/two-factor/", {"action": "verify", "token": totp_token(device, drift=1), "next": "/admin/"}
    )
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    # Staff cannot turn it off.
    assert client.post("/account/two-factor/", {"action": "disable"}).status_code == 400


def test_verified_staff_helper_opens_the_admin(client):
    login_with_second_factor(client, UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200


# --- Password hashing ---------------------------------------------------------------------------


def test_production_settings_hash_passwords_with_argon2(tmp_path):
    """Tests use a fast hasher; the settings a deployment runs with use Argon2 first."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "outstaff.settings.production",
        # The production settings refuse a weak or repeated key (outstaff.security): a random one.
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "example.com",
    }
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from django.contrib.auth.hashers import make_password; "
        "print(settings.PASSWORD_HASHERS[0]); print(make_password('s3cret').split('$')[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, cwd=settings.BASE_DIR
    )
    first, algorithm = out.stdout.split()[-2:]
    assert first == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert algorithm == "argon2"


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"])
def test_argon2_hashes_verify():
    encoded = make_password("s3cret")
    assert encoded.startswith("argon2$") and check_password("s3cret", encoded) and not check_password("x", encoded)


@pytest.mark.django_db
def test_granting_staff_or_superuser_is_audited_without_the_password():
    import pghistory

    user = UserFactory()
    with pghistory.context(channel="admin", user=str(user.pk)):
        user.is_staff = True
        user.save()
    user.set_password("a new secret passphrase")
    user.save()  # a password change is not an access-flag change: no version
    user.is_superuser = True
    user.save(update_fields=["is_superuser"])
    versions = list(user.pgh_event_model.objects.filter(pgh_obj_id=user.pk).order_by("pgh_id"))
    assert [(v.pgh_label, v.is_staff, v.is_superuser) for v in versions] == [
        ("insert", False, False),
        ("update", True, False),
        ("update", True, True),
    ]
    assert versions[1].pgh_context.metadata["channel"] == "admin"
    assert not hasattr(versions[0], "password")


@pytest.mark.django_db
def test_enrolling_and_removing_a_second_factor_is_audited_without_the_secret():
    import pghistory

    from accounts import services

    user = UserFactory()
    device = services.totp_device_start(user=user)
    with pghistory.context(channel="web", user=str(user.pk)):
        services.totp_device_confirm(user=user, token=totp_token(device))
        services.totp_devices_remove(user=user, organization=None)
        services.totp_devices_remove(user=user, organization=None)  # nothing left to remove: no version
    # Re-enrolled, then the device removed in the Django admin (django-otp's own screen): audited too.
    device = services.totp_device_start(user=user)
    services.totp_device_confirm(user=user, token=totp_token(device))
    with pghistory.context(channel="admin", user=str(user.pk)):
        TOTPDevice.objects.get(user=user).delete()
    leaving = UserFactory()
    services.totp_device_confirm(user=leaving, token=totp_token(services.totp_device_start(user=leaving)))
    leaving_id = leaving.pk
    leaving.delete()  # the cascade takes the device with the user, and the deletion is recorded
    leaving_labels = user.pgh_event_model.objects.filter(pgh_obj_id=leaving_id).order_by("pgh_id")
    assert list(leaving_labels.values_list("pgh_label", flat=True))[-2:] == ["two_factor.removed", "delete"]
    versions = list(user.pgh_event_model.objects.filter(pgh_obj_id=user.pk).order_by("pgh_id"))
    assert [v.pgh_label for v in versions] == [
        "insert",
        "two_factor.enrolled",
        "two_factor.removed",
        "two_factor.enrolled",
        "two_factor.removed",
    ]
    assert versions[4].pgh_context.metadata["channel"] == "admin"
    assert versions[1].pgh_context.metadata["user"] == str(user.pk)
    assert versions[1].pgh_context.metadata["channel"] == "web"
    assert not any(hasattr(v, "key") or hasattr(v, "bin_key") for v in versions)

"""A deployment cannot start insecure (issue 10, point 5): the production settings refuse a short,
published or repository-found secret key, and a plain-http trial for a public host name."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from outstaff.security import check_plain_http_trial, check_secret_key, secret_key_problem

BASE_DIR = Path(__file__).resolve().parent.parent.parent
GOOD = secrets.token_urlsafe(50)


def _start_production(**env) -> subprocess.CompletedProcess:
    """`manage.py check` under the production settings, in a process of its own (the settings
    module runs the checks at import)."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(DJANGO_SETTINGS_MODULE="outstaff.settings.production", DJANGO_ALLOWED_HOSTS="example.com")
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_random_key_passes():
    assert secret_key_problem(GOOD, base_dir=BASE_DIR) == ""


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("", "at least 50 characters"),
        ("x" * 49, "at least 50 characters"),
        ("change-me-to-a-long-random-string-of-at-least-fifty-characters-0000", "placeholder published"),
        ("k" * 60, "too few characters"),
    ],
)
def test_weak_and_published_keys_are_refused(key, reason):
    with pytest.raises(ImproperlyConfigured, match=reason):
        check_secret_key(key, base_dir=BASE_DIR)


def test_a_key_found_in_the_repository_is_refused(tmp_path):
    key = secrets.token_urlsafe(50)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "deploy.md").write_text(f"DJANGO_SECRET_KEY={key}\n")
    with pytest.raises(ImproperlyConfigured, match=r"appears in the repository \(docs/deploy.md\)"):
        check_secret_key(key, base_dir=tmp_path)
    # The git-ignored .env is where a real key lives: not "the repository".
    (tmp_path / "docs" / "deploy.md").unlink()
    (tmp_path / ".env").write_text(f"DJANGO_SECRET_KEY={key}\n")
    check_secret_key(key, base_dir=tmp_path)


def test_every_key_written_in_this_repository_is_refused():
    """The keys the Dockerfile, CI or docs once spelt out literally must never sign production."""
    for text in (BASE_DIR / "Dockerfile").read_text(), (BASE_DIR / ".ci" / "run").read_text():
        assert "DJANGO_SECRET_KEY=build-only" not in text and "ci-only-" not in text


def test_production_refuses_to_start_with_the_env_example_placeholder_and_starts_with_a_real_key():
    refused = _start_production(DJANGO_SECRET_KEY="change-me-to-a-long-random-string-of-at-least-fifty-characters-0000")
    assert refused.returncode != 0 and "placeholder published with Outstaff" in refused.stderr
    missing = _start_production()
    assert missing.returncode != 0 and "at least 50 characters" in missing.stderr
    started = _start_production(DJANGO_SECRET_KEY=GOOD)
    assert started.returncode == 0, started.stderr[-2000:]


def test_a_plain_http_trial_is_for_localhost_only():
    check_plain_http_trial(["localhost", "127.0.0.1", "[::1]"])
    with pytest.raises(ImproperlyConfigured, match="local trial only.*outstaff.example.com"):
        check_plain_http_trial(["localhost", "outstaff.example.com"])
    refused = _start_production(DJANGO_SECRET_KEY=GOOD, DJANGO_PLAIN_HTTP="true")
    assert refused.returncode != 0 and "DJANGO_PLAIN_HTTP is for a local trial only" in refused.stderr


def test_a_plain_http_trial_serves_http_without_secure_cookies():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="outstaff.settings.production",
        DJANGO_SECRET_KEY=GOOD,
        DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
    )
    run = [sys.executable, "-c", code]
    trial = subprocess.run(
        run, cwd=BASE_DIR, env={**environment, "DJANGO_PLAIN_HTTP": "true"}, capture_output=True, text=True
    )
    assert trial.stdout.split() == ["False", "False", "False", "0"], trial.stderr[-2000:]
    secure = subprocess.run(run, cwd=BASE_DIR, env=environment, capture_output=True, text=True)
    assert secure.stdout.split() == ["True", "True", "True", "31536000"], secure.stderr[-2000:]

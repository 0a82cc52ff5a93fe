"""Start-up checks that keep a deployment from running insecurely (issue 10, point 5). The
production settings call them; a failure stops the process with ImproperlyConfigured, before it
serves anything.

Plumbing only: imports no domain app."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

MIN_SECRET_KEY_LENGTH = 50
# Keys that were published with the project at some point (the old `.env.example` placeholder, the
# development default, build and CI keys): refused even once they no longer appear in the tree.
PUBLISHED_SECRET_KEYS = frozenset(
    {
        "change-me-to-a-long-random-string-of-at-least-fifty-characters-0000",
        "insecure-dev-key-change-me",
        "build-only-dummy-key-0123456789-0123456789-0123456789",
    }
)
# Where a key may be *found in the repository*: every text file of the checkout, except the places
# a real key legitimately lives (the git-ignored `.env`) and what is not the repository's source.
_SKIP_DIRS = {".git", ".venv", "venv", "node_modules", "var", "__pycache__", ".ruff_cache", ".pytest_cache"}
_MAX_FILE_BYTES = 2_000_000


def _repository_files(base_dir: Path) -> Iterable[Path]:
    for root, dirs, files in os.walk(base_dir):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
        for name in files:
            if name == ".env" or (name.startswith(".env.") and name != ".env.example"):
                continue
            yield Path(root) / name


def secret_key_problem(key: str, *, base_dir: Path) -> str:
    """Why `key` must not sign a production deployment, or "" when it may."""
    if not key or len(key) < MIN_SECRET_KEY_LENGTH:
        return f"DJANGO_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters long (it is {len(key or '')})."
    if key in PUBLISHED_SECRET_KEYS:
        return "DJANGO_SECRET_KEY is a placeholder published with Outstaff; anyone can forge sessions with it."
    if len(set(key)) < 10:
        return "DJANGO_SECRET_KEY repeats too few characters to be random."
    needle = key.encode()
    for path in _repository_files(base_dir):
        try:
            if path.stat().st_size > _MAX_FILE_BYTES:
                continue
            if needle in path.read_bytes():
                return (
                    f"DJANGO_SECRET_KEY appears in the repository ({path.relative_to(base_dir)}), so it is not secret."
                )
        except OSError:
            continue
    return ""


def check_secret_key(key: str, *, base_dir: Path) -> None:
    problem = secret_key_problem(key, base_dir=base_dir)
    if problem:
        raise ImproperlyConfigured(
            problem + ' Generate one with `python -c "import secrets; print(secrets.token_urlsafe(50))"`.'
        )


LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]", "::1"}


def check_plain_http_trial(allowed_hosts: Iterable[str]) -> None:
    """DJANGO_PLAIN_HTTP turns off https redirects, Secure cookies and HSTS for a trial on this
    machine. It must never serve a real host name over plain http."""
    public = sorted(set(allowed_hosts) - LOCAL_HOSTS)
    if public:
        raise ImproperlyConfigured(
            "DJANGO_PLAIN_HTTP is for a local trial only: DJANGO_ALLOWED_HOSTS names "
            f"{', '.join(public)}. Serve those through https (a TLS proxy) and unset DJANGO_PLAIN_HTTP."
        )

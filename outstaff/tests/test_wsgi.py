"""The WSGI entry point gunicorn serves (outstaff.wsgi) under production settings."""

import os
import secrets
import subprocess  # nosec B404 - runs this interpreter on a fixed snippet
import sys

from django.conf import settings

PROBE = """
import gc, sys
import outstaff.wsgi
from django.urls import get_resolver
print(gc.get_freeze_count(), 'outstaff.urls' in sys.modules, len(get_resolver().url_patterns) > 0)
"""


def test_the_long_lived_objects_are_frozen_out_of_the_garbage_collector():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "outstaff.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    }
    output = subprocess.run(  # nosec B603 - this interpreter, a fixed snippet
        [sys.executable, "-c", PROBE], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.split()
    frozen, urls_loaded, has_patterns = int(output[0]), output[1], output[2]
    # The settings, the apps and the URLconf (with every view it imports) are loaded before the
    # first request and frozen: tens of thousands of objects no collection walks again.
    assert urls_loaded == "True" and has_patterns == "True"
    assert frozen > 50_000

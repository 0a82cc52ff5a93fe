import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outstaff.settings.production")
application = get_wsgi_application()

# Everything loaded so far (settings, apps, models, the URLconf and the views it imports) lives as
# long as the process: move it out of the garbage collector's generations, so that a full
# collection walks only what requests left behind. Measured in a warm process at 100k workers
# (300 API list requests): full collections took up to 343 ms each and 27 % of the time before,
# up to 161 ms after (docs/benchmarks.md). Without this a collection pauses every request the
# process's threads are serving, which is what a p95 at 16 connections sees.
get_resolver().url_patterns  # noqa: B018 - import the views now, not on the first request
gc.collect()
gc.freeze()

"""ETags of stored rows: the API's `ETag`/`If-Match` and a bulk item's `etag` compare the same value."""

import hashlib


def etag_for(instance) -> str:
    """A strong validator from the row's id and `updated_at`: it changes exactly when a write saves
    the row (an unchanged write saves nothing, so it keeps its ETag)."""
    stamp = getattr(instance, "updated_at", None)
    raw = f"{instance.pk}:{stamp.isoformat() if stamp else ''}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'

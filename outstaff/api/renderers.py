"""JSON rendered with orjson: the same bytes as DRF's JSONRenderer for what serializers produce, at a
fraction of the stdlib encoder's cost on large pages."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_encoder = JSONEncoder()
# Datetimes, decimals and anything else orjson would write its own way go through DRF's encoder
# (datetimes with a "Z" and milliseconds, decimals as numbers, lazy strings, querysets).
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS
# A lean list page (outstaff/api/lean.py) whose datetimes are all UTC values the serializer would
# print as isoformat() with "Z": orjson writes exactly that itself (OPT_UTC_Z), without a call back
# into Python per value. Its dates and UUIDs are written natively either way.
_LEAN_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


class OrjsonRenderer(JSONRenderer):
    """Compact output as DRF's JSONRenderer gives it; an indented response (asked for with
    `Accept: application/json; indent=4`) is left to DRF."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type, renderer_context or {}):
            return super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        options = _LEAN_OPTIONS if getattr(response, "lean_native_datetimes", False) else _OPTIONS
        try:
            body = orjson.dumps(data, default=_encoder.default, option=options)
        except orjson.JSONEncodeError:
            # What orjson refuses and DRF writes (an integer beyond 64 bits in a JSON field): DRF's.
            # Its encoder writes a lean page's datetimes as the serializer prints them (isoformat,
            # "Z" for UTC, every microsecond).
            return JSONRenderer().render(data, accepted_media_type, renderer_context)
        # As DRF does: U+2028/U+2029 are valid JSON but end a line in JavaScript.
        if b"\xe2\x80\xa8" in body or b"\xe2\x80\xa9" in body:
            body = body.replace(b"\xe2\x80\xa8", b"\\u2028").replace(b"\xe2\x80\xa9", b"\\u2029")
        return body

"""Helpers for page tests."""

from outstaff.preview_views import CONFIRM_FIELD


def post_confirming_risks(client, url: str, data: dict):
    """Post a form whose change the risk engine previews; when the page warns, confirm the very
    values it warned about (as "Save anyway" does) and return the second answer."""
    response = client.post(url, data)
    token = (response.context or {}).get("risk_confirmation") if response.status_code == 200 else None
    if token:
        response = client.post(url, {**data, CONFIRM_FIELD: token})
    return response

"""Small field helpers shared by the domain apps."""

from django.core.validators import RegexValidator
from django.db import models

subdivision_code_validator = RegexValidator(
    r"^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$", "Use an ISO 3166-2 subdivision code, e.g. US-CA."
)
country_code_validator = RegexValidator(r"^[A-Za-z]{2}$", "Use a two-letter ISO 3166-1 country code, e.g. DE.")


class CountryField(models.CharField):
    """ISO 3166-1 alpha-2 country code (upper case)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("validators", [country_code_validator])
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value.upper() if isinstance(value, str) else value


def external_id_field() -> models.CharField:
    """An HR system's own identifier; unique per owning organization when set."""
    return models.CharField(max_length=128, blank=True, default="", db_index=True)

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`. It sits above every domain app and nothing imports it."""

    name = "demo"

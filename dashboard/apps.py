from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The home page: what needs attention today, composed from every domain app's selectors. It sits
    above them all (below demo) and nothing imports it."""

    name = "dashboard"

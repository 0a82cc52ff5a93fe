from django.apps import AppConfig


class OutstaffConfig(AppConfig):
    name = "outstaff"
    verbose_name = "Outstaff plumbing"

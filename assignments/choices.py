from django.db import models


class DirectedBy(models.TextChoices):
    CLIENT = "client", "Client"
    PROVIDER = "provider", "Provider / vendor"


class AssignmentStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"
    CANCELLED = "cancelled", "Cancelled"

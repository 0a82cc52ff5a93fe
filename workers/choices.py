from django.db import models


class WorkerStatus(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    ACTIVE = "active", "Active"
    OFFBOARDED = "offboarded", "Offboarded"


class ExitReason(models.TextChoices):
    VOLUNTARY = "voluntary", "Voluntary"
    INVOLUNTARY = "involuntary", "Involuntary"
    END_OF_ASSIGNMENT = "end_of_assignment", "End of assignment"
    # An HR system or identity provider deprovisioned the worker (SCIM) without saying why.
    NOT_STATED = "not_stated", "Not stated"


class CheckInKind(models.TextChoices):
    DAY_30 = "day_30", "Day 30"
    DAY_60 = "day_60", "Day 60"
    DAY_90 = "day_90", "Day 90"
    AD_HOC = "ad_hoc", "Ad hoc"


CHECKIN_DAY_OFFSETS = {CheckInKind.DAY_30: 30, CheckInKind.DAY_60: 60, CheckInKind.DAY_90: 90}

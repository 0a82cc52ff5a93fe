from django.db import models


class RiskCategory(models.TextChoices):
    MISCLASSIFICATION = "misclassification", "Misclassification"
    ATTRITION = "attrition", "90-day attrition"
    COMPLIANCE = "compliance", "Compliance"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class FlagStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"
    DISMISSED = "dismissed", "Dismissed"

from django.db import models


class ContractType(models.TextChoices):
    EMPLOYMENT = "employment", "Employment"
    CONTRACTOR = "contractor", "Contractor / freelance"


class EngagementModel(models.TextChoices):
    OUTSTAFFING = "outstaffing", "Outstaffing (client directs, provider employs)"
    OUTSOURCING = "outsourcing", "Outsourcing (vendor directs and owns the outcome)"
    UNSPECIFIED = "unspecified", "Unspecified"


class PayrollRunStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PROCESSING = "processing", "Processing"
    COMPLETED = "completed", "Completed"


class PayrollEntryStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    PROCESSING = "processing", "Processing"
    PAID = "paid", "Paid"
    FAILED = "failed", "Failed"
    ON_HOLD = "on_hold", "On hold"


class ComplianceKind(models.TextChoices):
    EMPLOYMENT_CONTRACT_SIGNED = "employment_contract_signed", "Employment contract signed"
    RIGHT_TO_WORK = "right_to_work", "Right to work"
    TAX_REGISTRATION = "tax_registration", "Tax registration"
    SOCIAL_SECURITY_REGISTRATION = "social_security_registration", "Social security registration"
    BENEFITS_ENROLMENT = "benefits_enrolment", "Benefits enrolment"
    BACKGROUND_CHECK = "background_check", "Background check"
    IP_ASSIGNMENT = "ip_assignment", "IP assignment"
    STAFFING_LICENCE_CHECK = "staffing_licence_check", "Staffing licence check"


class ComplianceStatus(models.TextChoices):
    MISSING = "missing", "Missing"
    SUBMITTED = "submitted", "Submitted"
    VERIFIED = "verified", "Verified"
    REJECTED = "rejected", "Rejected"
    EXPIRED = "expired", "Expired"


class CsvImportKind(models.TextChoices):
    PAYROLL_ENTRIES = "payroll_entries", "Payroll entry statuses"
    COMPLIANCE_ITEMS = "compliance_items", "Compliance items"


class CsvImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "Uploaded"
    CHECKING = "checking", "Checking"
    CHECKED = "checked", "Checked (dry run)"
    APPLYING = "applying", "Applying"
    APPLIED = "applied", "Applied"
    FAILED = "failed", "Failed"

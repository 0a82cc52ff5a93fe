"""The demo world as plain data: organizations, people, teams and ~40 workers, with the cases the
risk engine must catch planted on purpose (marked PLANTED). Dates are offsets from today so the demo
stays current; demo/services.py turns them into rows."""

from dataclasses import dataclass, field
from decimal import Decimal

from accounts.choices import OrganizationKind, Role
from assignments.choices import DirectedBy
from providers.choices import ComplianceKind, ComplianceStatus, ContractType, EngagementModel
from workers.choices import CheckInKind, ExitReason

CLIENTS = [
    {"slug": "acme", "name": "Acme Analytics", "country": "US"},
    {"slug": "northwind", "name": "Northwind Health", "country": "GB"},
]

PROVIDERS = [
    {
        "slug": "remotely",
        "name": "Remotely EOR",
        "legal_name": "Remotely EOR Ltd",
        "website": "https://remotely.example",
        "country": "GB",
    },
    {
        "slug": "atlas",
        "name": "Atlas Employer Services",
        "legal_name": "Atlas Employer Services LLC",
        "website": "https://atlas.example",
        "country": "US",
    },
    {
        "slug": "vistula",
        "name": "Vistula Staffing",
        "legal_name": "Vistula Staffing sp. z o.o.",
        "website": "https://vistula.example",
        "country": "PL",
    },
]


@dataclass(frozen=True)
class EntitySpec:
    provider: str
    country: str
    name: str
    registration_number: str
    licence_number: str = ""
    # Days from today the staffing licence expires (negative: already expired); None: no expiry.
    licence_expires_in_days: int | None = None


# Vistula has no GB entity although it employs a worker in GB (PLANTED: no entity in the country).
LEGAL_ENTITIES = [
    EntitySpec("remotely", "GB", "Remotely EOR UK Ltd", "Companies House 12873346"),
    # A German entity holding an AÜG licence (Arbeitnehmerüberlassung) from the Bundesagentur für Arbeit.
    EntitySpec(
        "remotely",
        "DE",
        "Remotely EOR Deutschland GmbH",
        "HRB 219934 B",
        "BA-AÜG-2023-0417",
        licence_expires_in_days=700,
    ),
    EntitySpec("remotely", "US", "Remotely EOR US Inc.", "EIN 84-3920117"),
    EntitySpec("remotely", "IN", "Remotely EOR India Pvt Ltd", "CIN U74999KA2020PTC139021"),
    EntitySpec("remotely", "PH", "Remotely EOR Philippines Inc.", "SEC CS201912345"),
    EntitySpec("atlas", "US", "Atlas Employer Services LLC", "EIN 27-1184520"),
    EntitySpec("atlas", "BR", "Atlas Serviços de Emprego Ltda", "CNPJ 12.345.678/0001-90"),
    EntitySpec("atlas", "IN", "Atlas Employer Services India Pvt Ltd", "CIN U74900MH2019PTC321456"),
    EntitySpec("atlas", "PL", "Atlas Employer Services Polska sp. z o.o.", "KRS 0000812345", "KRAZ 23417"),
    # PLANTED: the Polish temporary-work-agency registration (KRAZ) lapsed.
    EntitySpec(
        "vistula", "PL", "Vistula Staffing sp. z o.o.", "KRS 0000654321", "KRAZ 18844", licence_expires_in_days=-45
    ),
]


@dataclass(frozen=True)
class UserSpec:
    email: str
    first_name: str
    last_name: str
    organization: str | None = None
    role: str | None = None
    superuser: bool = False


USERS = [
    UserSpec("admin@outstaff.example", "Site", "Admin", superuser=True),
    UserSpec("admin@acme.example", "Alice", "Moreau", "acme", Role.CLIENT_ADMIN),
    UserSpec("manager@acme.example", "Hannah", "Lee", "acme", Role.HIRING_MANAGER),
    UserSpec("support.lead@acme.example", "Marco", "Silva", "acme", Role.HIRING_MANAGER),
    UserSpec("viewer@acme.example", "Victor", "Chen", "acme", Role.VIEWER),
    UserSpec("admin@northwind.example", "Nadia", "Okafor", "northwind", Role.CLIENT_ADMIN),
    UserSpec("manager@northwind.example", "Samuel", "Price", "northwind", Role.HIRING_MANAGER),
    UserSpec("admin@remotely.example", "Rita", "Kaur", "remotely", Role.PROVIDER_ADMIN),
    UserSpec("payroll@remotely.example", "Paul", "Jensen", "remotely", Role.PAYROLL_OFFICER),
    UserSpec("compliance@remotely.example", "Clara", "Duarte", "remotely", Role.COMPLIANCE_OFFICER),
    UserSpec("admin@atlas.example", "Andrew", "Grant", "atlas", Role.PROVIDER_ADMIN),
    UserSpec("admin@vistula.example", "Wojciech", "Zajac", "vistula", Role.PROVIDER_ADMIN),
]

ORGANIZATION_KINDS = {
    **{c["slug"]: OrganizationKind.CLIENT for c in CLIENTS},
    **{p["slug"]: OrganizationKind.PROVIDER for p in PROVIDERS},
}

# Who signs off compliance evidence for each provider.
COMPLIANCE_VERIFIERS = {
    "remotely": "compliance@remotely.example",
    "atlas": "admin@atlas.example",
    "vistula": "admin@vistula.example",
}

# (client slug, team name) -> directing managers (the first one directs the team's assignments).
TEAMS = {
    ("acme", "Data Platform"): ["manager@acme.example"],
    ("acme", "Mobile Apps"): ["manager@acme.example"],
    ("acme", "Customer Support"): ["support.lead@acme.example"],
    ("northwind", "Clinical Apps"): ["manager@northwind.example"],
    ("northwind", "Patient Support"): ["manager@northwind.example"],
}

TEAM_EXTERNAL_IDS = {
    ("acme", "Data Platform"): "ACME-T-DATA",
    ("acme", "Mobile Apps"): "ACME-T-MOBILE",
    ("acme", "Customer Support"): "ACME-T-SUPPORT",
    ("northwind", "Clinical Apps"): "NW-T-CLINICAL",
    ("northwind", "Patient Support"): "NW-T-PATIENT",
}

TIMEZONES = {
    "DE": "Europe/Berlin",
    "PL": "Europe/Warsaw",
    "GB": "Europe/London",
    "US": "America/New_York",
    "IN": "Asia/Kolkata",
    "PH": "Asia/Manila",
    "BR": "America/Sao_Paulo",
}

# Monthly gross for a full-time engineer, in local currency; support roles earn SUPPORT_PAY_FACTOR of it.
MONTHLY_GROSS = {
    "DE": ("EUR", Decimal("5800")),
    "PL": ("PLN", Decimal("19500")),
    "GB": ("GBP", Decimal("4900")),
    "US": ("USD", Decimal("9800")),
    "IN": ("INR", Decimal("215000")),
    "PH": ("PHP", Decimal("68000")),
    "BR": ("BRL", Decimal("16500")),
}
SUPPORT_PAY_FACTOR = Decimal("0.55")

ONBOARDING_COMPLIANCE_KINDS = [
    ComplianceKind.EMPLOYMENT_CONTRACT_SIGNED,
    ComplianceKind.RIGHT_TO_WORK,
    ComplianceKind.TAX_REGISTRATION,
    ComplianceKind.SOCIAL_SECURITY_REGISTRATION,
    ComplianceKind.BENEFITS_ENROLMENT,
    ComplianceKind.BACKGROUND_CHECK,
    ComplianceKind.IP_ASSIGNMENT,
]
# Countries whose placements need the provider's staffing licence checked per worker.
LICENCE_CHECK_COUNTRIES = {"DE", "PL"}


@dataclass(frozen=True)
class Placement:
    """One assignment (and its contract) of a worker placed more than once, in months from today."""

    start_months_ago: int
    end_months_ago: int | None
    extra_days: int = 0  # started this many days before the month offset


@dataclass(frozen=True)
class WorkerSpec:
    key: str
    first_name: str
    last_name: str
    country: str
    client: str
    provider: str
    role: str
    team: str
    start_days_ago: int | None = None
    start_months_ago: int | None = None
    contract_type: str = ContractType.EMPLOYMENT
    engagement: str = EngagementModel.OUTSTAFFING
    hours: int = 40
    directed_by: str = DirectedBy.CLIENT
    schedule_by_client: bool | None = None  # None: support shifts are client-scheduled, other roles not
    timezone: str = ""
    subdivision: str = ""  # ISO 3166-2 where the law differs within the country (US-CA)
    # Days after the start the worker left; with exit_reason/exit_notes.
    exit_after_days: int | None = None
    exit_reason: str = ""
    exit_notes: str = ""
    # "passed" (candidate + passed screening) or "override" (client admin let them through).
    gate: str = "passed"
    # The composite the screening's scores aim at; None: a steady 70–85 picked from the key.
    composite: Decimal | None = None
    # A client admin passed the screening below the pass rule, with this reason.
    screening_override: str = ""
    # Pre-onboarding checklist items left unticked at the hire (ChecklistCode values).
    checklist_open: tuple[str, ...] = ()
    contract_entity_country: str = ""  # an entity in another country than the worker's
    placements: tuple[Placement, ...] = ()
    first_payroll_failed: str = ""
    payroll_failures: dict[int, str] = field(default_factory=dict)  # month offset (-1 = last month) -> reason
    payroll_hold: str = ""  # this month's entry is on hold, for this reason
    compliance: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # kind -> (status, expires in days)
    check_ins: dict[str, object] = field(default_factory=dict)  # kind -> "pending" or (engagement, clarity, mgr, notes)

    @property
    def is_support(self) -> bool:
        return "support" in self.role.lower()


C, P = DirectedBy.CLIENT, DirectedBy.PROVIDER
CONTRACTOR = ContractType.CONTRACTOR
OUTSOURCING = EngagementModel.OUTSOURCING
MISSING, SUBMITTED, EXPIRED, REJECTED = (
    ComplianceStatus.MISSING,
    ComplianceStatus.SUBMITTED,
    ComplianceStatus.EXPIRED,
    ComplianceStatus.REJECTED,
)

WORKERS = [
    # --- Germany ---------------------------------------------------------------------------------
    # PLANTED: German placement 17 months in with the same client (AÜG cap is 18 months).
    WorkerSpec(
        "W-001", "Lena", "Fischer", "DE", "acme", "remotely", "Backend engineer", "Data Platform", start_months_ago=17
    ),
    WorkerSpec("W-002", "Jonas", "Becker", "DE", "acme", "remotely", "Data engineer", "Data Platform", 400),
    WorkerSpec("W-003", "Miriam", "Hoffmann", "DE", "northwind", "remotely", "Backend engineer", "Clinical Apps", 220),
    WorkerSpec("W-004", "Tobias", "Wagner", "DE", "acme", "remotely", "Mobile engineer", "Mobile Apps", 120),
    WorkerSpec(
        "W-005",
        "Sophie",
        "Schulz",
        "DE",
        "northwind",
        "remotely",
        "QA engineer",
        "Clinical Apps",
        75,
        hours=32,
        compliance={ComplianceKind.BENEFITS_ENROLMENT: (SUBMITTED, None)},
    ),
    # An early leaver: low composite, a weak day-30 check-in, gone on day 62.
    WorkerSpec(
        "W-006",
        "Felix",
        "Richter",
        "DE",
        "acme",
        "remotely",
        "Data analyst",
        "Data Platform",
        300,
        composite=Decimal("61.50"),
        screening_override="Strong domain knowledge of our analytics stack; the hiring manager vouched for him.",
        exit_after_days=62,
        exit_reason=ExitReason.VOLUNTARY,
        exit_notes="Accepted a counter-offer from a local employer; said priorities were never clear.",
        check_ins={CheckInKind.DAY_30: (2, 2, 3, "Unsure what the team expects from him; asked for a roadmap.")},
    ),
    WorkerSpec("W-007", "Clara", "Neumann", "DE", "northwind", "remotely", "Frontend engineer", "Clinical Apps", 430),
    # --- Poland ----------------------------------------------------------------------------------
    # PLANTED: three placements with Acme adding up to 15 months (and 10 days) within the last 36
    # (PL cap: 18 in 36), so the cap is under 90 days away.
    WorkerSpec(
        "W-008",
        "Katarzyna",
        "Nowak",
        "PL",
        "acme",
        "atlas",
        "Backend engineer",
        "Data Platform",
        start_months_ago=30,
        placements=(Placement(30, 24), Placement(20, 15), Placement(4, None, extra_days=10)),
    ),
    WorkerSpec("W-009", "Piotr", "Kowalski", "PL", "acme", "atlas", "Backend engineer", "Data Platform", 250),
    WorkerSpec("W-010", "Agnieszka", "Wisniewska", "PL", "northwind", "vistula", "QA engineer", "Clinical Apps", 180),
    WorkerSpec(
        "W-011",
        "Michal",
        "Wojcik",
        "PL",
        "northwind",
        "vistula",
        "Backend engineer",
        "Clinical Apps",
        320,
        payroll_failures={-2: "Tax office (Urząd Skarbowy) rejected the PIT-2 declaration; resubmitted."},
    ),
    WorkerSpec("W-012", "Magdalena", "Kaminska", "PL", "acme", "atlas", "Mobile engineer", "Mobile Apps", 95),
    # PLANTED: the contract says outsourcing, but Acme directs him day to day on its own schedule.
    WorkerSpec(
        "W-013",
        "Tomasz",
        "Lewandowski",
        "PL",
        "acme",
        "vistula",
        "DevOps engineer",
        "Data Platform",
        210,
        engagement=OUTSOURCING,
        schedule_by_client=True,
        checklist_open=("engagement_model_stated",),
    ),
    WorkerSpec(
        "W-014",
        "Joanna",
        "Zielinska",
        "PL",
        "northwind",
        "vistula",
        "Patient support specialist",
        "Patient Support",
        60,
    ),
    # A genuine contractor: part-time, directed by the vendor; but with Acme for over a year.
    WorkerSpec(
        "W-015",
        "Pawel",
        "Szymanski",
        "PL",
        "acme",
        "atlas",
        "Data engineer",
        "Data Platform",
        420,
        contract_type=CONTRACTOR,
        engagement=OUTSOURCING,
        hours=20,
        directed_by=P,
        gate="override",
    ),
    # --- United Kingdom --------------------------------------------------------------------------
    WorkerSpec(
        "W-016",
        "Oliver",
        "Bennett",
        "GB",
        "acme",
        "remotely",
        "Backend engineer",
        "Data Platform",
        700,
        compliance={ComplianceKind.RIGHT_TO_WORK: (ComplianceStatus.VERIFIED, 20)},
    ),
    WorkerSpec("W-017", "Amelia", "Clarke", "GB", "acme", "remotely", "Support team lead", "Customer Support", 380),
    # PLANTED: Vistula employs him in GB through its Polish entity; it has no GB entity.
    WorkerSpec(
        "W-018",
        "Harry",
        "Patel",
        "GB",
        "northwind",
        "vistula",
        "Frontend engineer",
        "Clinical Apps",
        140,
        contract_entity_country="PL",
        payroll_hold="Held until an employing entity in GB is in place; legal is reviewing the set-up.",
        compliance={ComplianceKind.RIGHT_TO_WORK: (SUBMITTED, None)},
    ),
    # A new worker whose first payroll failed.
    WorkerSpec(
        "W-019",
        "Isla",
        "Morgan",
        "GB",
        "northwind",
        "remotely",
        "Product designer",
        "Clinical Apps",
        45,
        first_payroll_failed="Bank rejected the payment: sort code and account number do not match.",
    ),
    WorkerSpec(
        "W-020",
        "George",
        "Hughes",
        "GB",
        "acme",
        "remotely",
        "Backend engineer",
        "Data Platform",
        260,
        exit_after_days=40,
        exit_reason=ExitReason.INVOLUNTARY,
        exit_notes="Did not pass probation: repeated missed deadlines.",
        check_ins={CheckInKind.DAY_30: (3, 2, 2, "Struggling with the codebase; pairing arranged.")},
    ),
    # --- United States ---------------------------------------------------------------------------
    # PLANTED: a "contractor" at 40 h/week, directed by Acme, on Acme's schedule, with Acme's laptop.
    WorkerSpec(
        "W-021",
        "Ryan",
        "Mitchell",
        "US",
        "acme",
        "atlas",
        "Backend engineer",
        "Data Platform",
        150,
        contract_type=CONTRACTOR,
        hours=40,
        directed_by=C,
        schedule_by_client=True,
        timezone="America/Los_Angeles",
        subdivision="US-CA",
        checklist_open=("no_freelance_full_time",),
    ),
    WorkerSpec("W-022", "Emily", "Carter", "US", "acme", "atlas", "Data scientist", "Data Platform", 330),
    WorkerSpec("W-023", "Jacob", "Reed", "US", "northwind", "atlas", "Backend engineer", "Clinical Apps", 520),
    WorkerSpec(
        "W-024",
        "Madison",
        "Brooks",
        "US",
        "northwind",
        "remotely",
        "Patient support specialist",
        "Patient Support",
        200,
    ),
    # Starts in ten days: screened and contracted, assignment planned.
    WorkerSpec("W-025", "Ethan", "Walker", "US", "acme", "remotely", "Mobile engineer", "Mobile Apps", -10),
    WorkerSpec(
        "W-026",
        "Chloe",
        "Foster",
        "US",
        "acme",
        "atlas",
        "UX researcher",
        "Mobile Apps",
        90,
        contract_type=CONTRACTOR,
        engagement=OUTSOURCING,
        hours=16,
        directed_by=P,
    ),
    # --- India -----------------------------------------------------------------------------------
    WorkerSpec("W-027", "Arjun", "Sharma", "IN", "acme", "remotely", "Backend engineer", "Data Platform", 450),
    WorkerSpec("W-028", "Priya", "Iyer", "IN", "acme", "remotely", "Data engineer", "Data Platform", 160),
    WorkerSpec("W-029", "Rohan", "Gupta", "IN", "northwind", "atlas", "Backend engineer", "Clinical Apps", 280),
    # Inside 90 days with warning signs: a weak day-60 check-in and tax registration still missing.
    WorkerSpec(
        "W-030",
        "Ananya",
        "Reddy",
        "IN",
        "acme",
        "atlas",
        "Customer support specialist",
        "Customer Support",
        70,
        compliance={ComplianceKind.TAX_REGISTRATION: (MISSING, None)},
        check_ins={CheckInKind.DAY_60: (2, 2, 3, "Night shifts are wearing her down; asked about a day rota.")},
    ),
    WorkerSpec(
        "W-031",
        "Vikram",
        "Nair",
        "IN",
        "northwind",
        "atlas",
        "Patient support specialist",
        "Patient Support",
        130,
        gate="override",
    ),
    WorkerSpec(
        "W-032",
        "Neha",
        "Joshi",
        "IN",
        "acme",
        "remotely",
        "Data engineer",
        "Data Platform",
        540,
        exit_after_days=480,
        exit_reason=ExitReason.END_OF_ASSIGNMENT,
        exit_notes="Data migration project completed.",
    ),
    # --- Philippines -----------------------------------------------------------------------------
    # PLANTED: 35 days in, the day-30 check-in is overdue and onboarding paperwork is incomplete.
    WorkerSpec(
        "W-033",
        "Maria",
        "Santos",
        "PH",
        "acme",
        "remotely",
        "Customer support specialist",
        "Customer Support",
        35,
        compliance={
            ComplianceKind.BACKGROUND_CHECK: (MISSING, None),
            ComplianceKind.BENEFITS_ENROLMENT: (SUBMITTED, None),
        },
        check_ins={CheckInKind.DAY_30: "pending"},
    ),
    WorkerSpec(
        "W-034", "Jose", "Reyes", "PH", "acme", "remotely", "Customer support specialist", "Customer Support", 240
    ),
    WorkerSpec(
        "W-035", "Angelica", "Cruz", "PH", "northwind", "remotely", "Patient support specialist", "Patient Support", 310
    ),
    WorkerSpec(
        "W-036",
        "Mark",
        "Bautista",
        "PH",
        "acme",
        "remotely",
        "Customer support specialist",
        "Customer Support",
        120,
        exit_after_days=50,
        exit_reason=ExitReason.VOLUNTARY,
        exit_notes="Left for a role closer to home with day shifts.",
        check_ins={CheckInKind.DAY_30: (3, 2, 3, "Finds the escalation process confusing.")},
    ),
    WorkerSpec(
        "W-037",
        "Kristine",
        "Garcia",
        "PH",
        "northwind",
        "remotely",
        "Patient support specialist",
        "Patient Support",
        160,
        payroll_failures={-1: "Bank returned the transfer: account closed."},
        compliance={ComplianceKind.RIGHT_TO_WORK: (EXPIRED, -12)},
    ),
    # --- Brazil ----------------------------------------------------------------------------------
    WorkerSpec("W-038", "Lucas", "Oliveira", "BR", "acme", "atlas", "Mobile engineer", "Mobile Apps", 390),
    WorkerSpec("W-039", "Beatriz", "Souza", "BR", "northwind", "atlas", "Frontend engineer", "Clinical Apps", 230),
    # The contract never says which model it is.
    WorkerSpec(
        "W-040",
        "Gabriel",
        "Costa",
        "BR",
        "acme",
        "atlas",
        "Backend engineer",
        "Data Platform",
        55,
        engagement=EngagementModel.UNSPECIFIED,
    ),
    WorkerSpec(
        "W-041",
        "Larissa",
        "Almeida",
        "BR",
        "northwind",
        "atlas",
        "Patient support specialist",
        "Patient Support",
        100,
        compliance={ComplianceKind.SOCIAL_SECURITY_REGISTRATION: (REJECTED, None)},
    ),
]

# Candidates still in the pipeline (no worker yet): (client, external id, first, last, email, country,
# support role?, stage, status).
PIPELINE_CANDIDATES = [
    ("acme", "P-01", "Daniel", "Kim", "daniel.kim@mail.example", "US", False, "interview", "in_progress"),
    ("acme", "P-02", "Fatima", "Rahman", "fatima.rahman@mail.example", "IN", True, "assessment", "in_progress"),
    ("acme", "P-03", "Lukas", "Brandt", "lukas.brandt@mail.example", "DE", False, "decision", "failed"),
    ("northwind", "P-04", "Ana", "Ferreira", "ana.ferreira@mail.example", "BR", True, "interview", "withdrawn"),
    ("northwind", "P-05", "Jan", "Mazur", "jan.mazur@mail.example", "PL", False, "applied", "in_progress"),
]

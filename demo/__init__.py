"""Demo data for `make run`: `python manage.py seed_demo` (see demo/services.py).

`DEMO_LOGINS` is plain data (no model imports) so the launcher and README can print it without
touching the database. Every demo user shares `DEMO_PASSWORD`.
"""

# Published on purpose (README); seed_demo refuses production settings without --i-know-this-is-public.
DEMO_PASSWORD = "outstaff-demo"  # nosec B105 - the published demo password, see above

DEMO_LOGINS: list[tuple[str, str, str]] = [
    ("admin@outstaff.example", DEMO_PASSWORD, "Django superuser (admin site at /admin/)"),
    ("admin@acme.example", DEMO_PASSWORD, "Acme Analytics (client) — client admin"),
    ("manager@acme.example", DEMO_PASSWORD, "Acme Analytics — hiring manager, Data Platform and Mobile Apps teams"),
    ("support.lead@acme.example", DEMO_PASSWORD, "Acme Analytics — hiring manager, Customer Support team"),
    ("viewer@acme.example", DEMO_PASSWORD, "Acme Analytics — viewer (read-only)"),
    ("admin@northwind.example", DEMO_PASSWORD, "Northwind Health (client) — client admin"),
    (
        "manager@northwind.example",
        DEMO_PASSWORD,
        "Northwind Health — hiring manager, Clinical Apps and Patient Support",
    ),
    ("admin@remotely.example", DEMO_PASSWORD, "Remotely EOR (provider) — provider admin"),
    ("payroll@remotely.example", DEMO_PASSWORD, "Remotely EOR — payroll officer"),
    ("compliance@remotely.example", DEMO_PASSWORD, "Remotely EOR — compliance officer"),
    ("admin@atlas.example", DEMO_PASSWORD, "Atlas Employer Services (provider) — provider admin"),
    ("admin@vistula.example", DEMO_PASSWORD, "Vistula Staffing (provider) — provider admin"),
]

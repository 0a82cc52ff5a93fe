"""How long a 1,000-item bulk upsert of workers takes, through the whole API stack in process
(authentication, the viewset, the service, PostgreSQL): the first sync (1,000 creates), the re-sync
of the same export (1,000 unchanged) and a re-sync with every item changed (1,000 updates).

    DATABASE_URL=postgres://... .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://... .venv/bin/python bench/bulk_upsert_workers.py [--items 1000] [--runs 3]

It creates one client and one provider organization of its own (named bench-bulk-<random>) and
leaves them in the database; run it against a development or bench database, never production."""

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outstaff.settings.local")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from accounts.services import api_key_create, organization_create
    from providers.models import Provider

    tag = uuid.uuid4().hex[:8]
    client_org = organization_create(name=f"bench-bulk-{tag} client", slug=f"bench-bulk-{tag}-c", kind="client")
    provider_org = organization_create(name=f"bench-bulk-{tag} provider", slug=f"bench-bulk-{tag}-p", kind="provider")
    provider = Provider.objects.get_or_create(
        organization=provider_org, defaults={"legal_name": f"bench-bulk-{tag} provider"}
    )[0]
    _, raw_key = api_key_create(organization=client_org, name="bench", scopes=["workers:write"])
    api = APIClient(SERVER_NAME="localhost")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")

    def export(run: int, role: str) -> list[dict]:
        return [
            {
                "external_id": f"B{run}-{n}",
                "first_name": f"First{n}",
                "last_name": f"Last{n}",
                "work_email": f"b{run}-{n}-{tag}@example.test",
                "country": "DE",
                "role_title": role,
                "start_date": "2026-01-05",
                "provider": str(provider.pk),
            }
            for n in range(args.items)
        ]

    def timed(items: list[dict], expect: str) -> tuple[float, int]:
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = api.post("/api/v1/workers/bulk/", {"items": items}, format="json")
            elapsed = time.perf_counter() - start
        assert response["Content-Type"].startswith("application/"), (response.status_code, response.content[:300])  # nosec B101 - a bench script's own sanity check, never run in production
        body = response.json()
        assert response.status_code == 200 and body[expect] == len(items), body  # nosec B101 - a bench script's own sanity check, never run in production
        return elapsed, len(queries)

    # Warm up: the first request of a process imports and connects (URLconf, the broker, ...).
    timed(export(-1, "Engineer")[:1], "created")
    results: dict[str, list[tuple[float, int]]] = {"create": [], "unchanged": [], "update": []}
    for run in range(args.runs):
        items = export(run, "Engineer")
        results["create"].append(timed(items, "created"))
        results["unchanged"].append(timed(items, "unchanged"))
        results["update"].append(timed(export(run, "Staff engineer"), "updated"))
    print(f"{args.items} workers per call, {args.runs} runs (median; queries per call)")
    for name, rows in results.items():
        seconds = statistics.median(r[0] for r in rows)
        print(f"  {name:<10} {seconds:6.2f} s   {rows[0][1]} queries")


if __name__ == "__main__":
    main()

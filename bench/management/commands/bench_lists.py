import statistics
import time

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test import Client, override_settings

from accounts.services import api_key_create
from bench.load import API_LISTS, _biggest

SCOPES = ["workers:read", "assignments:read", "risks:read", "payroll:read"]


def _timed(client: Client, path: str, **headers) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    response = client.get(path, **headers)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if response.status_code != 200:
        raise RuntimeError(f"{path}: {response.status_code} {response.content[:300]!r}")
    return wall * 1000, cpu * 1000


class Command(BaseCommand):
    help = (
        "The four API lists against their raw-SQL baselines in this process (no server, no load tool): "
        "warm requests through Django's test client, each API request followed by its baseline's, so a "
        "ratio compares two things measured in the same second. Median and best wall time, median CPU "
        "time of this process (the database's is not in it). The API keys it needs are created in a "
        "transaction rolled back at the end: the database is left as it was. Run it with the production "
        "settings (DEBUG off), as the load run's server does."
    )

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=50, help="measured requests per target (after 5 warm)")
        parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])

    def handle(self, *args, requests: int, sizes: list[int], **options):
        header = (
            f"| target | API median ms | API best ms | API CPU ms | baseline median ms | baseline best ms "
            f"| baseline CPU ms | ratio (median) | ratio (best) | ratio (CPU) |\n|{'---|' * 10}"
        )
        rows = []
        # The production settings as the load run's server has them: plain http on loopback, the test
        # client's host, no per-key limits (one key at hundreds of requests a second is past them).
        limits_off = override_settings(
            ROOT_URLCONF="bench.tests.urls",
            API_RATE_LIMIT="",
            API_BURST_RATE_LIMIT="",
            SECURE_SSL_REDIRECT=False,
            ALLOWED_HOSTS=["testserver"],
        )
        with limits_off, transaction.atomic():
            orgs = {"client": _biggest("client"), "provider": _biggest("provider")}
            keys = {
                kind: api_key_create(organization=org, name="bench_lists", scopes=SCOPES)[1]
                for kind, org in orgs.items()
            }
            client = Client()
            for size in sizes:
                for resource, kind in API_LISTS:
                    api_path = f"/api/v1/{resource}/?page_size={size}"
                    baseline_path = f"/bench/baseline/{resource}/?org={orgs[kind].id}&page_size={size}"
                    auth = {"HTTP_AUTHORIZATION": f"Bearer {keys[kind]}"}
                    api, baseline = [], []
                    for index in range(5 + requests):
                        pair = _timed(client, api_path, **auth), _timed(client, baseline_path)
                        if index >= 5:
                            api.append(pair[0])
                            baseline.append(pair[1])
                    a = [statistics.median(w for w, _ in api), min(w for w, _ in api)]
                    a.append(statistics.median(c for _, c in api))
                    b = [statistics.median(w for w, _ in baseline), min(w for w, _ in baseline)]
                    b.append(statistics.median(c for _, c in baseline))
                    ratios = [b[0] / a[0], b[1] / a[1], b[2] / a[2]]
                    cells = [f"{value:.2f}" for value in (*a, *b)] + [f"{value:.2f}×" for value in ratios]
                    rows.append(f"| `{resource}` ({kind}) ×{size} | " + " | ".join(cells) + " |")
                    self.stdout.write(rows[-1])
            transaction.set_rollback(True)
        self.stdout.write("\n" + header + "\n" + "\n".join(rows))

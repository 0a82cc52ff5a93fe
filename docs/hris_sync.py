"""Reference client: keep Outstaff in sync with an HRIS export, then follow deletions and verify
webhooks. Standard library plus `standardwebhooks` (pip install standardwebhooks).

    python docs/hris_sync.py sync --base-url https://outstaff.example --key osk_… --export ./export
    python docs/hris_sync.py deletions --base-url … --key … --since 2026-11-30T00:00:00Z

The export directory holds `workers.csv`, `contracts.csv` and `assignments.csv` (each optional);
each row is a resource's writable fields, with `external_id` as the key. A contract or assignment
names its worker by the worker's `external_id` (`worker_external_id`): Outstaff's id from this
run's worker sync when it synced that worker, else the server resolves it within your
organization. Contracts are the provider's (its key), assignments the client's (`--client-key`).
Every call is a bulk upsert of up to 1,000 rows with an `Idempotency-Key`; a retry after a
network error reuses it, so a chunk is never applied twice. An unchanged row comes
back `unchanged` and sends no event."""

import argparse
import csv
import hashlib
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

CHUNK = 1000
ATTEMPTS = 3
ORDER = ("workers", "contracts", "assignments")


class ApiError(Exception):
    def __init__(self, status: int, body: dict):
        super().__init__(f"HTTP {status}: {body.get('detail') or body}")
        self.status, self.body = status, body


def call(base_url: str, key: str, method: str, path: str, body: dict | None = None, *, run_id: str = "") -> dict:
    """One API call. A POST carries an `Idempotency-Key` made of this run's id and the request, and
    is retried (same key) after a network error or a 5xx: the server answers a retry it already
    applied with the stored first answer, so nothing is applied twice."""
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {key}", "Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
        headers["Idempotency-Key"] = hashlib.sha256(f"{run_id}:{method}:{path}:".encode() + data).hexdigest()
    for attempt in range(ATTEMPTS):
        request = urllib.request.Request(base_url.rstrip("/") + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # nosec B310 - the reference client calls the base URL its operator configured (http or https)
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            if error.code < 500 or attempt == ATTEMPTS - 1:
                raise ApiError(error.code, json.loads(error.read() or b"{}")) from error
        except urllib.error.URLError:
            if attempt == ATTEMPTS - 1:
                raise
        time.sleep(2**attempt)
    raise AssertionError("unreachable")


def read_rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [{k: v for k, v in row.items() if v != ""} for row in csv.DictReader(handle)]


def bulk_upsert(base_url: str, key: str, resource: str, rows: list[dict], *, run_id: str) -> list[dict]:
    """Upsert `rows` by external_id, 1,000 at a time; returns every item's result."""
    results = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        answer = call(base_url, key, "POST", f"/api/v1/{resource}/bulk/", {"items": chunk}, run_id=run_id)
        for result in answer["results"]:
            result["index"] += start
        results.extend(answer["results"])
    return results


def sync(
    *, base_url: str, key: str, export: Path, client_key: str | None = None, run_id: str | None = None
) -> dict[str, dict]:
    """Sync the export; returns per resource the count of each action and the item results."""
    run_id = run_id or str(uuid.uuid4())
    report, worker_ids = {}, {}
    for resource in ORDER:
        path = export / f"{resource}.csv"
        if not path.exists():
            continue
        rows = read_rows(path)
        for row in rows:
            # A worker this run synced is named by Outstaff's id; any other by its external_id,
            # which the server resolves within the caller's organization.
            if row.get("worker_external_id") in worker_ids:
                row["worker"] = worker_ids[row.pop("worker_external_id")]
        resource_key = client_key if resource == "assignments" and client_key else key
        results = bulk_upsert(base_url, resource_key, resource, rows, run_id=run_id)
        if resource == "workers":
            worker_ids = {r["key"]: r["id"] for r in results if r["id"]}
        counts = dict.fromkeys(("create", "update", "unchanged", "error"), 0)
        for result in results:
            counts[result["action"]] += 1
        report[resource] = {"counts": counts, "results": results}
    return report


def deletions(*, base_url: str, key: str, since: str | None = None, resource_type: str | None = None) -> list[dict]:
    """Every tombstone since `since` (all pages): drop these ids from the local copy."""
    query = "&".join(f"{k}={v}" for k, v in (("updated_since", since), ("resource_type", resource_type)) if v)
    path, rows = f"/api/v1/deletions/?page_size=500{'&' + query if query else ''}", []
    while path:
        page = call(base_url, key, "GET", path)
        rows.extend(page["results"])
        following = page.get("next")
        path = following[following.index("/api/") :] if following else None
    return rows


def verify_webhook(*, secret: str, headers: dict, body: bytes) -> dict | None:
    """The event if the delivery is signed with `secret` (any of its signatures, so a rotation's
    24-hour overlap is seamless) and fresh; None otherwise. Use the raw body as received."""
    try:
        return Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["sync", "deletions"])
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument("--client-key")
    parser.add_argument("--export", type=Path, default=Path("."))
    parser.add_argument("--since")
    args = parser.parse_args(argv)
    if args.command == "sync":
        report = sync(base_url=args.base_url, key=args.key, export=args.export, client_key=args.client_key)
        print(json.dumps({resource: r["counts"] for resource, r in report.items()}))
        errors = [(res, r) for res, rep in report.items() for r in rep["results"] if r["action"] == "error"]
        for resource, result in errors:
            print(f"{resource} {result['key']}: {result['errors']}", file=sys.stderr)
        return 1 if errors else 0
    print(json.dumps(deletions(base_url=args.base_url, key=args.key, since=args.since)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The floor the API lists are measured against (DESIGN §11): the same rows, the same columns, the
same order and page size as the API list, fetched with one raw SQL query and written with orjson.
No authentication, no filters, no cursor: only routed when `BENCH_BASELINE_VIEWS` is on (the bench
load run's server), never in a default deployment. `?org=<organization id>` names the tenant."""

import base64
import uuid

import orjson
from django.db import connection
from django.http import Http404, HttpResponse

PAGE_SIZE, MAX_PAGE_SIZE = 50, 500

# Each list: the API's columns for the API's actor (a client for workers, assignments and risk flags;
# a provider for payroll entries), ordered as the API's cursor pagination orders (-created_at, -id).
QUERIES = {
    "workers": """
        SELECT w.id, w.external_id, w.first_name, w.last_name, w.first_name || ' ' || w.last_name AS full_name,
               w.work_email, w.country, w.subdivision, w.timezone, w.role_title, w.status, w.start_date,
               w.exit_date, w.exit_reason, w.provider_id AS provider, w.client_id AS client, w.created_at,
               w.updated_at
        FROM workers_worker w WHERE w.client_id = %(org)s
        ORDER BY w.created_at DESC, w.id DESC LIMIT %(limit)s""",
    "assignments": """
        SELECT a.id, a.external_id, a.client_id AS client, a.worker_id AS worker,
               w.first_name || ' ' || w.last_name AS worker_name, a.team_id AS team, a.manager_id AS manager,
               a.role, a.starts_on, a.ends_on, a.weekly_hours::text AS weekly_hours, a.directed_by,
               a.schedule_set_by_client, a.equipment_provided_by_client, a.status, a.created_at, a.updated_at
        FROM assignments_assignment a JOIN workers_worker w ON w.id = a.worker_id
        WHERE a.client_id = %(org)s
        ORDER BY a.created_at DESC, a.id DESC LIMIT %(limit)s""",
    "payroll-entries": """
        SELECT e.id, e.external_id, e.run_id AS run, e.worker_id AS worker, r.country, r.period_start,
               r.period_end, e.status, e.failure_reason, e.status_reason, e.paid_at,
               e.gross_amount::text AS gross_amount, e.currency, e.created_at, e.updated_at
        FROM providers_payrollentry e JOIN providers_payrollrun r ON r.id = e.run_id
        WHERE e.provider_id = %(org)s
        ORDER BY e.created_at DESC, e.id DESC LIMIT %(limit)s""",
    "risk-flags": """
        SELECT f.id, f.rule_code, f.category, f.severity, f.status, f.status_reason,
               NULLIF(TRIM(u.first_name || ' ' || u.last_name), '') AS status_changed_by, f.status_changed_via,
               f.status_changed_at, f.worker_id AS worker, w.first_name || ' ' || w.last_name AS worker_name,
               f.assignment_id AS assignment, f.client_id AS client, c.name AS client_name,
               f.provider_id AS provider, p.legal_name AS provider_name, f.evidence::text AS evidence,
               f.evidence_hash, f.first_seen_at, f.last_seen_at, f.escalated_at, f.resolved_at, f.created_at,
               f.updated_at
        FROM risks_riskflag f
        JOIN workers_worker w ON w.id = f.worker_id
        JOIN accounts_organization c ON c.id = f.client_id
        JOIN providers_provider p ON p.organization_id = f.provider_id
        LEFT JOIN accounts_user u ON u.id = f.status_changed_by_id
        WHERE f.client_id = %(org)s
        ORDER BY f.created_at DESC, f.id DESC LIMIT %(limit)s""",
}


def baseline_list(request, resource: str) -> HttpResponse:
    query = QUERIES.get(resource)
    if query is None:
        raise Http404
    try:
        org = uuid.UUID(request.GET.get("org", ""))
        limit = min(max(int(request.GET.get("page_size", PAGE_SIZE)), 1), MAX_PAGE_SIZE)
    except ValueError as error:
        raise Http404 from error
    with connection.cursor() as cursor:
        cursor.execute(query, {"org": org, "limit": limit})
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        if "evidence" in row:  # already JSON text: embed it as JSON, as the API does
            row["evidence"] = orjson.Fragment(row["evidence"])
    following = None
    if len(rows) == limit:
        marker = base64.urlsafe_b64encode(f"p={rows[-1]['created_at'].isoformat()}".encode()).decode()
        following = f"{request.build_absolute_uri(request.path)}?cursor={marker}&page_size={limit}"
    body = orjson.dumps({"next": following, "previous": None, "results": rows})
    return HttpResponse(body, content_type="application/json")

"""Tombstones for deleted rows (DESIGN §8, "deletions are visible").

Each synced model declares, in its `Meta.triggers`, one `tombstone_trigger(...)`: an AFTER DELETE row
trigger that inserts an `outstaff.Tombstone` in the deleting transaction. A trigger, not a
`post_delete` receiver, because Django fast-deletes cascades without loading (or signalling) the rows,
and erasure, admin actions or a raw SQL `DELETE` must leave a tombstone too. Django deletes children
before parents, so a child's trigger can still read its parent (e.g. the worker's client).

For code that removes a resource from the API without deleting its row (e.g. anonymising it),
`tombstone_record(...)` writes the same tombstone explicitly."""

from collections.abc import Iterable
from uuid import UUID

import pgtrigger
from django.utils import timezone

from .models import Tombstone


def tombstone_trigger(*, resource_type: str, organizations_sql: str, has_external_id: bool = True) -> pgtrigger.Trigger:
    """The trigger for one model. `organizations_sql` is an SQL expression over `OLD` giving the
    uuid[] of the organizations that could see the row, e.g. `ARRAY[OLD.client_id, OLD.provider_id]`
    or a sub-select through the row's worker. NULLs and duplicates are dropped."""
    external_id = "COALESCE(OLD.external_id, '')" if has_external_id else "''"
    return pgtrigger.Trigger(
        name="tombstone",
        when=pgtrigger.After,
        operation=pgtrigger.Delete,
        level=pgtrigger.Row,
        # Trigger DDL written at migration time from the model's own names, never from a request.
        func=pgtrigger.Func(
            f"""
            INSERT INTO outstaff_tombstone (resource_type, object_id, external_id, organization_ids, deleted_at)
            VALUES (
                '{resource_type}',
                OLD.id,
                {external_id},
                ARRAY(SELECT DISTINCT o FROM unnest(({organizations_sql})::uuid[]) AS o WHERE o IS NOT NULL),
                -- The moment of the delete, not the transaction's start (now()), so a client
                -- polling `updated_since` the time it last looked does not miss it.
                clock_timestamp()
            );
            RETURN NULL;
            """  # nosec B608 - see above
        ),
    )


def tombstone_record(
    *, resource_type: str, object_id: UUID | str, organization_ids: Iterable[UUID | str], external_id: str = ""
) -> Tombstone:
    """Record by hand that a resource left the API (the triggers cover real row deletes). Call it in
    the same transaction as the change."""
    return Tombstone.objects.create(
        resource_type=resource_type,
        object_id=object_id,
        external_id=external_id or "",
        organization_ids=sorted({str(org) for org in organization_ids if org}),
        deleted_at=timezone.now(),
    )

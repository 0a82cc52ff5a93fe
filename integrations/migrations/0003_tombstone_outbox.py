"""`<resource>.deleted` events for every tombstone, written by a trigger on outstaff_tombstone in the
deleting transaction: deletions by cascade, admin or raw SQL never run our Python, and an outbox row
must commit (or roll back) with the change that caused it. The event names are a frozen copy of
integrations.choices.TOMBSTONE_RESOURCES; the payload has the shape of every other event
(docs/webhooks.md)."""

from django.db import migrations

EVENT_FOR_RESOURCE = {
    "workers": "worker.deleted",
    "check-ins": "check_in.deleted",
    "contracts": "contract.deleted",
    "legal-entities": "legal_entity.deleted",
    "payroll-runs": "payroll_run.deleted",
    "payroll-entries": "payroll_entry.deleted",
    "compliance-items": "compliance_item.deleted",
    "teams": "team.deleted",
    "assignments": "assignment.deleted",
    "candidates": "candidate.deleted",
    "screenings": "screening.deleted",
    "assessments": "assessment.deleted",
    "risk-flags": "risk_flag.deleted",
}

_CASES = "\n".join(f"        WHEN '{resource}' THEN '{event}'" for resource, event in EVENT_FOR_RESOURCE.items())

CREATE = f"""
CREATE OR REPLACE FUNCTION integrations_tombstone_outbox() RETURNS trigger AS $$
DECLARE
    event_type text := CASE NEW.resource_type
{_CASES}
    END;
    stamp text := to_char(NEW.deleted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    org uuid;
    new_event uuid;
BEGIN
    IF event_type IS NULL THEN
        RETURN NULL;
    END IF;
    FOREACH org IN ARRAY NEW.organization_ids LOOP
        -- Only organizations with an active endpoint subscribed to this type get an event.
        PERFORM 1 FROM integrations_webhookendpoint e
            WHERE e.organization_id = org AND e.is_active
              AND (e.event_types = '{{}}' OR event_type = ANY (e.event_types));
        CONTINUE WHEN NOT FOUND;
        new_event := gen_random_uuid();
        INSERT INTO integrations_webhookevent (id, created_at, updated_at, organization_id, type, payload)
        VALUES (new_event, now(), now(), org, event_type, jsonb_build_object(
            'type', event_type,
            'timestamp', stamp,
            'data', jsonb_build_object(
                'resource_type', NEW.resource_type,
                'id', NEW.object_id,
                'change', 'deleted',
                'changed_fields', '[]'::jsonb,
                'occurred_at', stamp,
                'object', jsonb_build_object('id', NEW.object_id, 'external_id', NEW.external_id, 'deleted_at', stamp)
            )
        ));
        INSERT INTO integrations_webhookdelivery
            (id, created_at, updated_at, event_id, endpoint_id, status, attempts, next_attempt_at, last_error)
        SELECT gen_random_uuid(), now(), now(), new_event, e.id, 'pending', 0, now(), ''
        FROM integrations_webhookendpoint e
        WHERE e.organization_id = org AND e.is_active
          AND (e.event_types = '{{}}' OR event_type = ANY (e.event_types));
    END LOOP;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER integrations_tombstone_outbox
    AFTER INSERT ON outstaff_tombstone
    FOR EACH ROW EXECUTE FUNCTION integrations_tombstone_outbox();
"""

DROP = """
DROP TRIGGER IF EXISTS integrations_tombstone_outbox ON outstaff_tombstone;
DROP FUNCTION IF EXISTS integrations_tombstone_outbox();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_endpoint_previous_secret"),
        ("outstaff", "0002_tombstone"),
    ]

    operations = [migrations.RunSQL(CREATE, DROP)]

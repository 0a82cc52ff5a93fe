"""Per-tenant data versions (outstaff/dataversion.py explains the design): the version table, the
pending table each opted-in table's triggers write to, and the commit-time bump."""

from django.db import migrations

FORWARD = """
CREATE SEQUENCE outstaff_dataversion_seq;

-- One row per organization that was written to since this was installed; rows are never deleted.
CREATE TABLE outstaff_dataversion (
    tenant_id uuid PRIMARY KEY,
    version bigint NOT NULL
);

-- The tenants a transaction wrote to, until its COMMIT. UNLOGGED: rows live for one transaction.
CREATE UNLOGGED TABLE outstaff_dataversion_pending (
    txid bigint NOT NULL,
    tenant_id uuid NOT NULL,
    PRIMARY KEY (txid, tenant_id)
);

CREATE FUNCTION outstaff_dataversion_touch(tenants uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO outstaff_dataversion_pending (txid, tenant_id)
    SELECT txid_current(), t FROM unnest(tenants) AS t WHERE t IS NOT NULL
    ON CONFLICT DO NOTHING
$$;

-- At COMMIT: the first firing of a transaction takes all its pending tenants, in tenant-id order
-- (so two transactions lock version rows in the same order: no deadlock), and gives each a fresh
-- version; the later firings of the same transaction find nothing left.
CREATE FUNCTION outstaff_dataversion_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    WITH mine AS (
        DELETE FROM outstaff_dataversion_pending WHERE txid = txid_current() RETURNING tenant_id
    )
    INSERT INTO outstaff_dataversion AS v (tenant_id, version)
    SELECT tenant_id, nextval('outstaff_dataversion_seq') FROM (SELECT DISTINCT tenant_id FROM mine) AS s
    ORDER BY tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET version = nextval('outstaff_dataversion_seq');
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER outstaff_dataversion_bump
    AFTER INSERT ON outstaff_dataversion_pending
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION outstaff_dataversion_bump();
"""

REVERSE = """
DROP TABLE outstaff_dataversion_pending;
DROP FUNCTION outstaff_dataversion_bump();
DROP FUNCTION outstaff_dataversion_touch(uuid[]);
DROP TABLE outstaff_dataversion;
DROP SEQUENCE outstaff_dataversion_seq;
"""


class Migration(migrations.Migration):
    dependencies = [("outstaff", "0002_tombstone")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]

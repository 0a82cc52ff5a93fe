"""The commit-time version bump runs after the transaction's other deferred checks (its foreign
keys): it fires for the marker its last writing statement queued, so a transaction holds a tenant's
version row only while nothing else can make it wait. Bumping at the first write's event, as 0003
did, could deadlock: T1 locks X's version row at commit, then its deferred foreign-key check waits
for a row T2 holds FOR UPDATE, while T2's commit waits for X's version row."""

from django.db import migrations

FORWARD = """
DROP TABLE outstaff_dataversion_pending;  -- transient rows only; its constraint trigger goes with it
DROP FUNCTION outstaff_dataversion_bump();

CREATE UNLOGGED TABLE outstaff_dataversion_pending (
    txid bigint NOT NULL,
    tenant_id uuid NOT NULL,
    PRIMARY KEY (txid, tenant_id)
);

-- One row per writing statement: the deferred trigger of the last one does the bump.
CREATE SEQUENCE outstaff_dataversion_mark_seq;
CREATE UNLOGGED TABLE outstaff_dataversion_mark (
    txid bigint NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (txid, n)
);

CREATE OR REPLACE FUNCTION outstaff_dataversion_touch(tenants uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO outstaff_dataversion_pending (txid, tenant_id)
    SELECT txid_current(), t FROM unnest(tenants) AS t WHERE t IS NOT NULL
    ON CONFLICT DO NOTHING;
    INSERT INTO outstaff_dataversion_mark (txid, n)
    SELECT txid_current(), nextval('outstaff_dataversion_mark_seq')
    WHERE EXISTS (SELECT 1 FROM unnest(tenants) AS t WHERE t IS NOT NULL);
$$;

-- At COMMIT, once per marker, in the order they were queued: all but the last find a later marker
-- and return; the last takes the transaction's pending tenants, in tenant-id order (so two
-- transactions lock version rows in the same order), and gives each a fresh version.
CREATE FUNCTION outstaff_dataversion_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM outstaff_dataversion_mark WHERE txid = NEW.txid AND n > NEW.n) THEN
        RETURN NULL;
    END IF;
    DELETE FROM outstaff_dataversion_mark WHERE txid = NEW.txid;
    WITH mine AS (
        DELETE FROM outstaff_dataversion_pending WHERE txid = NEW.txid RETURNING tenant_id
    )
    INSERT INTO outstaff_dataversion AS v (tenant_id, version)
    SELECT tenant_id, nextval('outstaff_dataversion_seq') FROM (SELECT DISTINCT tenant_id FROM mine) AS s
    ORDER BY tenant_id
    ON CONFLICT (tenant_id) DO UPDATE SET version = nextval('outstaff_dataversion_seq');
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER outstaff_dataversion_bump
    AFTER INSERT ON outstaff_dataversion_mark
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION outstaff_dataversion_bump();
"""

REVERSE = """
DROP TABLE outstaff_dataversion_mark;
DROP SEQUENCE outstaff_dataversion_mark_seq;
DROP TABLE outstaff_dataversion_pending;
DROP FUNCTION outstaff_dataversion_bump();
CREATE UNLOGGED TABLE outstaff_dataversion_pending (
    txid bigint NOT NULL,
    tenant_id uuid NOT NULL,
    PRIMARY KEY (txid, tenant_id)
);
CREATE OR REPLACE FUNCTION outstaff_dataversion_touch(tenants uuid[]) RETURNS void LANGUAGE sql AS $$
    INSERT INTO outstaff_dataversion_pending (txid, tenant_id)
    SELECT txid_current(), t FROM unnest(tenants) AS t WHERE t IS NOT NULL
    ON CONFLICT DO NOTHING
$$;
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


class Migration(migrations.Migration):
    dependencies = [("outstaff", "0003_data_version")]

    operations = [migrations.RunSQL(FORWARD, REVERSE)]

"""Refuse, in the database itself, an IP network that overlaps a network of another center.

Ranges are stored as fixed-width hex (see ``CenterNetwork``), so "overlaps" is
``first <= other.last AND last >= other.first`` on both SQLite and PostgreSQL.
"""

from django.db import migrations

SQLITE = [
    f"""
    CREATE TRIGGER network_centernetwork_no_overlap_{event.lower()}
    BEFORE {event} ON network_centernetwork
    FOR EACH ROW WHEN EXISTS (
        SELECT 1 FROM network_centernetwork n
        WHERE n.version = NEW.version AND n.first <= NEW.last AND n.last >= NEW.first
          AND n.center_id <> NEW.center_id AND n.id <> COALESCE(NEW.id, -1)
    )
    BEGIN SELECT RAISE(ABORT, 'IP network overlaps a network of another center'); END;
    """  # noqa: S608 (only the fixed words INSERT/UPDATE are interpolated)
    for event in ("INSERT", "UPDATE")
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS network_centernetwork_no_overlap_insert;",
    "DROP TRIGGER IF EXISTS network_centernetwork_no_overlap_update;",
]

POSTGRES = [
    """
    CREATE FUNCTION network_centernetwork_no_overlap() RETURNS trigger AS $$
    BEGIN
        -- One writer at a time checks ranges, so two concurrent inserts cannot both pass.
        PERFORM pg_advisory_xact_lock(hashtext('network_centernetwork'));
        IF EXISTS (
            SELECT 1 FROM network_centernetwork n
            WHERE n.version = NEW.version AND n.first <= NEW.last AND n.last >= NEW.first
              AND n.center_id <> NEW.center_id AND n.id <> NEW.id
        ) THEN
            RAISE EXCEPTION 'IP network overlaps a network of another center'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER network_centernetwork_no_overlap
    BEFORE INSERT OR UPDATE ON network_centernetwork
    FOR EACH ROW EXECUTE FUNCTION network_centernetwork_no_overlap();
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS network_centernetwork_no_overlap ON network_centernetwork;",
    "DROP FUNCTION IF EXISTS network_centernetwork_no_overlap();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in POSTGRES_REVERSE if vendor == "postgresql" else SQLITE_REVERSE:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]

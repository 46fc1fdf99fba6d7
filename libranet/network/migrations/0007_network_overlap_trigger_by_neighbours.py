"""The overlap trigger of 0002, asking the index twice instead of scanning it.

0002 looked for ``first <= NEW.last AND last >= NEW.first``: the index on (version, first) gives
every range that starts below the new one's end, so each insert read about half the table, and
an import of 20,000 networks took most of a minute. Since the networks of different centers
never overlap (this trigger's rule), a range that overlaps the new one either starts inside it,
or is the one range that starts last before it: two short index reads.
"""

import importlib

from django.db import migrations

MESSAGE = "IP network overlaps a network of another center"
# Ranges of another center that start inside the new one, or the last range that starts before
# it when it reaches into it (the other ranges before it end before that one starts).
OVERLAP = """
    EXISTS (
        SELECT 1 FROM network_centernetwork n
        WHERE n.version = NEW.version AND n.first >= NEW.first AND n.first <= NEW.last
          AND n.center_id <> NEW.center_id AND n.id <> {new_id}
    ) OR EXISTS (
        SELECT 1 FROM (
            SELECT p.center_id, p.last FROM network_centernetwork p
            WHERE p.version = NEW.version AND p.first < NEW.first AND p.id <> {new_id}
            ORDER BY p.first DESC LIMIT 1
        ) q
        WHERE q.last >= NEW.first AND q.center_id <> NEW.center_id
    )
"""

SQLITE = [
    f"""
    CREATE TRIGGER network_centernetwork_no_overlap_{event.lower()}
    BEFORE {event} ON network_centernetwork
    FOR EACH ROW WHEN {OVERLAP.format(new_id="COALESCE(NEW.id, -1)")}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
    """
    for event in ("INSERT", "UPDATE")
]

POSTGRES = [
    f"""
    CREATE OR REPLACE FUNCTION network_centernetwork_no_overlap() RETURNS trigger AS $$
    BEGIN
        -- One writer at a time checks ranges, so two concurrent inserts cannot both pass.
        PERFORM pg_advisory_xact_lock(hashtext('network_centernetwork'));
        IF {OVERLAP.format(new_id="NEW.id")} THEN
            RAISE EXCEPTION '{MESSAGE}'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    """
]

_first = importlib.import_module("libranet.network.migrations.0002_network_overlap_trigger")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = POSTGRES  # the trigger stays; its function is replaced
    else:
        statements = _first.SQLITE_REVERSE + SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        statements = [_first.POSTGRES[0].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")]
    else:
        statements = _first.SQLITE_REVERSE + _first.SQLITE
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("network", "0006_center_kind_rank")]
    operations = [migrations.RunPython(forwards, backwards)]

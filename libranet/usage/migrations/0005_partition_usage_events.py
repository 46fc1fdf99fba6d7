"""Raw usage events partitioned by month on PostgreSQL (``libranet.usage.partitions``).

The table is rebuilt: a partitioned one is made beside it (same columns, defaults, checks and
identity), partitions for the months its rows are in, this month and the months ahead and a
default one, the rows copied, then its indexes made under the same names and the old table
dropped. A partitioned table's primary key must hold the partition key: it is (id,
occurred_at) in SQL, while Django's state keeps ``id`` as the primary key (ids still come from
one identity sequence, so they stay unique). Backwards, the plain table comes back the same way.
SQLite keeps its single table: nothing is done there. The copy reads and writes every row once:
on a large table, run it in a maintenance window.
"""

import re

from django.conf import settings
from django.db import migrations

TABLE = "usage_usageevent"


def _names(cursor, sql, params):
    cursor.execute(sql, params)
    return cursor.fetchall()


def _rebuild(schema_editor, *, partitioned):
    from libranet.usage import partitions

    qn = schema_editor.quote_name
    kind = "p" if partitioned else "r"
    with schema_editor.connection.cursor() as cursor:
        [(relkind,)] = _names(
            cursor, "SELECT relkind FROM pg_class WHERE oid = %s::regclass", [TABLE]
        )
        if relkind == kind:
            return
        old = f"{TABLE}_before"
        cursor.execute(f"ALTER TABLE {qn(TABLE)} RENAME TO {qn(old)}")
        [(sequence,)] = _names(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [old])
        # The old table's indexes and key free their names for the new one.
        indexes = _names(
            cursor,
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid
               WHERE x.indrelid = %s::regclass AND NOT x.indisprimary""",
            [old],
        )
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {qn(name)}")
        for (key,) in _names(
            cursor,
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'",
            [old],
        ):
            cursor.execute(f"ALTER TABLE {qn(old)} DROP CONSTRAINT {qn(key)}")
        cursor.execute(
            f"CREATE TABLE {qn(TABLE)} (LIKE {qn(old)} INCLUDING ALL EXCLUDING INDEXES)"
            + (" PARTITION BY RANGE (occurred_at)" if partitioned else "")
        )
        if partitioned:
            months = _names(
                cursor,
                f"SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE %s)::date "  # noqa: S608
                f"FROM {qn(old)}",
                [settings.TIME_ZONE],  # the partitions' months are this zone's
            )
            partitions.partitions_ensure(month for (month,) in months)
            partitions.partitions_ahead()
            partitions.default_partition_make()
        columns = ", ".join(
            qn(name)
            for (name,) in _names(
                cursor,
                """SELECT attname FROM pg_attribute
                   WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped
                   ORDER BY attnum""",
                [TABLE],
            )
        )
        cursor.execute(f"INSERT INTO {qn(TABLE)} ({columns}) SELECT {columns} FROM {qn(old)}")  # noqa: S608
        key = "id, occurred_at" if partitioned else "id"
        cursor.execute(
            f"ALTER TABLE {qn(TABLE)} ADD CONSTRAINT {qn(TABLE + '_pkey')} PRIMARY KEY ({key})"
        )
        for _name, definition in indexes:
            # "CREATE INDEX name ON [ONLY] public.<old> USING ...": the same on the new table.
            cursor.execute(
                re.sub(r" ON (ONLY )?\S+ USING ", f" ON {qn(TABLE)} USING ", definition, count=1)
            )
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE(MAX(id), 1), "  # noqa: S608
            f"MAX(id) IS NOT NULL) FROM {qn(TABLE)}",
            [TABLE],
        )
        [(new_sequence,)] = _names(cursor, "SELECT pg_get_serial_sequence(%s, 'id')", [TABLE])
        cursor.execute(f"DROP TABLE {qn(old)}")  # its partitions and sequence with it
        cursor.execute(
            f"ALTER SEQUENCE {new_sequence} RENAME TO {qn(sequence.split('.')[-1].strip(chr(34)))}"
        )


def partition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partitioned=True)


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        _rebuild(schema_editor, partitioned=False)


class Migration(migrations.Migration):
    dependencies = [("usage", "0004_area_and_month_summaries")]

    operations = [migrations.RunPython(partition, unpartition)]

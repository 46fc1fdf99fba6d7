"""The access level at the time of use, on events and item roll-ups. Existing rows get their
resource's current level: the only one known for them."""

from django.db import migrations, models

# Plain SQL that SQLite and PostgreSQL both run: one correlated update per table (a resource
# row is never deleted, only marked; a missing one leaves the level empty).
BACKFILL = """
    UPDATE {table} SET access_level = COALESCE(
        (SELECT r.access_level FROM resources_resource r WHERE r.id = {table}.resource_id), ''
    ) WHERE resource_id IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("usage", "0002_ingested_spool"),
        ("resources", "0004_oai_records"),
    ]

    operations = [
        migrations.AddField(
            model_name="dailyitemusage",
            name="access_level",
            field=models.CharField(default="", max_length=16),
        ),
        migrations.AddField(
            model_name="usageevent",
            name="access_level",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.RunSQL(BACKFILL.format(table="usage_dailyitemusage"), migrations.RunSQL.noop),
        migrations.RunSQL(BACKFILL.format(table="usage_usageevent"), migrations.RunSQL.noop),
    ]

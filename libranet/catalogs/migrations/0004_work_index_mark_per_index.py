"""The partner works' mark is kept per search index (each server's Tantivy index, or the
shared PostgreSQL table), not per backend. The Tantivy mark, named "tantivy", matches no index
name and is dropped: each server rebuilds its works once; the PostgreSQL mark keeps its name,
"postgres"."""

from django.db import migrations, models


def drop_the_backend_mark(apps, schema_editor):
    apps.get_model("catalogs", "WorkIndexMark").objects.filter(index_name="tantivy").delete()


class Migration(migrations.Migration):
    dependencies = [("catalogs", "0003_title_key")]

    operations = [
        migrations.RenameField("workindexmark", "backend", "index_name"),
        migrations.AlterField(
            "workindexmark", "index_name", models.CharField(max_length=255, unique=True)
        ),
        migrations.RunPython(drop_the_backend_mark, migrations.RunPython.noop),
    ]

"""The partner works' mark is kept per search index (each server's Tantivy index, or the
shared PostgreSQL table), not per backend. A Tantivy mark named "tantivy" matches no index
name: each server rebuilds its works once; the PostgreSQL mark keeps its name, "postgres"."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("catalogs", "0003_title_key")]

    operations = [
        migrations.RenameField("workindexmark", "backend", "index_name"),
        migrations.AlterField(
            "workindexmark", "index_name", models.CharField(max_length=255, unique=True)
        ),
    ]

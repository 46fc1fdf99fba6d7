"""The OAI-PMH record of each resource, stored (libranet/resources/harvest.py): the columns,
then every existing resource's record rendered into them."""

from django.db import migrations, models


def render_records(apps, schema_editor):
    from libranet.resources import harvest

    harvest.store(model=apps.get_model("resources", "Resource"))


class Migration(migrations.Migration):
    dependencies = [
        ("resources", "0003_search_documents_postgres"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="oai_header",
            field=models.TextField(blank=True, editable=False, verbose_name="OAI-PMH header"),
        ),
        migrations.AddField(
            model_name="resource",
            name="oai_metadata",
            field=models.TextField(blank=True, editable=False, verbose_name="OAI-PMH metadata"),
        ),
        # Nothing to undo: going back drops the columns.
        migrations.RunPython(render_records, migrations.RunPython.noop, elidable=True),
    ]

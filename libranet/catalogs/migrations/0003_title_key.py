"""Each record keeps its title key also beside an ISBN key, and the records without ISBN that
share it with an ISBN work join that work (marked harvested now, so that the union search's
next update moves them)."""

from django.db import migrations, models
from django.utils import timezone

BATCH = 5000


def fill_title_keys(apps, schema_editor):
    from libranet.catalogs.harvesting import join_editions
    from libranet.catalogs.works import title_key

    record_model = apps.get_model("catalogs", "CatalogRecord")
    last, keys = 0, set()
    while True:
        batch = list(
            record_model.objects.filter(pk__gt=last, deleted=False)
            .order_by("pk")
            .only("pk", "title", "creators", "year")[:BATCH]
        )
        if not batch:
            break
        for record in batch:
            record.title_key = title_key(
                title=record.title, creators=record.creators, year=record.year
            )
            keys.add(record.title_key)
        record_model.objects.bulk_update(batch, ["title_key"])
        last = batch[-1].pk
    keys.discard("")
    now, keys_in_order = timezone.now(), sorted(keys)
    for start in range(0, len(keys_in_order), BATCH):
        join_editions(set(keys_in_order[start : start + BATCH]), now, model=record_model)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogs", "0002_work_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="catalogrecord",
            name="title_key",
            field=models.CharField(
                blank=True, db_index=True, max_length=64, verbose_name="title key"
            ),
        ),
        migrations.RunPython(fill_title_keys, migrations.RunPython.noop),
    ]

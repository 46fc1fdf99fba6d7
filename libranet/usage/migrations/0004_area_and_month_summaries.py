"""The roll-up's summaries (by area and day, by area and month, by center and month), filled
from the day rows already rolled up; later roll-ups keep them (``rollup.summaries_rebuild``)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Sum
from django.db.models.functions import TruncMonth


def fill_summaries(apps, schema_editor):
    daily = apps.get_model("usage", "DailyCenterUsage").objects.filter(center__isnull=False)
    area_day = apps.get_model("usage", "DailyAreaUsage")
    area_month = apps.get_model("usage", "MonthlyAreaUsage")
    center_month = apps.get_model("usage", "MonthlyCenterUsage")
    for model, keys, rows in [
        (area_day, ("day", "center__region_id", "center__country_id"), daily),
        (area_month, ("month", "center__region_id", "center__country_id"), daily),
        (center_month, ("month", "center_id"), daily),
    ]:
        sums = (
            rows.annotate(month=TruncMonth("day"))
            .values(*keys, "metric")
            .annotate(total=Sum("value"))
            .order_by()
        )
        model.objects.bulk_create(
            (
                model(
                    **{key.removeprefix("center__"): row[key] for key in keys},
                    metric=row["metric"],
                    value=row["total"],
                )
                for row in sums.iterator()
            ),
            batch_size=5000,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("network", "0007_network_overlap_trigger_by_neighbours"),
        ("usage", "0003_access_level_at_time_of_use"),
    ]

    operations = [
        migrations.CreateModel(
            name="DailyAreaUsage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                (
                    "metric",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Total_Item_Investigations"),
                            (2, "Unique_Item_Investigations"),
                            (3, "Unique_Title_Investigations"),
                            (4, "Total_Item_Requests"),
                            (5, "Unique_Item_Requests"),
                            (6, "Unique_Title_Requests"),
                            (7, "No_License"),
                            (8, "Searches_Regular"),
                            (9, "Searches_Platform"),
                            (10, "Sessions"),
                        ]
                    ),
                ),
                ("value", models.PositiveBigIntegerField()),
                (
                    "country",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="network.country",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="network.region",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["day", "region"], name="dailyarea_day_region")],
            },
        ),
        migrations.CreateModel(
            name="MonthlyAreaUsage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                (
                    "metric",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Total_Item_Investigations"),
                            (2, "Unique_Item_Investigations"),
                            (3, "Unique_Title_Investigations"),
                            (4, "Total_Item_Requests"),
                            (5, "Unique_Item_Requests"),
                            (6, "Unique_Title_Requests"),
                            (7, "No_License"),
                            (8, "Searches_Regular"),
                            (9, "Searches_Platform"),
                            (10, "Sessions"),
                        ]
                    ),
                ),
                ("value", models.PositiveBigIntegerField()),
                (
                    "country",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="network.country",
                    ),
                ),
                (
                    "region",
                    models.ForeignKey(
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="network.region",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["month", "region"], name="monthlyarea_month_region")
                ],
            },
        ),
        migrations.CreateModel(
            name="MonthlyCenterUsage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                (
                    "metric",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (1, "Total_Item_Investigations"),
                            (2, "Unique_Item_Investigations"),
                            (3, "Unique_Title_Investigations"),
                            (4, "Total_Item_Requests"),
                            (5, "Unique_Item_Requests"),
                            (6, "Unique_Title_Requests"),
                            (7, "No_License"),
                            (8, "Searches_Regular"),
                            (9, "Searches_Platform"),
                            (10, "Sessions"),
                        ]
                    ),
                ),
                ("value", models.PositiveBigIntegerField()),
                (
                    "center",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="network.center",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["month", "metric", "center"], name="monthlycenter_month")
                ],
            },
        ),
        migrations.RunPython(fill_summaries, migrations.RunPython.noop),
    ]

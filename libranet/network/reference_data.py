"""Reference data shipped with the code: federal districts, the 85 federal subjects, countries.

Loaded by migration 0003 and kept in the database afterwards, where staff correct it (the list
of subjects changes); ``load_reference_data`` only fills in what is missing, never overwrites.
A database left with no regions at all (a flush, as the end of every committing test) gets it
back after ``post_migrate``, as Django gives back content types and permissions.
"""

import csv
import gettext
from pathlib import Path

import pycountry
from django.apps import apps as global_apps
from django.apps.registry import Apps

DATA = Path(__file__).parent / "data"


def read_csv(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def countries() -> list[dict[str, str]]:
    """ISO 3166-1 countries with English and Russian names from pycountry's catalogs."""
    russian = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    return [
        {
            "code": c.alpha_2,
            "name_en": getattr(c, "common_name", None) or c.name,
            "name_ru": russian.gettext(c.name),
        }
        for c in pycountry.countries
    ]


def load_reference_data(apps, using: str = "default") -> None:
    FederalDistrict = apps.get_model("network", "FederalDistrict")
    Region = apps.get_model("network", "Region")
    Country = apps.get_model("network", "Country")
    districts = {}
    for row in read_csv("federal_districts.csv"):
        districts[row["code"]], _ = FederalDistrict.objects.using(using).get_or_create(
            code=row["code"], defaults={"name_ru": row["name_ru"], "name_en": row["name_en"]}
        )
    for row in read_csv("federal_subjects.csv"):
        Region.objects.using(using).get_or_create(
            code=row["code"],
            defaults={
                "name_ru": row["name_ru"],
                "name_en": row["name_en"],
                "federal_district": districts[row["federal_district"]],
            },
        )
    existing = set(Country.objects.using(using).values_list("code", flat=True))
    Country.objects.using(using).bulk_create(
        Country(**row) for row in countries() if row["code"] not in existing
    )


def refill_emptied_reference_data(
    using: str = "default", apps: Apps = global_apps, **kwargs
) -> None:
    """``post_migrate`` receiver: loads the reference data into a database that has no region
    at all; one where staff keep the list is never touched. A flush sends the signal without
    the migrations' ``apps``: the installed models serve then."""
    try:
        Region = apps.get_model("network", "Region")
    except LookupError:  # migrated back to before the regions existed
        return
    if not Region.objects.using(using).exists():
        load_reference_data(apps, using)

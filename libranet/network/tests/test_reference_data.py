"""The reference data of migration 0003 comes back to a database emptied by a flush (as every
committing test ends), and never overwrites a list staff keep."""

import pytest
from django.core.management import call_command

from libranet.network.models import Country, FederalDistrict, Region


@pytest.mark.django_db
def test_a_flush_gives_the_regions_and_countries_back():
    call_command("flush", interactive=False, verbosity=0)
    assert Region.objects.count() == 85
    assert FederalDistrict.objects.count() == 8
    assert Country.objects.filter(code="RU").exists()


@pytest.mark.django_db
def test_a_kept_list_is_not_touched():
    Region.objects.filter(code="RU-TVE").update(name_en="Tver Oblast")
    Region.objects.filter(code="RU-PNZ").delete()
    call_command("migrate", verbosity=0)
    assert Region.objects.get(code="RU-TVE").name_en == "Tver Oblast"
    assert not Region.objects.filter(code="RU-PNZ").exists()

from django.db import migrations

from libranet.network.reference_data import load_reference_data


def forwards(apps, schema_editor):
    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [("network", "0002_network_overlap_trigger")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

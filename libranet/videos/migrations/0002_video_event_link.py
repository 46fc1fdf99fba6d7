import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The event a video films becomes a link to an event entered in Libranet; the name typed
    so far stays as ``event_name`` (for events that are not entered)."""

    dependencies = [
        ("events", "0001_initial"),
        ("videos", "0001_initial"),
    ]

    operations = [
        migrations.RenameField(model_name="video", old_name="event", new_name="event_name"),
        migrations.AlterField(
            model_name="video",
            name="event_name",
            field=models.CharField(blank=True, max_length=300, verbose_name="name of the event"),
        ),
        migrations.AddField(
            model_name="video",
            name="event",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="videos",
                to="events.event",
                verbose_name="event",
            ),
        ),
    ]

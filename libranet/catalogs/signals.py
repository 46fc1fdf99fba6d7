"""A finished harvest queues the partner works' index update (``libranet.catalogs.union``)."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .models import HarvestRun


@receiver(post_save, sender=HarvestRun, dispatch_uid="catalogs_works_after_harvest")
def works_apply_after_harvest(sender, instance: HarvestRun, **kwargs) -> None:
    # A failed run wrote records too (up to where it stopped): they are applied as well.
    if instance.state == HarvestRun.State.RUNNING:
        return
    from libranet.resources.search.changes import enqueue_once

    from .tasks import catalog_works_apply

    transaction.on_commit(lambda: enqueue_once(catalog_works_apply), robust=True)

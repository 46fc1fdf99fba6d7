"""The search index's outbox: every service that changes a resource records it here, inside
its own transaction (see ``SearchIndexChange``)."""

from collections.abc import Iterable

from libranet.resources.models import SearchIndexChange


def index_change_record(*, resource_ids: Iterable[int]) -> None:
    """Note that these resources' search documents must be rebuilt (or removed)."""
    SearchIndexChange.objects.bulk_create(
        SearchIndexChange(resource_id=resource_id) for resource_id in set(resource_ids)
    )

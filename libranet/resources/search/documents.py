"""Search documents from the database: what the index holds of each live resource."""

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Prefetch
from django.db.models.functions import Substr

from libranet.resources.models import Collection, Resource, ResourceFile

from .base import SearchDocument


class CollectionTree:
    """Every collection's code and parent, loaded once: a resource in a sub-collection is
    indexed under its ancestors too, so filtering by a collection finds what is below it."""

    def __init__(self) -> None:
        self._nodes = dict(
            (pk, (code, parent_id))
            for pk, code, parent_id in Collection.objects.values_list("pk", "code", "parent_id")
        )

    def paths(self, collection_ids: Iterable[int]) -> list[list[str]]:
        """Each collection's codes from the top down, less those an earlier path holds."""
        seen: set[str] = set()
        paths = []
        for pk in sorted(collection_ids):
            path: list[str] = []
            current: int | None = pk
            while current is not None and current in self._nodes and len(path) < 50:
                code, current = self._nodes[current]
                path.append(code)
            fresh = [code for code in reversed(path) if code not in seen]
            if fresh:
                seen.update(fresh)
                paths.append(fresh)
        return paths


def _strings(value: Any) -> list[str]:
    """Creators and subjects are JSON: plain strings, or objects (a name with a role, a
    heading in two languages); every string in them is searchable."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return [str(value)]


def documents_for(
    resource_ids: Iterable[int], *, text_limit: int, tree: CollectionTree | None = None
) -> list[SearchDocument]:
    """The documents of those of ``resource_ids`` that are live (not deleted); a missing one
    means its document must go. A fixed number of queries for any number of ids."""
    ids = list(resource_ids)
    if not ids:
        return []
    tree = tree or CollectionTree()
    files = (
        ResourceFile.objects.only("id", "resource_id", "position")
        .annotate(text_head=Substr("extracted_text", 1, text_limit))
        .order_by("position", "id")
    )
    resources = (
        Resource.objects.live()
        .filter(pk__in=ids)
        .defer("rights", "thumbnail", "created_at")
        .prefetch_related(
            Prefetch("collections", queryset=Collection.objects.only("id")),
            Prefetch("files", queryset=files),
        )
    )
    return [_document(resource, tree, text_limit) for resource in resources]


def _document(resource: Resource, tree: CollectionTree, text_limit: int) -> SearchDocument:
    texts = [text for f in resource.files.all() if (text := getattr(f, "text_head", ""))]
    paths = tree.paths(c.pk for c in resource.collections.all())
    return SearchDocument(
        id=resource.pk,
        identifier=resource.identifier,
        title_ru=resource.title_ru,
        title_en=resource.title_en,
        creators=_strings(resource.creators),
        subjects=_strings(resource.subjects),
        description_ru=resource.description_ru,
        description_en=resource.description_en,
        text="\n".join(texts)[:text_limit],
        type=resource.type,
        language=resource.language,
        access_level=resource.access_level,
        collections=sorted(code for path in paths for code in path),
        collection_groups=paths,
        year_from=resource.year_from,
        year_to=resource.year_to,
        modified=resource.modified_at,
    )


def live_documents(*, batch_size: int, text_limit: int) -> Iterator[SearchDocument]:
    """Every live resource's document, read in batches by primary key (keyset, so memory
    stays bounded by one batch whatever the catalogue's size)."""
    tree = CollectionTree()
    last = 0
    while True:
        ids = list(
            Resource.objects.live()
            .filter(pk__gt=last)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not ids:
            return
        yield from documents_for(ids, text_limit=text_limit, tree=tree)
        last = ids[-1]

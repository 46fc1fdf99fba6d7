"""Reads of the collections that apply their rules: one resource for its page, lists with
filters and "readable here", the collection tree.

Metadata of every live resource but staff-only ones is public (only files are restricted, and
``access.decide`` decides those); staff-only resources exist only for staff; a withdrawn
resource answers "gone" (its record stays for OAI-PMH).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, Count, Prefetch, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from libranet.network.permissions import is_staff_member
from libranet.network.places import Place

from .access import readable_levels
from .models import AccessLevel, Collection, Resource, ResourceFile

_TRUE = {"1", "true", "yes", "on"}


class ResourceGone(Http404):
    """The resource was withdrawn: a page answers 410 and says so (a caller that does not
    know this class still answers 404, as it is an ``Http404``)."""

    def __init__(self, resource: Resource) -> None:
        super().__init__(
            _("Resource {identifier} has been withdrawn.").format(identifier=resource.identifier)
        )
        self.resource = resource


def _visible(user: Any) -> QuerySet[Resource]:
    """The resources whose metadata ``user`` may see: staff see staff-only ones too."""
    if is_staff_member(user):
        return Resource.objects.live()
    return Resource.objects.public_metadata()


def _files() -> Any:  # a Prefetch (django-stubs types its generics too narrowly here)
    return Prefetch("files", queryset=ResourceFile.objects.order_by("position", "id"))


def resource_get(identifier: str, *, user: Any = None) -> Resource:
    """The resource of a public page, with its files (in page order) and collections.

    Raises ``Http404`` for an unknown identifier and for a staff-only resource unless ``user``
    is staff, and ``ResourceGone`` (an ``Http404``) for a withdrawn one, whoever asks."""
    resource = (
        Resource.objects.prefetch_related(_files(), "collections")
        .filter(identifier=identifier)
        .first()
    )
    if resource is None:
        raise Http404(_("There is no resource {identifier}.").format(identifier=identifier))
    if resource.deleted_at is not None:
        raise ResourceGone(resource)
    if resource.access_level == AccessLevel.STAFF and not is_staff_member(user):
        raise Http404(_("There is no resource {identifier}.").format(identifier=identifier))
    return resource


@dataclass
class ResourceFilters:
    """The filters of resource lists (pages and the API); empty means "any".

    A value that is not a known type, level or collection simply matches nothing."""

    type: str = ""
    collection: str = ""  # a collection's code: the resources of it and of its descendants
    language: str = ""
    access_level: str = ""
    readable_here: bool = False  # only what this user may read from this place

    @classmethod
    def from_mapping(cls, data: Any) -> "ResourceFilters":
        def text(name: str) -> str:
            return str(data.get(name) or "").strip()[:200]

        return cls(
            type=text("type").lower(),
            collection=text("collection").lower(),
            language=text("language").lower(),
            access_level=text("access_level").lower(),
            readable_here=text("readable_here").lower() in _TRUE,
        )

    def active(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v}


def resource_list(
    *, filters: ResourceFilters, user: Any, place: Place, queryset: QuerySet | None = None
) -> QuerySet[Resource]:
    """The resources ``user`` may see, filtered, each annotated with ``readable_here`` (may
    ``user`` read its files from ``place``), with files and collections prefetched: a page of
    it costs a fixed number of queries (the page, its files, its collections; plus the count).

    Ordered by identifier; a caller sorts otherwise with ``order_by``. ``queryset`` narrows
    the base further (it is intersected with what ``user`` may see)."""
    levels = sorted(readable_levels(user, place))
    base = _visible(user)
    if queryset is not None:
        base = base & queryset
    if filters.type:
        base = base.filter(type=filters.type)
    if filters.language:
        base = base.filter(language=filters.language)
    if filters.access_level:
        base = base.filter(access_level=filters.access_level)
    if filters.collection:
        base = base.filter(collections__in=collection_descendant_ids(filters.collection)).distinct()
    if filters.readable_here:
        base = base.filter(access_level__in=levels)
    return base.annotate(
        readable_here=Case(
            When(access_level__in=levels, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    ).prefetch_related(_files(), "collections")


# --- the collection tree ----------------------------------------------------------------------


@dataclass
class CollectionNode:
    """A collection in the tree, with its children in order and its path of codes from the
    top (``["power", "presidents"]``; the OAI-PMH set spec joins it with ":")."""

    collection: Collection
    path: list[str]
    children: list["CollectionNode"] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return len(self.path) - 1

    def walk(self) -> Iterable["CollectionNode"]:
        """This node and all below it, depth first, in order."""
        yield self
        for child in self.children:
            yield from child.walk()


def collection_tree() -> list[CollectionNode]:
    """The whole collection tree from one query: the top collections, each with its children
    (ordered by position, then Russian name)."""
    collections = list(Collection.objects.order_by("position", "name_ru", "pk"))
    by_parent: dict[int | None, list[Collection]] = {}
    for collection in collections:
        by_parent.setdefault(collection.parent_id, []).append(collection)

    def build(collection: Collection, path: list[str]) -> CollectionNode:
        node = CollectionNode(collection=collection, path=[*path, collection.code])
        node.children = [build(c, node.path) for c in by_parent.get(collection.pk, [])]
        return node

    return [build(c, []) for c in by_parent.get(None, [])]


def collection_descendant_ids(code: str) -> set[int]:
    """The ids of the collection ``code`` and of every collection below it (empty for an
    unknown code)."""
    pairs = list(Collection.objects.values_list("pk", "parent_id", "code"))
    children: dict[int | None, list[int]] = {}
    start = None
    for pk, parent_id, node_code in pairs:
        children.setdefault(parent_id, []).append(pk)
        if node_code == code:
            start = pk
    if start is None:
        return set()
    found, stack = set(), [start]
    while stack:
        pk = stack.pop()
        if pk not in found:
            found.add(pk)
            stack.extend(children.get(pk, []))
    return found


def collection_resource_counts() -> dict[int, int]:
    """How many resources (withdrawn ones aside) each collection holds itself, not counting
    those of the collections below it; a collection without any is absent."""
    rows = (
        Resource.collections.through.objects.filter(resource__deleted_at__isnull=True)
        .values_list("collection_id")
        .annotate(count=Count("resource_id"))
        .order_by()
    )
    return dict(rows)

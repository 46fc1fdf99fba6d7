"""Full-text search over the catalogue: one interface, two backends (Tantivy by default,
PostgreSQL full text), fed from the database through the outbox and the task queue.

For the pages and the API::

    from libranet.resources.search import SearchError, SearchFilters, search

    results = search(query=request.GET.get("q", ""), user=request.user,
                     place=place_of(request), filters=SearchFilters.from_params(request.GET),
                     sort="relevance", page=1, page_size=20)

See ``service.search`` and README "Search".
"""

from .base import FacetValue, SearchError, SearchFilters, SearchHit, SearchResults
from .service import get_backend, index_apply_changes, index_rebuild, search, visible_levels

__all__ = [
    "FacetValue",
    "SearchError",
    "SearchFilters",
    "SearchHit",
    "SearchResults",
    "get_backend",
    "index_apply_changes",
    "index_rebuild",
    "search",
    "visible_levels",
]

"""The demo's OAI-PMH provider: synthetic catalogs of a few host libraries of the demo network,
each served as its own repository by oai_repo (``server``), so that the demo harvests and
searches partner catalogs on a fresh clone with no internet."""

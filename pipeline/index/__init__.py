"""Search index adapters behind one protocol; ``open_index`` picks the one the settings name.

The embedded index needs no server and is the default; Elasticsearch is the production choice (DESIGN.md §1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.index.base import SearchHit, SearchIndex, SearchQuery, SearchResults

if TYPE_CHECKING:
    from pipeline.config import Settings

__all__ = ["SearchHit", "SearchIndex", "SearchQuery", "SearchResults", "open_index"]


def open_index(settings: Settings) -> SearchIndex:
    """The search index named by ``SOHOA_INDEX`` (``embedded`` under ``SOHOA_DATA_DIR``/index by default;
    ``elasticsearch`` at ``SOHOA_ES_URL``)."""
    if settings.index == "embedded":
        from pipeline.index.embedded import EmbeddedIndex

        return EmbeddedIndex(settings.index_dir)
    if settings.index == "elasticsearch":
        from pipeline.index.elasticsearch import ElasticsearchIndex, connect

        return ElasticsearchIndex(connect(settings), alias=settings.es_alias)
    raise ValueError(f"unknown search index {settings.index!r}; expected 'embedded' or 'elasticsearch'")

"""Document-type classification and field extraction on the OCR tree (see DESIGN.md §3 for the contract).

``classify(doc)`` says which paper a :class:`~pipeline.document.Document` is; ``extract_fields(doc, doc_type)``
reads that paper's contract fields, each with page, box and confidence, as printed; ``snap_fields(doc_type,
fields)`` then puts names, places and nationalities in their known spelling and lowers the confidence of what
needed it (:mod:`extractors.names`, :mod:`extractors.gazetteer`). Value parsers live in :mod:`extractors.parsers`
for reuse by validators and search.
"""

from __future__ import annotations

from extractors.classify import classify
from extractors.fields import extract_fields
from extractors.gazetteer import snap_fields

__all__ = ["classify", "extract_fields", "snap_fields"]

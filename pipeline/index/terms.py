"""What a wallet record is found by, computed once for every index adapter.

Both adapters index the same two things per record, so a record found by one is found by the other:

- its **texts**: the owner's name, document number, issuing agency, summary, signer, identity numbers and every
  extracted field value, in NFC with single spaces, each once (a name repeated in the fields must not count
  twice), searched word by word;
- its **keys**: the whole-value lookup form (``lookup_key``) of every number or code it carries (record id,
  document number, identity numbers, and each field value with a digit in it), so a query that *is* a number
  (``441/QĐ-UBND``, a CCCD typed in groups, an enterprise code) finds its record whatever the spacing or
  diacritics.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from pipeline.textnorm import clean_spaces, fold
from schemas.wallet import WalletRecord

MAX_KEY_LEN = 64  # longer values are prose, not numbers or codes: never whole-value keys

_WS = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def lookup_key(text: str) -> str:
    """Whole-value lookup form of a number or code: folded with spaces removed ("441/QĐ-UBND" → "441/qd-ubnd")."""
    if text.isascii():  # most numbers and codes: same result as fold, without the Unicode round trip
        return _WS.sub("", text).lower()
    return _WS.sub("", fold(text))


def field_texts(value: Any) -> Iterator[str]:
    """Text of an extracted field: plain values, ``{"value": …}`` field results, lists and nested objects."""
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, dict):
        yield from field_texts(value["value"] if "value" in value else list(value.values()))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from field_texts(item)
    elif isinstance(value, date | datetime):
        yield value.isoformat()
    else:
        text = clean_spaces(str(value))
        if text:
            yield text


def record_terms(record: WalletRecord) -> tuple[list[str], list[str]]:
    """The record's searchable texts (the owner's name first when it has one) and its lookup keys, each once."""
    texts: list[str] = []
    keys: list[str] = [record.record_id]
    for value in (record.owner_name, record.doc_number, record.issuing_agency, record.summary, record.signer,
                  *record.owner_ids):
        if value and (text := clean_spaces(value)):
            texts.append(text)
    if record.doc_number:
        keys.append(lookup_key(record.doc_number))
    keys.extend(lookup_key(owner_id) for owner_id in record.owner_ids)
    for text in field_texts(list(record.fields.values())):
        texts.append(text)
        if len(text) <= MAX_KEY_LEN and _DIGIT.search(text):
            keys.append(lookup_key(text))
    return list(dict.fromkeys(texts)), list(dict.fromkeys(keys))

"""Map a document type's fields onto the wallet's Kho metadata (Circular 01/2023 Art.24) and its validity.

One table says, per type, which field is the owner, the number, the issue date, the agency and the end of
validity, so the record builder has no per-type branches.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from schemas.wallet import Validity


@dataclass(frozen=True)
class KhoMapping:
    owner_names: tuple[str, ...]
    owner_ids: tuple[str, ...]
    doc_number: str | None
    issue_date: str | None
    issuing_agency: str | None
    signer: str | None = None
    summary: str | None = None
    valid_until: str | None = None  # field holding the end of validity; None = permanent once issued
    # A decision that states no end date is in force until replaced; a card whose expiry we failed to read is not.
    open_ended_when_missing: bool = False


KHO_MAPPINGS: dict[str, KhoMapping] = {
    "khai_sinh": KhoMapping(("ho_ten",), ("so_dinh_danh",), "so", "ngay_dang_ky", "noi_dang_ky"),
    "cccd": KhoMapping(("ho_ten",), ("so_dinh_danh",), "so_dinh_danh", None, None, valid_until="ngay_het_han"),
    "ket_hon": KhoMapping(("chong_ho_ten", "vo_ho_ten"), ("chong_so_dinh_danh", "vo_so_dinh_danh"), "so",
                          "ngay_dang_ky", "noi_dang_ky"),
    "dang_ky_doanh_nghiep": KhoMapping(("ten_doanh_nghiep", "nguoi_dai_dien"),
                                       ("ma_so_doanh_nghiep", "so_dinh_danh_nguoi_dai_dien"),
                                       "ma_so_doanh_nghiep", "ngay_dang_ky_lan_dau", "co_quan_cap"),
    "quyet_dinh": KhoMapping(("ho_ten",), ("so_dinh_danh",), "so_ky_hieu", "ngay_ban_hanh", "co_quan_ban_hanh",
                             signer="nguoi_ky", summary="trich_yeu", valid_until="hieu_luc_den",
                             open_ended_when_missing=True),
    "gcn_qsdd": KhoMapping(("chu_su_dung",), ("so_dinh_danh",), "so_phat_hanh", "ngay_cap", "co_quan_cap",
                           valid_until="thoi_han_su_dung"),
}

PERMANENT_TERM = "Lâu dài"


@dataclass(frozen=True)
class KhoMetadata:
    owner_name: str | None
    owner_ids: list[str]
    doc_number: str | None
    issue_date: date | None
    issuing_agency: str | None
    signer: str | None
    summary: str | None
    valid_until: date | None
    permanent: bool


def _iso_date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def kho_metadata(doc_type: str, values: dict[str, Any]) -> KhoMetadata | None:
    """The Kho metadata of a paper from its field values, or ``None`` for a type that is not a result."""
    mapping = KHO_MAPPINGS.get(doc_type)
    if mapping is None:
        return None

    def get(name: str | None) -> Any:
        return values.get(name) if name else None

    names = [str(v) for v in (get(n) for n in mapping.owner_names) if v]
    raw_end = get(mapping.valid_until)
    permanent = (mapping.valid_until is None or raw_end == PERMANENT_TERM
                 or (raw_end is None and mapping.open_ended_when_missing))
    return KhoMetadata(
        owner_name=" – ".join(names) or None,
        owner_ids=[str(v) for v in (get(n) for n in mapping.owner_ids) if v],
        doc_number=get(mapping.doc_number),
        issue_date=_iso_date(get(mapping.issue_date)),
        issuing_agency=get(mapping.issuing_agency),
        signer=get(mapping.signer),
        summary=get(mapping.summary),
        valid_until=None if permanent else _iso_date(raw_end),
        permanent=permanent,
    )


def validity_on(meta: KhoMetadata | None, today: date, cancelled: bool = False) -> Validity:
    """"Còn hiệu lực" = not cancelled and (permanent or expiry ≥ today) (Decree 45/2020 Art.15)."""
    if meta is None:
        return Validity.UNKNOWN
    if cancelled:
        return Validity.CANCELLED
    if meta.permanent:
        return Validity.VALID
    if meta.valid_until is None:
        return Validity.UNKNOWN
    return Validity.VALID if meta.valid_until >= today else Validity.EXPIRED

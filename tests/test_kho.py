"""Kho metadata and validity come out of each type's fields per the mapping table."""

from datetime import date

from schemas.kho import kho_metadata, validity_on
from schemas.wallet import Validity

TODAY = date(2026, 11, 26)


def test_cccd_validity_follows_its_expiry():
    meta = kho_metadata("cccd", {"ho_ten": "Nguyễn Thị Hằng", "so_dinh_danh": "001195012345",
                                 "ngay_het_han": "2035-03-12"})
    assert meta.owner_name == "Nguyễn Thị Hằng" and meta.owner_ids == ["001195012345"]
    assert meta.valid_until == date(2035, 3, 12) and not meta.permanent
    assert validity_on(meta, TODAY) is Validity.VALID
    assert validity_on(meta, date(2035, 3, 13)) is Validity.EXPIRED
    assert validity_on(meta, date(2035, 3, 12)) is Validity.VALID  # valid through its last day


def test_land_term_lau_dai_is_permanent():
    meta = kho_metadata("gcn_qsdd", {"chu_su_dung": "Lê Văn An", "thoi_han_su_dung": "Lâu dài",
                                     "ngay_cap": "2015-06-01", "so_phat_hanh": "BH992376"})
    assert meta.permanent and meta.valid_until is None
    assert meta.issue_date == date(2015, 6, 1) and meta.doc_number == "BH992376"
    assert validity_on(meta, TODAY) is Validity.VALID


def test_marriage_names_both_spouses():
    meta = kho_metadata("ket_hon", {"chong_ho_ten": "Lê Văn An", "vo_ho_ten": "Phạm Thị Bình",
                                    "chong_so_dinh_danh": "001090000001", "vo_so_dinh_danh": "001192000002"})
    assert meta.owner_ids == ["001090000001", "001192000002"]
    assert "Lê Văn An" in meta.owner_name and "Phạm Thị Bình" in meta.owner_name
    assert validity_on(meta, TODAY) is Validity.VALID


def test_cancelled_wins_and_missing_expiry_is_unknown():
    meta = kho_metadata("quyet_dinh", {"so_ky_hieu": "12/QĐ-UBND", "hieu_luc_den": "2030-01-01"})
    assert validity_on(meta, TODAY, cancelled=True) is Validity.CANCELLED
    no_end = kho_metadata("cccd", {"so_dinh_danh": "001195012345"})
    assert validity_on(no_end, TODAY) is Validity.UNKNOWN
    assert kho_metadata("unknown", {}) is None and validity_on(None, TODAY) is Validity.UNKNOWN


def test_decision_without_an_end_date_stays_in_force():
    meta = kho_metadata("quyet_dinh", {"so_ky_hieu": "12/QĐ-UBND", "ngay_ban_hanh": "2024-01-01"})
    assert meta.permanent and validity_on(meta, TODAY) is Validity.VALID
    ended = kho_metadata("quyet_dinh", {"so_ky_hieu": "12/QĐ-UBND", "hieu_luc_den": "2025-01-01"})
    assert validity_on(ended, TODAY) is Validity.EXPIRED

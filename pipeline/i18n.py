"""User-facing messages in Vietnamese (default) and English (``SOHOA_LANG=en`` or ``--lang en``)."""

from __future__ import annotations

import os

MESSAGES: dict[str, tuple[str, str]] = {
    "uploading": ("Đang tải lên", "Uploading"),
    "processing": ("Đang xử lý", "Processing"),
    "no_files": ("Không có tệp nào trong {path}", "No files in {path}"),
    "not_found": ("Không tìm thấy tệp: {path}", "File not found: {path}"),
    "unreadable": ("Không đọc được tệp ({reason}): {message}", "Unreadable file ({reason}): {message}"),
    "summary_title": ("Tóm tắt lô {batch}", "Summary of batch {batch}"),
    "files": ("Số tệp", "Files"),
    "pages": ("Số trang", "Pages"),
    "doc_types": ("Loại giấy tờ", "Document types"),
    "fields_extracted": ("Trường đã trích xuất", "Fields extracted"),
    "auto_approved": ("Tự động duyệt", "Auto-approved"),
    "needs_review": ("Cần kiểm tra", "Needs review"),
    "rejected": ("Từ chối", "Rejected"),
    "quarantined": ("Cách ly", "Quarantined"),
    "duplicates": ("Trùng (đã có)", "Duplicates (already held)"),
    "failed": ("Lỗi (sẽ thử lại)", "Failed (will be retried)"),
    "time": ("Thời gian", "Time"),
    "throughput": ("Tốc độ", "Throughput"),
    "pages_per_min": ("{value:.1f} trang/phút", "{value:.1f} pages/min"),
    "search_title": ("Kết quả tìm kiếm “{query}”: {total} giấy tờ", "Search results for “{query}”: {total} papers"),
    "col_type": ("Loại", "Type"),
    "col_owner": ("Chủ sở hữu", "Owner"),
    "col_id": ("Số định danh", "ID number"),
    "col_number": ("Số giấy tờ", "Document no."),
    "col_issued": ("Ngày cấp", "Issued"),
    "col_validity": ("Hiệu lực", "Validity"),
    "col_status": ("Trạng thái", "Status"),
    "col_field": ("Trường", "Field"),
    "col_value": ("Giá trị", "Value"),
    "col_confidence": ("Độ tin cậy", "Confidence"),
    "valid": ("Còn hiệu lực", "Valid"),
    "expired": ("Hết hiệu lực", "Expired"),
    "cancelled": ("Đã hủy", "Cancelled"),
    "unknown": ("Chưa rõ", "Unknown"),
    "demo_generating": ("Tạo {count} giấy tờ mẫu (bản sạch và bản scan kém) vào {path}",
                        "Generating {count} sample papers (clean and scan-degraded copies) into {path}"),
    "demo_search": ("Ví dụ tìm kiếm không dấu: sohoa search \"{query}\"", "Example search without diacritics: "
                    "sohoa search \"{query}\""),
    "quarantine_reason": ("Cách ly: {key} — {message}", "Quarantined: {key} — {message}"),
    "reuse_title": ("Thủ tục {code} — {name}: giấy tờ của {citizen} (ngày {day})",
                    "Procedure {code} — {name}: papers of {citizen} (on {day})"),
    "col_paper": ("Giấy tờ cần có", "Required paper"),
    "col_holding": ("Trong kho", "In the wallet"),
    "col_valid_until": ("Hiệu lực đến", "Valid until"),
    "col_record": ("Mã bản số hóa", "Record"),
    "permanent": ("Lâu dài", "Permanent"),
    "optional": ("không bắt buộc", "optional"),
    "unconfirmed": ("chưa duyệt", "not yet reviewed"),
    "reuse_valid": ("Đã có, còn hiệu lực — không yêu cầu nộp lại", "Held and valid — do not ask for it"),
    "reuse_unverified": ("Đã có, chưa rõ hiệu lực — kiểm tra bản gốc", "Held, validity unknown — check the original"),
    "reuse_expired": ("Đã có nhưng hết hiệu lực — công dân nộp bản còn hiệu lực",
                      "Held but expired — the citizen brings a valid one"),
    "reuse_cancelled": ("Đã có nhưng đã bị hủy — công dân nộp bản còn hiệu lực",
                        "Held but cancelled — the citizen brings a valid one"),
    "reuse_not_held": ("Chưa có trong kho — công dân nộp", "Not held — the citizen brings it"),
    "reuse_not_kept": ("Kho không lưu loại giấy tờ này — công dân nộp",
                       "The wallet does not keep this kind of paper — the citizen brings it"),
    "reuse_summary": ("Không cần nộp lại: {reuse} · Cần kiểm tra: {check} · Công dân cần nộp: {bring}",
                      "Reused: {reuse} · To check: {check} · The citizen brings: {bring}"),
    "unknown_procedure": ("Không có thủ tục mã {code} trong danh mục", "No procedure with code {code} in the catalogue"),
}


def language() -> str:
    lang = os.environ.get("SOHOA_LANG", "vi").lower()
    return "en" if lang.startswith("en") else "vi"


def t(message_id: str, **kwargs) -> str:
    vi, en = MESSAGES[message_id]
    return (en if language() == "en" else vi).format(**kwargs)

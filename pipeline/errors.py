"""Typed errors with messages an operator can act on.

``BadInput`` and its subclasses mean the file itself is the problem: it goes to quarantine with the reason and
the batch goes on; retrying will not help. Anything else (storage, index) is transient and worth a retry.
"""

from __future__ import annotations


class SohoaError(Exception):
    """Base of the project's own errors."""

    exit_code = 1


class BadInput(SohoaError):
    """The file cannot be processed as a paper. ``reason`` is a stable code, the message is for people."""

    exit_code = 2
    reason = "bad_input"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        super().__init__(message)
        if reason is not None:
            self.reason = reason


class EmptyFile(BadInput):
    reason = "empty_file"


class FileTooLarge(BadInput):
    reason = "file_too_large"


class UnsupportedFileType(BadInput):
    reason = "unsupported_file_type"


class CorruptFile(BadInput):
    reason = "corrupt_file"


class EncryptedPdf(BadInput):
    reason = "encrypted_pdf"


class ImageTooLarge(BadInput):
    """Decoded pixels exceed the limit: a decompression bomb or an absurd scan."""

    reason = "image_too_large"


class TooManyPages(BadInput):
    reason = "too_many_pages"


class UnknownProcedure(BadInput):
    reason = "unknown_procedure"


class OcrEngineError(SohoaError):
    """The OCR engine is missing or crashed: an installation problem, not the file's fault."""

"""Intake refuses what is not a readable paper, with a reason, before any expensive decoding."""

from __future__ import annotations

import io
import struct
import subprocess
import zlib

import pytest
from PIL import Image

from pipeline.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedPdf,
    FileTooLarge,
    ImageTooLarge,
    TooManyPages,
    UnsupportedFileType,
)
from pipeline.intake import FileKind, Limits, load_pages, sniff

LIMITS = Limits(max_file_bytes=50_000_000, max_image_pixels=40_000_000, max_pages=5, pdf_dpi=100)


def _pdf(pages: int = 1, size=(850, 1100)) -> bytes:
    buf = io.BytesIO()
    imgs = [Image.new("L", size, 255) for _ in range(pages)]
    imgs[0].save(buf, format="PDF", save_all=True, append_images=imgs[1:], resolution=100)
    return buf.getvalue()


def _png(size=(400, 300)) -> bytes:
    buf = io.BytesIO()
    Image.new("L", size, 200).save(buf, format="PNG")
    return buf.getvalue()


def _png_bomb(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels (its IDAT compresses to almost nothing)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    raw = zlib.compress(b"\x00" * (width + 1) * 16, 9)  # first rows only: decoding must never get that far
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_sniff_uses_content_not_name():
    assert sniff(_pdf()) is FileKind.PDF
    assert sniff(_png()) is FileKind.PNG
    buf = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buf, format="JPEG")
    assert sniff(buf.getvalue()) is FileKind.JPEG
    buf = io.BytesIO()
    Image.new("L", (10, 10)).save(buf, format="TIFF")
    assert sniff(buf.getvalue()) is FileKind.TIFF


def test_empty_file_is_refused():
    with pytest.raises(EmptyFile):
        load_pages(b"", LIMITS)


def test_text_renamed_pdf_is_refused_as_text():
    with pytest.raises(UnsupportedFileType, match="plain text"):
        load_pages("Đây là một tệp văn bản, không phải PDF.\n".encode(), LIMITS)


def test_truncated_pdf_is_refused():
    data = _pdf(pages=2)
    with pytest.raises(CorruptFile, match="truncated"):
        load_pages(data[: len(data) // 2], LIMITS)


def test_damaged_pdf_with_eof_marker_is_refused():
    with pytest.raises(CorruptFile):
        load_pages(b"%PDF-1.4\nthis is not a pdf body\n%%EOF\n", LIMITS)


def test_password_protected_pdf_is_refused(tmp_path):
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(_pdf())
    locked = tmp_path / "locked.pdf"
    # qpdf (Debian, installed by ./run) builds a real AES-256 encrypted PDF with a user password.
    subprocess.run(["qpdf", "--encrypt", "secret", "owner", "256", "--", str(plain), str(locked)], check=True)
    with pytest.raises(EncryptedPdf):
        load_pages(locked.read_bytes(), LIMITS)


def test_pdf_pages_render_at_requested_dpi():
    pages = load_pages(_pdf(pages=2, size=(850, 1100)), LIMITS)
    assert [p.number for p in pages] == [1, 2]
    assert all(p.dpi == 100 and p.image.mode == "L" for p in pages)
    assert pages[0].image.size == (850, 1100)  # saved at 100 dpi, rendered at 100 dpi


def test_pdf_with_too_many_pages_is_refused():
    with pytest.raises(TooManyPages):
        load_pages(_pdf(pages=LIMITS.max_pages + 1, size=(50, 50)), LIMITS)


def test_pdf_page_over_pixel_limit_is_refused_before_rendering():
    huge = Limits(max_file_bytes=LIMITS.max_file_bytes, max_image_pixels=1_000_000, max_pages=5, pdf_dpi=300)
    with pytest.raises(ImageTooLarge):
        load_pages(_pdf(size=(850, 1100)), huge)


def test_decompression_bomb_png_is_refused():
    bomb = _png_bomb(60_000, 60_000)  # 3.6 gigapixels claimed, a few hundred bytes on disk
    assert len(bomb) < 10_000
    with pytest.raises(ImageTooLarge):
        load_pages(bomb, LIMITS)


def test_image_just_over_our_limit_is_refused():
    with pytest.raises(ImageTooLarge, match="limit"):
        load_pages(_png_bomb(8000, 6000), LIMITS)  # 48 Mpx > 40 Mpx, under Pillow's own threshold


def test_truncated_png_is_refused():
    data = _png(size=(800, 600))
    with pytest.raises(CorruptFile):
        load_pages(data[: len(data) // 2], LIMITS)


def test_file_over_size_limit_is_refused():
    small = Limits(max_file_bytes=100, max_image_pixels=LIMITS.max_image_pixels, max_pages=5, pdf_dpi=100)
    with pytest.raises(FileTooLarge):
        load_pages(_png(), small)


def test_multipage_tiff_gives_one_page_per_frame():
    buf = io.BytesIO()
    frames = [Image.new("L", (100, 80), 255), Image.new("L", (100, 80), 0)]
    frames[0].save(buf, format="TIFF", save_all=True, append_images=frames[1:], dpi=(200, 200))
    pages = load_pages(buf.getvalue(), LIMITS)
    assert [p.number for p in pages] == [1, 2]
    assert pages[0].dpi == 200
    assert pages[1].image.getpixel((5, 5)) == 0

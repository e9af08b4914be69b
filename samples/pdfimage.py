"""Lossless one-page image PDFs: the PNG encoding of the page goes into the PDF as a Flate stream with the PNG
predictor, as img2pdf does.

Pillow can only put grey and colour pages into a PDF as JPEG, which blurs clean text and makes the file
three times larger; a clean synthetic page should reach the OCR exactly as rendered.
"""

from __future__ import annotations

import datetime as dt
import io
import struct

from PIL import Image

_COLOURS = {"L": (1, "/DeviceGray"), "RGB": (3, "/DeviceRGB")}


def png_idat(image: Image.Image, compress_level: int = 6) -> bytes:
    """The zlib stream of the image's PNG encoding (rows prefixed by their PNG filter byte)."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=compress_level)
    data = buffer.getvalue()
    pos, chunks = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            chunks.append(data[pos + 8:pos + 8 + length])
        pos += 12 + length
    return b"".join(chunks)


def _pdf_string(text: str) -> str:
    return "(" + text.encode("ascii", "replace").decode().replace("\\", "\\\\").replace("(", "\\(").replace(
        ")", "\\)") + ")"


def image_pdf(image: Image.Image, dpi: float, *, title: str, created: dt.datetime) -> bytes:
    """A PDF 1.4 file of one page showing `image` at `dpi` (so an A4 page at 300 dpi is 595 × 842 pt)."""
    if image.mode not in _COLOURS:
        image = image.convert("RGB")
    colours, space = _COLOURS[image.mode]
    w, h = image.size
    pw, ph = w * 72.0 / dpi, h * 72.0 / dpi
    pixels = png_idat(image)
    content = f"q {pw:.3f} 0 0 {ph:.3f} 0 0 cm /Im0 Do Q".encode()
    stamp = created.strftime("D:%Y%m%d%H%M%SZ")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {pw:.3f} {ph:.3f}] "
         f"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>").encode(),
        (f"<< /Type /XObject /Subtype /Image /Width {w} /Height {h} /ColorSpace {space} /BitsPerComponent 8 "
         f"/Filter /FlateDecode /DecodeParms << /Predictor 15 /Colors {colours} /BitsPerComponent 8 "
         f"/Columns {w} >> /Length {len(pixels)} >>\nstream\n").encode() + pixels + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
        (f"<< /Title {_pdf_string(title)} /Producer (sohoa samples) /CreationDate ({stamp}) "
         f"/ModDate ({stamp}) >>").encode(),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {len(objects)} 0 R >>\n"
              f"startxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()

"""A small PDF with one page whose content stream inflates to gigabytes (a decompression bomb)."""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Sequence

_BLOCK = (b"0 0 m\n" * 174763)[: 1 << 20]  # 1 MiB of a harmless drawing operator


def flate_bomb(decoded_mib: int) -> bytes:
    """A zlib stream that inflates to ``decoded_mib`` MiB, built in seconds: after a full flush
    the compressor's history is empty, so the compressed form of the block repeats byte for byte."""
    compressor = zlib.compressobj(9)
    first = compressor.compress(_BLOCK) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(_BLOCK) + compressor.flush(zlib.Z_FULL_FLUSH)
    header, body = first[:2], first[2:]
    assert body == again
    adler = 1
    for _ in range(decoded_mib):
        adler = zlib.adler32(_BLOCK, adler)
    return header + body * decoded_mib + b"\x03\x00" + adler.to_bytes(4, "big")  # empty final block, checksum


def write_bomb_pdf(path: Path, decoded_mib: int, before: Sequence[str], after: Sequence[str]) -> Path:
    """Text pages ``before``, the bomb page, then text pages ``after``; a valid xref table."""
    pages: list[bytes | None] = [_text(t) for t in before] + [None] + [_text(t) for t in after]
    out = bytearray(b"%PDF-1.4\n")
    offsets: dict[int, int] = {}

    def obj(number: int, body: bytes, stream: bytes | None = None) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n" % number + body)
        if stream is not None:
            out.extend(b"\nstream\n" + stream + b"\nendstream")
        out.extend(b"\nendobj\n")

    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(len(pages)))
    obj(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    obj(2, f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    obj(3, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for i, content in enumerate(pages):
        page, contents = 4 + 2 * i, 5 + 2 * i
        obj(
            page,
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 720 405] /Resources << /Font << /F1 3 0 R >> >> /Contents {contents} 0 R >>".encode(),
        )
        if content is None:
            bomb = flate_bomb(decoded_mib)
            obj(contents, b"<< /Length %d /Filter /FlateDecode >>" % len(bomb), bomb)
        else:
            obj(contents, b"<< /Length %d >>" % len(content), content)
    xref = len(out)
    count = 4 + 2 * len(pages)
    out.extend(b"xref\n0 %d\n0000000000 65535 f \n" % count)
    for number in range(1, count):
        out.extend(b"%010d 00000 n \n" % offsets[number])
    out.extend(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (count, xref))
    path.write_bytes(bytes(out))
    return path


def _text(line: str) -> bytes:
    return f"BT /F1 28 Tf 40 300 Td ({line}) Tj ET".encode()

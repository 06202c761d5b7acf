#!/usr/bin/env python3
"""Generates the demo repository logos (small real PNGs). Run once; the PNGs are committed."""
import struct
import zlib
from pathlib import Path

SIZE = 64
LOGOS = {
    # name: (background, foreground, shape)
    "web": ((30, 112, 220), (255, 255, 255), "ring"),
    "api": ((22, 160, 133), (255, 255, 255), "bars"),
    "worker": ((230, 126, 34), (255, 255, 255), "diamond"),
    "cli": ((44, 62, 80), (46, 204, 113), "prompt"),
    "base": ((142, 68, 173), (255, 255, 255), "square"),
    "ml": ((192, 57, 43), (255, 255, 255), "grid"),
    "proxy": ((39, 174, 96), (255, 255, 255), "arrows"),
    "agent": ((241, 196, 15), (44, 62, 80), "ring"),
}


def inside(shape, x, y):
    cx, cy = x - SIZE / 2 + 0.5, y - SIZE / 2 + 0.5
    r2 = cx * cx + cy * cy
    if shape == "ring":
        return 14 ** 2 <= r2 <= 22 ** 2
    if shape == "bars":
        return 12 <= y <= 52 and (x // 8) % 2 == 1 and x < 56 and y >= 52 - (x // 8) * 6
    if shape == "diamond":
        return abs(cx) + abs(cy) <= 22
    if shape == "prompt":
        return (12 <= x <= 30 and abs(y - 32) <= 12 - abs(x - 21) // 1 and abs(abs(y - 32) - (x - 12)) <= 3) or (
            34 <= x <= 52 and 42 <= y <= 46)
    if shape == "square":
        return 14 <= x <= 49 and 14 <= y <= 49 and not (22 <= x <= 41 and 22 <= y <= 41)
    if shape == "grid":
        return 10 <= x <= 53 and 10 <= y <= 53 and ((x - 10) % 11 < 6) and ((y - 10) % 11 < 6)
    if shape == "arrows":
        return (abs(cy + 8) <= 3 and -20 <= cx <= 14) or (abs(cy - 8) <= 3 and -14 <= cx <= 20) or (
            14 <= cx <= 22 and abs(cy + 8) <= 22 - cx) or (-22 <= cx <= -14 and abs(cy - 8) <= 22 + cx)
    raise ValueError(shape)


def png(bg, fg, shape):
    rows = b""
    for y in range(SIZE):
        rows += b"\x00" + b"".join(bytes(fg if inside(shape, x, y) else bg) for x in range(SIZE))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    out = Path(__file__).parent / "logos"
    out.mkdir(exist_ok=True)
    for name, (bg, fg, shape) in LOGOS.items():
        (out / f"{name}.png").write_bytes(png(bg, fg, shape))

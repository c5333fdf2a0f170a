#!/usr/bin/env python3
"""Draws packaging/icon.png: the MCP Bundle's 512x512 icon (Claude Desktop's recommended size).

A rounded square in a vertical violet-to-indigo gradient, a white play triangle with rounded
corners, and a small four-pointed spark at the upper right. Original artwork, drawn here with
signed distances (anti-aliased edges) and written with the standard library only (zlib +
struct, no PIL), so anyone can regenerate it byte for byte:

    python3 packaging/make-icon.py [OUTPUT]     (default: packaging/icon.png)
"""

import math
import os
import struct
import sys
import zlib

SIZE = 512
TOP = (124, 58, 237)  # violet
BOTTOM = (67, 56, 202)  # indigo
PLAY = (255, 255, 255)
SPARK = (253, 230, 138)  # pale amber


def clamp(value, low=0.0, high=1.0):
    return max(low, min(high, value))


def coverage(distance):
    """Share of a pixel inside a shape, from the signed distance of its centre (< 0 inside)."""
    return clamp(0.5 - distance)


def rounded_square(x, y):
    half, radius = 232.0, 112.0
    qx = abs(x - 256.0) - (half - radius)
    qy = abs(y - 256.0) - (half - radius)
    outside = math.hypot(max(qx, 0.0), max(qy, 0.0))
    return outside + min(max(qx, qy), 0.0) - radius


def triangle(x, y, points, radius):
    """Signed distance to a triangle whose corners are rounded by `radius`."""
    inside = True
    best = float("inf")
    for i in range(3):
        ax, ay = points[i]
        bx, by = points[(i + 1) % 3]
        ex, ey = bx - ax, by - ay
        wx, wy = x - ax, y - ay
        t = clamp((wx * ex + wy * ey) / (ex * ex + ey * ey))
        best = min(best, math.hypot(wx - ex * t, wy - ey * t))
        if ex * wy - ey * wx < 0:  # corners are listed clockwise on screen
            inside = False
    return (-best if inside else best) - radius


def spark_inside(x, y):
    """A four-pointed star (an astroid): |dx|^(2/3) + |dy|^(2/3) <= R^(2/3)."""
    cx, cy, reach = 388.0, 128.0, 46.0
    dx, dy = abs(x - cx) / reach, abs(y - cy) / reach
    return dx ** (2 / 3) + dy ** (2 / 3) <= 1.0


def spark_coverage(px, py):
    if not (330 <= px <= 446 and 70 <= py <= 186):
        return 0.0
    samples = 4
    hits = 0
    for sy in range(samples):
        for sx in range(samples):
            if spark_inside(px + (sx + 0.5) / samples, py + (sy + 0.5) / samples):
                hits += 1
    return hits / (samples * samples)


def blend(under, over, alpha):
    return tuple(u + (o - u) * alpha for u, o in zip(under, over))


def pixel(px, py):
    x, y = px + 0.5, py + 0.5
    base_alpha = coverage(rounded_square(x, y))
    if base_alpha == 0.0:
        return (0, 0, 0, 0)
    t = py / (SIZE - 1)
    color = blend(TOP, BOTTOM, t)
    # The triangle's visual centre sits right of its bounding box's, as a play sign does.
    play = ((206.0, 158.0), (350.0, 256.0), (206.0, 354.0))
    color = blend(color, PLAY, coverage(triangle(x, y, play, 18.0)))
    color = blend(color, SPARK, spark_coverage(px, py))
    return tuple(round(c) for c in color) + (round(255 * base_alpha),)


def png(width, height, rows):
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = bytearray()
    for row in rows:
        raw.append(1)  # filter "Sub": flat runs of colour become zeros
        previous = (0, 0, 0, 0)
        for rgba in row:
            raw.extend((c - p) & 0xFF for c, p in zip(rgba, previous))
            previous = rgba
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "icon.png")
    rows = [[pixel(px, py) for px in range(SIZE)] for py in range(SIZE)]
    data = png(SIZE, SIZE, rows)
    with open(out, "wb") as f:
        f.write(data)
    print(f"{out}: {SIZE}x{SIZE}, {len(data)} bytes")


if __name__ == "__main__":
    main()

"""Writes N bytes of numbered 10-byte lines ("000000000\\n", "000000001\\n", ...) to stdout."""

import sys


def content(size: int, block: int = 1 << 20) -> "iter[bytes]":
    lines_per_block = block // 10
    total_lines, rest = divmod(size, 10)
    start = 0
    while start < total_lines:
        end = min(start + lines_per_block, total_lines)
        yield b"".join(b"%09d\n" % i for i in range(start, end))
        start = end
    if rest:
        yield (b"%09d\n" % total_lines)[:rest]


if __name__ == "__main__":
    out = sys.stdout.buffer
    for chunk in content(int(sys.argv[1])):
        out.write(chunk)
    out.flush()

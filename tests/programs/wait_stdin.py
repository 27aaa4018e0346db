"""Waits for one line on stdin and echoes it back: hangs forever if input never comes."""

import sys

print("waiting", flush=True)
line = sys.stdin.readline()
print(f"got: {line.strip()}" if line else "got EOF", flush=True)

"""Ignores SIGINT and SIGTERM, says so, then sleeps: only SIGKILL ends it."""

import signal
import sys
import time

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)
print("ready", flush=True)
while True:
    time.sleep(60)
    sys.stdout.flush()

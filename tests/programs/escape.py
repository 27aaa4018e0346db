"""Starts a child in a session of its own (out of the caller's process group) and exits.

The child keeps stdout open and sleeps, as a daemon started by a cell would.
"""

import os
import sys
import time

if os.fork() == 0:
    os.setsid()
    print("escaped", os.getpid(), flush=True)
    time.sleep(300)
    sys.exit(0)
time.sleep(0.1)

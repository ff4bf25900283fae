"""Runs a command and kills its whole process group when stdin closes (the Node parent died).

Started by @metrics/oracle with `detached: true`, so this process leads its own group: the command,
its workers and any binary it spawns (tensorboard's data server, uvicorn workers) share that group.
"""
import os
import signal
import subprocess
import sys
import threading
import time


def main() -> int:
    child = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)

    def watch_parent() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except Exception:
            pass
        # Parent gone: take the group down.
        try:
            os.killpg(os.getpgrp(), signal.SIGTERM)
            time.sleep(3)
            os.killpg(os.getpgrp(), signal.SIGKILL)
        except Exception:
            pass

    threading.Thread(target=watch_parent, daemon=True).start()
    code = child.wait()
    return 128 - code if code < 0 else code  # killed by signal N -> 128+N, like a shell


if __name__ == "__main__":
    rc = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # os._exit: a normal interpreter shutdown aborts while the watcher thread is blocked reading stdin.
    os._exit(rc)

"""Who holds a source's lock: host, process id and the process's start, so that a lock
whose holder has died on this host is known at once, not when its lease lapses."""

from __future__ import annotations

import os
import socket
from pathlib import Path

__all__ = ["holder_is_gone", "this_holder"]


def this_holder() -> str:
    """`host:pid:start` of the running process (start in clock ticks since boot)."""
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_started(pid) or 0}"


def holder_is_gone(holder: str) -> bool:
    """True only when the holder ran on this host and that process no longer runs (or
    its pid now belongs to a later process). A holder elsewhere is judged by its lease."""
    host, _, rest = holder.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, under another user
    # A start of 0 was not known when the lock was taken: the pid alone must do.
    now_started = _started(pid)
    return bool(started.isdigit() and int(started) and now_started and int(started) != now_started)


def _started(pid: int) -> int | None:
    """The process's start time from /proc (Linux); None where there is none."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the command name: state is field 3, starttime field 22 of stat(5).
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None

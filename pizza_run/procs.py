"""Processes as /proc shows them: whether one or its group still runs, and how one was started."""

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path


def alive(pid: int) -> bool:
    """Return whether a process (or a group, for its leader's pid) still runs; a zombie does not."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    if state != "Z":
        return True
    with contextlib.suppress(ChildProcessError):  # reap a child of ours
        os.waitpid(pid, os.WNOHANG)
    return False


def group_alive(pgid: int) -> bool:
    """Return whether any process of a process group still runs (its leader reaped first if ours)."""
    leader = alive(pgid)
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return leader or _members_alive(pgid)


def _members_alive(pgid: int) -> bool:
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # Fields after the command's closing parenthesis: state, ppid, pgrp, ...
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
    return False


@dataclass(frozen=True)
class Spec:
    """How a process was started: what to run, with which environment, from where."""

    argv: list[str]
    env: dict[str, str]
    cwd: str


def snapshot(pid: int) -> Spec:
    """Read a running process's command line, environment and cwd from /proc."""
    proc = Path(f"/proc/{pid}")
    argv = [a.decode() for a in proc.joinpath("cmdline").read_bytes().split(b"\0") if a]
    pairs = [e.decode().partition("=") for e in proc.joinpath("environ").read_bytes().split(b"\0") if e]
    return Spec(argv, {k: v for k, _, v in pairs}, os.readlink(proc / "cwd"))

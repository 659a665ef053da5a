"""Processes as /proc shows them: how one was started, and whether its group still runs."""

import contextlib
import os
import socket
from dataclasses import dataclass
from pathlib import Path


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


def group_alive(pgid: int) -> bool:
    """Return whether any process, zombies aside, is still in the process group."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            # Fields after the command's closing parenthesis: state, ppid, pgrp, ...
            state, _, pgrp = stat.read_text().rpartition(")")[2].split()[:3]
            if int(pgrp) == pgid and state != "Z":
                return True
    return False


def listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0

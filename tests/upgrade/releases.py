"""The suite's releases: which commit each is, and a runnable copy of one beside this checkout."""

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pizza_run.layout import ROOT

FIXTURES = ROOT / "pizza-workflow" / "tests" / "replay"
CHECKOUTS = ROOT / ".cache" / "releases"


@dataclass(frozen=True)
class Release:
    version: str
    commit: str

    @property
    def fixtures(self) -> Path:
        """Return the folder of the histories recorded under this release."""
        return FIXTURES / self.version


def releases() -> list[Release]:
    """Return every release with replay fixtures, oldest first."""
    found = [Release(**json.loads(p.read_text())) for p in FIXTURES.glob("*/release.json")]
    return sorted(found, key=lambda r: tuple(int(n) for n in r.version.split(".")))


def _run(*cmd: str, cwd: Path = ROOT) -> None:
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True, text=True)


def checkout(commit: str) -> Path:
    """Return a copy of the commit's tree with its own .venv, made once (git archive, pip)."""
    home = CHECKOUTS / commit[:12]
    stamp = home / ".venv" / ".pizza-release"
    if stamp.exists():
        return home
    home.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(home)], input=archive, check=True)
    _run(sys.executable, "-m", "venv", str(home / ".venv"))
    pip = [
        str(home / ".venv" / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
    ]
    _run(*pip, "-r", "requirements.txt", "-c", "constraints.txt", cwd=home)
    _run(*pip, "--no-deps", "-e", ".", cwd=home)
    stamp.write_text(commit)
    return home

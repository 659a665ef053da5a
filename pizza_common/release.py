"""The suite's release: one version for the five services, the `pizza` command and the package."""

# Bump it with an entry in CHANGELOG.md; a release that changes the workflow's tasks also records
# its replay fixtures (docs/reliability.md, "Releasing a change to the workflow").
VERSION = "1.2.0"


def since(release: str, version: str) -> bool:
    """Return whether release is version or a later one (both as 1.2.3)."""
    return _parts(release) >= _parts(version)


def _parts(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))

"""The suite's release: one version for the five services, the `pizza` command and the package."""

# Bump it with an entry in CHANGELOG.md; a release that changes the workflow's tasks also records
# its replay fixtures (docs/reliability.md, "Releasing a change to the workflow").
VERSION = "1.1.0"

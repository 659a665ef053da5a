"""Report how many fuzz cases each service took."""

import pytest

from tests.fuzz.apps import CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if CASES:
        counts = ", ".join(f"{service} {n}" for service, n in sorted(CASES.items()))
        terminalreporter.write_line(f"fuzz cases: {counts} (total {sum(CASES.values())})")

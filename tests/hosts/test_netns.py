"""Without root or `ip netns`, the several-hosts test is skipped with its reason, not failed."""

import pytest

from tests.hosts import netns


def test_without_root_the_hosts_cannot_be_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netns.os, "geteuid", lambda: 1000)
    assert netns.unavailable() == "making network namespaces needs root"


def test_without_the_ip_command_the_hosts_cannot_be_made(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netns.os, "geteuid", lambda: 0)
    monkeypatch.setattr(netns.shutil, "which", lambda _: None)
    assert netns.unavailable() == "no `ip` command (iproute2)"

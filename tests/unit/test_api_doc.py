"""docs/api.md lists every route of every app, as the apps' url_map has them."""

import re

import pytest

from pizza_run.layout import ROOT
from tests.fuzz.apps import FACTORIES, build

DOC = (ROOT / "docs" / "api.md").read_text()
# What Flask and flask-openapi3 add by themselves: the static files and the OpenAPI pages.
OWN = re.compile(r"^/(static|openapi)(/|$)")


def _routes(service: str) -> list[str]:
    app = build(service)
    return sorted({r.rule for r in app.url_map.iter_rules() if not OWN.match(r.rule)})


@pytest.mark.parametrize("service", sorted(FACTORIES))
def test_every_route_of_the_app_is_in_the_api_doc(service: str) -> None:
    # The doc writes each route as the code does, ended by a backtick, a space, or its query (`[` or `?`).
    missing = [rule for rule in _routes(service) if not any(rule + end in DOC for end in "` [?")]
    assert missing == [], f"docs/api.md misses {service}'s {missing}"

"""docs/one-order.md walks one order through at most 12 files, and each range it gives still holds
the function or class it names, decorators included."""

import ast
import re

from pizza_run.layout import ROOT

DOC = (ROOT / "docs" / "one-order.md").read_text()
ROW = re.compile(r"^\| \d+ \| `([^`]+)` \| (.+?) \|", re.MULTILINE)
RANGE = re.compile(r"(\d+)-(\d+) `(\w+)`")


def _spans(path: str) -> dict[str, tuple[int, int]]:
    tree = ast.parse((ROOT / path).read_text())
    return {
        node.name: (min([d.lineno for d in node.decorator_list] + [node.lineno]), node.end_lineno or 0)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    }


def test_the_walk_reads_at_most_twelve_files() -> None:
    files = [path for path, _ in ROW.findall(DOC)]
    assert 0 < len(set(files)) <= 12, files


def test_every_range_holds_what_it_names() -> None:
    for path, ranges in ROW.findall(DOC):
        spans = _spans(path)
        for start, end, name in RANGE.findall(ranges):
            assert spans.get(name) == (int(start), int(end)), f"{path}: {name} is at {spans.get(name)}"

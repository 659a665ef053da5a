"""The terminal client's reading of server-sent events."""

from pizza_cli.sse import parse


def test_events_are_split_on_blank_lines_and_comments_skipped() -> None:
    lines = ["retry: 2000", "", ": keep-alive", "", "id: a", "event: status", 'data: {"x": 1}', ""]
    lines += ["data: two", "data: lines", ""]
    assert list(parse(lines)) == [("status", '{"x": 1}'), ("message", "two\nlines")]

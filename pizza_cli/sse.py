"""Read server-sent events from the lines of a text/event-stream body."""

from collections.abc import Iterable, Iterator


def parse(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """Yield (event type, data) of each complete event; comments (heartbeats) are skipped."""
    kind, data = "message", list[str]()
    for line in lines:
        if not line:  # a blank line ends an event
            if data:
                yield kind, "\n".join(data)
            kind, data = "message", []
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "event":
            kind = value
        elif field == "data":
            data.append(value)

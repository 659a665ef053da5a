"""What each replica did, read from its own log: the orders whose steps it ran, and when."""

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# The lines the apps log for each step (pizza_common.service.web's format): the workflow's own steps
# (pizza_workflow.saga: order <id>: <stage>, order <id> ended <status>) and each status an
# activity or the kitchen publishes (pizza_common.stages: order <id>: <status>).
LINE = re.compile(
    r"^(?P<at>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO "
    r"(?P<logger>pizza_workflow\.saga|pizza_common\.stages): "
    r"order (?P<order>[^\s:]+)(?P<sep>:| ended) (?P<what>\S+)$"
)


@dataclass(frozen=True)
class Step:
    """One step a replica logged for an order."""

    at: datetime
    order_id: str
    what: str  # the stage or status
    published: bool  # a status an activity or the kitchen published, not the workflow's own step
    ended: bool  # the workflow's last step: the order ended at `what`


def steps(log: Path) -> list[Step]:
    """Return the steps a process logged, in order."""
    found = []
    for line in log.read_text(errors="replace").splitlines():
        match = LINE.match(line)
        if match:
            at = datetime.strptime(match["at"], "%Y-%m-%d %H:%M:%S,%f")
            published = match["logger"] == "pizza_common.stages"
            found.append(Step(at, match["order"], match["what"], published, match["sep"] == " ended"))
    return found


def orders(found: list[Step], ids: set[str]) -> set[str]:
    """Return the orders of `ids` that have a step among those found."""
    return {s.order_id for s in found} & ids


def published(found: list[Step], ids: set[str]) -> int:
    """Return how many statuses of the orders of `ids` the process published."""
    return sum(s.published and s.order_id in ids for s in found)

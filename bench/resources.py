"""CPU seconds and peak RSS of the suite's processes, sampled with psutil during a window."""

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Final

import psutil

SAMPLE_EVERY_S: Final = 0.25
BENCH_LABEL: Final = "bench:client"
# Kinds in the order the report lists them.
KINDS: Final = ("app", "daprd", "redis-server", "scheduler", "placement", "sentry", "bench")
MIB: Final = 1024 * 1024


@dataclass
class KindUsage:
    """What the processes of one kind used during a window."""

    processes: int = 0
    cpu_s: float = 0.0
    peak_rss_mb: float = 0.0
    peak_process_rss_mb: float = 0.0


@dataclass
class Usage:
    """Per-kind and per-process usage of one window, and how long it lasted."""

    seconds: float = 0.0
    samples: int = 0
    kinds: dict[str, KindUsage] = field(default_factory=dict)
    processes: dict[str, KindUsage] = field(default_factory=dict)


def kind_of(label: str) -> str:
    """Return the kind of a label such as daprd:pizza-order."""
    return label.split(":", 1)[0]


class _Tracker:
    """The processes of one window: first and last CPU time of each, and peak RSS per kind."""

    def __init__(self, window_start: float) -> None:
        self.window_start = window_start
        self.first_cpu: dict[int, float] = {}
        self.last_cpu: dict[int, float] = {}
        self.label: dict[int, str] = {}
        self.peak_process: dict[int, float] = {}
        self.peak_kind: dict[str, float] = {}
        self.peak_label: dict[str, float] = {}
        self.samples = 0

    def add(
        self, proc: psutil.Process, label: str, sums: dict[str, float], label_sums: dict[str, float]
    ) -> None:
        with proc.oneshot():
            times = proc.cpu_times()
            cpu = times.user + times.system
            rss = proc.memory_info().rss / MIB
            created = proc.create_time()
        if proc.pid not in self.first_cpu:
            # A process born during the window counts from zero.
            self.first_cpu[proc.pid] = 0.0 if created > self.window_start else cpu
        self.last_cpu[proc.pid] = cpu
        self.label[proc.pid] = label
        self.peak_process[proc.pid] = max(self.peak_process.get(proc.pid, 0.0), rss)
        sums[kind_of(label)] = sums.get(kind_of(label), 0.0) + rss
        label_sums[label] = label_sums.get(label, 0.0) + rss

    def usage(self, seconds: float) -> Usage:
        result = Usage(seconds=round(seconds, 2), samples=self.samples)
        for pid, label in self.label.items():
            cpu = self.last_cpu[pid] - self.first_cpu[pid]
            for key, table in ((kind_of(label), result.kinds), (label, result.processes)):
                entry = table.setdefault(key, KindUsage())
                entry.processes += 1
                entry.cpu_s = round(entry.cpu_s + cpu, 2)
                entry.peak_process_rss_mb = round(max(entry.peak_process_rss_mb, self.peak_process[pid]), 1)
        for kind, peak in self.peak_kind.items():
            result.kinds.setdefault(kind, KindUsage()).peak_rss_mb = round(peak, 1)
        for label, peak in self.peak_label.items():
            result.processes.setdefault(label, KindUsage()).peak_rss_mb = round(peak, 1)
        return result


class Monitor:
    """Samples the processes that roots() names, and their children, while a window is open."""

    def __init__(self, roots: Callable[[], dict[int, str]]) -> None:
        self._roots = roots
        self._procs: dict[int, psutil.Process] = {}

    def _process(self, pid: int) -> psutil.Process:
        proc = self._procs.get(pid)
        if proc is None or not proc.is_running():
            proc = self._procs[pid] = psutil.Process(pid)
        return proc

    def _members(self) -> Iterator[tuple[psutil.Process, str]]:
        for pid, label in (self._roots() | {os.getpid(): BENCH_LABEL}).items():
            try:
                root = self._process(pid)
                yield root, label
                if kind_of(label) == "app":  # gunicorn's workers are the app too
                    for child in root.children(recursive=True):
                        yield self._process(child.pid), label
            except psutil.Error:
                continue

    def sample(self, tracker: _Tracker) -> None:
        """Add one sample of every process to tracker."""
        sums: dict[str, float] = {}
        label_sums: dict[str, float] = {}
        for proc, label in self._members():
            with contextlib.suppress(psutil.Error):
                tracker.add(proc, label, sums, label_sums)
        for key, value in sums.items():
            tracker.peak_kind[key] = max(tracker.peak_kind.get(key, 0.0), value)
        for key, value in label_sums.items():
            tracker.peak_label[key] = max(tracker.peak_label.get(key, 0.0), value)
        tracker.samples += 1

    @contextlib.contextmanager
    def window(self) -> Iterator[Usage]:
        """Sample in the background during the block; the yielded Usage is filled in at its end."""
        usage = Usage()
        began = time.time()
        tracker = _Tracker(began)
        stop = threading.Event()

        def loop() -> None:
            while True:
                self.sample(tracker)
                if stop.wait(SAMPLE_EVERY_S):
                    return

        thread = threading.Thread(target=loop, name="bench-resources", daemon=True)
        thread.start()
        try:
            yield usage
        finally:
            stop.set()
            thread.join()
            self.sample(tracker)
            filled = tracker.usage(time.time() - began)
            usage.seconds, usage.samples = filled.seconds, filled.samples
            usage.kinds, usage.processes = filled.kinds, filled.processes

    def busy_cores(self, interval_s: float = 1.0) -> float:
        """Return how many cores the suite (not the bench) used on average over interval_s."""
        tracker = _Tracker(time.time())
        self.sample(tracker)
        time.sleep(interval_s)
        self.sample(tracker)
        used = sum(
            tracker.last_cpu[pid] - tracker.first_cpu[pid]
            for pid, label in tracker.label.items()
            if label != BENCH_LABEL
        )
        return used / interval_s

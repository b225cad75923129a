"""Progress of an ensemble, counted in replicate-days: a bar with an ETA when standard error
is a terminal, one log line per finished chunk otherwise (logs, CI, a batch job's file).

Chunks simulated in worker processes report through a queue of a ``multiprocessing``
manager: each worker sends the replicate-days it has done every ``FLUSH_S`` seconds and a
"done" message when its chunk ends, and a thread of the parent process advances the bar
and writes the log line, so both follow the real completion of the work, not the order in
which joblib hands the results back.
"""
from __future__ import annotations

import logging
import os
import sys
import threading
import time
from typing import IO, Any

log = logging.getLogger("sim.runs.ensemble")
FLUSH_S = 0.2  # a worker reports its replicate-days at most this often
# a log record with this extra attribute is written to triad.log but not to the terminal
# (sim/io/log.py): a chunk line under a live bar would break the bar
QUIET_ON_CONSOLE = {"console": False}


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def _size(stream: Any) -> tuple[int, int]:
    """The terminal's (columns, lines), 0 when it does not say (a pseudo-terminal without a
    size, such as ``script -qc CMD /dev/null`` gives)."""
    try:
        size = os.get_terminal_size(stream.fileno())
        return size.columns, size.lines
    except (AttributeError, ValueError, OSError):
        return 0, 0


class Progress:
    """Replicate-days done out of ``total``; ``advance`` and ``chunk_done`` are thread-safe."""

    def __init__(self, total: int, chunks: int, *, stream: IO[str] | None = None, quiet: bool = False,
                 mininterval: float = 0.2):
        self.total, self.chunks, self.quiet = int(total), int(chunks), quiet
        self.done = 0
        self.chunks_done = 0
        self.advances = 0  # calls of advance (a test checks the bar moved within chunks)
        self._lock = threading.Lock()
        self._first: tuple[float, int] | None = None  # (time, replicate-days) of the first tick
        stream = sys.stderr if stream is None else stream
        self.bar = None
        if not quiet and _isatty(stream):
            from tqdm import tqdm

            class _Bar(tqdm):
                # no monitor thread: it outlives the bar, and the report's figures are drawn in
                # forked processes only when the process has no other thread (sim/report/run.py)
                monitor_interval = 0

            cols, lines = _size(stream)
            # a terminal that reports 0 columns (a pty without a size) would get an empty bar, and
            # 0 lines makes tqdm count -1 rows and hide the bar below them: 80 × 24 then
            self.bar = _Bar(total=self.total, unit="replicate-day", unit_scale=True, desc="ensemble", file=stream,
                            leave=False, mininterval=mininterval, miniters=1 if mininterval == 0 else None,
                            smoothing=0.1,
                            **({"dynamic_ncols": True} if cols > 0 else {"ncols": 80}),
                            **({} if lines > 0 else {"nrows": 24}))

    def advance(self, n: int) -> None:
        with self._lock:
            if self._first is None:  # the rate is measured from the first tick: start-up and
                self._first = (time.perf_counter(), self.done + int(n))  # compiling are not work
            self.done += int(n)
            self.advances += 1
            if self.bar is not None:
                self.bar.update(int(n))

    def eta(self) -> float | None:
        """Seconds left at the rate since the first tick (None before two ticks)."""
        if self._first is None or self.done <= self._first[1]:
            return None
        el = time.perf_counter() - self._first[0]
        return el / (self.done - self._first[1]) * (self.total - self.done)

    def chunk_done(self, a: int, b: int) -> None:
        """Log that replicates ``a .. b-1`` are done (to the log file only under a bar)."""
        with self._lock:
            self.chunks_done += 1
            n = self.chunks_done
        if self.quiet:
            return
        left = self.eta()
        tail = f", about {left:.0f} s left" if left is not None and n < self.chunks else ""
        log.info("chunk %d/%d done (replicates %d-%d)%s", n, self.chunks, a, b - 1, tail,
                 extra=QUIET_ON_CONSOLE if self.bar is not None else None)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.refresh()  # the last state drawn, even if the last ticks came within mininterval
            self.bar.close()

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class DayTicker:
    """What a chunk calls once per simulated day: ``per_day`` replicate-days, handed to
    ``sink`` directly (same process) or batched every ``FLUSH_S`` (through a queue)."""

    def __init__(self, per_day: int, sink=None, queue=None):
        self.per_day, self.sink, self.queue = per_day, sink, queue
        self.every = FLUSH_S  # read in the parent, so it travels with the ticker to a worker
        self._pending, self._last = 0, time.perf_counter()

    def __call__(self) -> None:
        if self.sink is not None:
            self.sink(self.per_day)
            return
        self._pending += self.per_day
        now = time.perf_counter()
        if now - self._last >= self.every:
            self.flush()
            self._last = now

    def flush(self) -> None:
        if self.queue is not None and self._pending:
            self.queue.put(("days", self._pending))
        self._pending = 0

    def finished(self, a: int, b: int) -> None:
        """The chunk of replicates ``a .. b-1`` is done (worker side: flush, then say so)."""
        if self.queue is not None:
            self.flush()
            self.queue.put(("done", a, b))


def in_worker(fn, *args, tick: DayTicker):
    """``fn(*args, tick)`` in a worker process, its warnings (numba, numpy…) sent to the parent
    instead of printed on the worker's standard error, which is the user's terminal."""
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        out = fn(*args, tick)
    if tick.queue is not None:
        for w in caught:
            tick.queue.put(("warning", warnings.formatwarning(w.message, w.category, w.filename, w.lineno).strip()))
    return out


class QueueListener:
    """The parent's side of the workers' queue: a thread that advances ``progress``."""

    def __init__(self, progress: Progress):
        import multiprocessing

        self.progress = progress
        # the manager's server only relays messages: forked, it starts at once (Mesa sets the
        # default start method to spawn, which would re-import the main module)
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        self._manager = ctx.Manager()
        self.queue = self._manager.Queue()
        self._thread = threading.Thread(target=self._run, name="triad-progress", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            msg = self.queue.get()
            if msg is None:
                return
            if msg[0] == "days":
                self.progress.advance(msg[1])
            elif msg[0] == "done":
                self.progress.chunk_done(msg[1], msg[2])
            elif msg[0] == "warning":  # a worker's warning: to triad.log like the parent's (sim/io/log.py)
                logging.getLogger("py.warnings").warning("%s", msg[1])

    def close(self) -> None:
        self.queue.put(None)
        self._thread.join()
        self._manager.shutdown()

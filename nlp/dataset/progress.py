"""Rows done, rows/s and time left: a tqdm bar on a terminal, a plain line now and then otherwise."""
from __future__ import annotations

import time

PLAIN_EVERY_S = 30.0


class Progress:
    def __init__(self, total: int | None, err, every_s: float = PLAIN_EVERY_S):
        self.total, self.err, self.every_s = total, err, every_s
        self.done = self.skipped = 0
        self.start = self.last = time.monotonic()
        self.bar = None
        if err.isatty():
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="row", file=err, dynamic_ncols=True, smoothing=0.1)

    def log(self, line: str) -> None:
        """A message that must not break the bar."""
        if self.bar is not None:
            self.bar.write(line, file=self.err)
        else:
            print(line, file=self.err, flush=True)

    def skip(self, rows: int) -> None:
        """Rows of parts finished by an earlier run: counted, but not in the rate."""
        self.skipped += rows
        if self.bar is not None:  # as tqdm's `initial`: shown as done, left out of rows/s
            self.bar.n += rows
            self.bar.initial += rows
            self.bar.refresh()

    def update(self, rows: int) -> None:
        self.done += rows
        if self.bar is not None:
            self.bar.update(rows)
        elif time.monotonic() - self.last >= self.every_s:
            self.milestone("")

    def milestone(self, what: str, rows: int = 0) -> None:
        """`rows` more done, and a plain line now (e.g. a part written); restarts the periodic clock."""
        self.done += rows
        if self.bar is not None:
            self.bar.update(rows)
        else:
            self.last = time.monotonic()
            print(f"{what}{': ' if what else ''}{self.line()}", file=self.err, flush=True)

    def line(self) -> str:
        elapsed = max(time.monotonic() - self.start, 1e-9)
        rate = self.done / elapsed
        seen = self.done + self.skipped
        text = f"{seen}" + (f"/{self.total}" if self.total else "") + f" rows, {rate:.2f} rows/s"
        if self.total and rate > 0:
            left = max(self.total - seen, 0) / rate
            text += f", ETA {int(left // 3600)}:{int(left % 3600 // 60):02d}:{int(left % 60):02d}"
        return text

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()

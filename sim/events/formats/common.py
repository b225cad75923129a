"""What every reader shares: bounded reading of plain, gzipped or zipped files, UTF-8 checks
with the line of the first bad byte, and one vectorised CSV parse (pyarrow) whose rows of the
wrong width are refused with their line, or skipped and counted with ``skip_bad``.

A format's ``read_table`` returns an Arrow table per file (the columns it needs, as strings,
plus ``file`` and ``line``, the physical line for messages); the tables of all files are
concatenated and converted once, and the format's ``normalize`` makes the *raw frame* that
``sim/events/counting.py`` reads. Untrusted input: sizes are capped
before anything is decompressed into memory.
"""
from __future__ import annotations

import gzip
import io
import os
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from sim.errors import TriadError

MAX_FILE_BYTES = 1_000_000_000  # one decompressed input file; a year of ICEWS is about a third of this


class EventDataError(TriadError):
    """An event-data file that cannot be imported (names the file and, where known, the line)."""


@dataclass
class Skipped:
    """Rows skipped by ``--skip-bad``, by reason (bad rows are refused without it)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, reason: str, n: int = 1) -> None:
        if n:
            self.counts[reason] = self.counts.get(reason, 0) + n


def _read_capped(fh, name: str) -> bytes:
    data = fh.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise EventDataError(f"{name}: more than {MAX_FILE_BYTES} bytes (decompressed); split the file")
    return data


def open_members(path: str | Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of a plain file, a .gz file, or each member of a .zip file."""
    p = Path(path)
    try:
        st = os.stat(p)
    except OSError as exc:
        raise EventDataError(f"{p}: cannot read: {exc.strerror}") from None
    if not stat.S_ISREG(st.st_mode):
        raise EventDataError(f"{p}: not a regular file")
    try:
        if p.suffix.lower() == ".gz":
            with gzip.open(p, "rb") as fh:
                return [(str(p), _read_capped(fh, str(p)))]
        if p.suffix.lower() == ".zip":
            with zipfile.ZipFile(p) as zf:
                out = []
                members = [i for i in zf.infolist() if not i.is_dir()]
                if sum(i.file_size for i in members) > MAX_FILE_BYTES:
                    raise EventDataError(f"{p}: more than {MAX_FILE_BYTES} bytes (decompressed); split the archive")
                for info in members:
                    name = f"{p}:{info.filename}"
                    with zf.open(info) as fh:  # declared sizes can lie: the bytes read are counted too
                        out.append((name, _read_capped(fh, name)))
                    if sum(len(d) for _, d in out) > MAX_FILE_BYTES:
                        raise EventDataError(f"{p}: more than {MAX_FILE_BYTES} bytes (decompressed)")
                return out
        with open(p, "rb") as fh:
            return [(str(p), _read_capped(fh, str(p)))]
    except (OSError, EOFError, zipfile.BadZipFile, gzip.BadGzipFile) as exc:
        raise EventDataError(f"{p}: cannot read ({type(exc).__name__}: {exc})") from None


def checked_utf8(name: str, data: bytes, skip_bad: bool, skipped: Skipped, first_data_line: int) -> bytes:
    """``data`` if it is UTF-8; else an error naming the line, or (``skip_bad``) the data
    without its bad lines (a bad header line is always an error)."""
    try:
        data.decode("utf-8")
        return data
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        if not skip_bad or line < first_data_line:
            raise EventDataError(f"{name} line {line}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
                                 + ("" if skip_bad else " or pass --skip-bad to skip such lines")) from None
    good = []
    for ln in data.split(b"\n"):  # only on this error path: find and drop the bad lines
        try:
            ln.decode("utf-8")
            good.append(ln)
        except UnicodeDecodeError:
            skipped.add("not_utf8")
    return b"\n".join(good)


def parse_tsv(name: str, data: bytes, names: Sequence[str], header: bool, keep: Sequence[str], skip_bad: bool,
              skipped: Skipped, delimiter: str = "\t", quoted: bool = False) -> pa.Table:
    """Columns ``keep`` (as strings) of a delimited file with exactly ``len(names)`` columns.
    ``header``: the first line must name the columns ``names`` (in that order)."""
    first = 2 if header else 1
    data = checked_utf8(name, data, skip_bad, skipped, first)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if header:
        head = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
        got = [h.strip().strip('"') for h in head.split(delimiter)]
        if [g.lower() for g in got] != [n.lower() for n in names]:
            missing = [n for n in names if n.lower() not in {g.lower() for g in got}]
            raise EventDataError(f"{name} line 1: the header has {len(got)} columns; expected the {len(names)} "
                                 f"columns {', '.join(names[:3])}, …" + (f" (missing: {', '.join(missing[:5])})"
                                                                         if missing else " in that order"))
    bad: list[tuple[int, int]] = []

    def on_bad(row: pcsv.InvalidRow) -> str:
        # an exception raised here would be printed by pyarrow: record the row, let it stop
        bad.append((row.number, row.actual_columns))
        return "skip" if skip_bad else "error"

    read = pcsv.ReadOptions(use_threads=False, column_names=list(names), skip_rows=1 if header else 0,
                            block_size=1 << 24)
    parse = pcsv.ParseOptions(delimiter=delimiter, quote_char='"' if quoted else False, invalid_row_handler=on_bad,
                              ignore_empty_lines=False, newlines_in_values=quoted)  # ACLED notes may hold line breaks
    conv = pcsv.ConvertOptions(column_types={c: pa.string() for c in keep}, include_columns=list(keep),
                               strings_can_be_null=False, quoted_strings_can_be_null=False)
    try:
        table = pcsv.read_csv(io.BytesIO(data), read_options=read, parse_options=parse, convert_options=conv)
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        if bad and not skip_bad:
            raise EventDataError(f"{name} line {bad[0][0]}: {bad[0][1]} columns; expected {len(names)}"
                                 " (pass --skip-bad to skip such rows)") from None
        raise EventDataError(f"{name}: not a readable table ({str(exc).splitlines()[0]})") from None
    skipped.add("bad_row", len(bad))
    # the physical line of each kept row: data lines in order, shifted past the skipped ones
    lines = np.arange(table.num_rows, dtype=np.int64) + first
    for g in sorted(b for b, _ in bad):
        lines[lines >= g] += 1
    return table.append_column("file", pa.repeat(pa.scalar(name, pa.string()), table.num_rows)).append_column(
        "line", pa.array(lines))


def read_files(paths: Sequence[str | Path], reader, skip_bad: bool, skipped: Skipped) -> pd.DataFrame:
    """Every member of every path through ``reader(name, data, skip_bad, skipped)`` (an Arrow
    table each), concatenated, as one DataFrame of strings (one conversion, not one per file)."""
    tables = [reader(name, data, skip_bad, skipped) for p in paths for name, data in open_members(p)]
    if not tables:
        raise EventDataError("no input file")
    return pa.concat_tables(tables).to_pandas()

"""The exploration report: an experiment's figures as PNG/SVG files and its report.html.

`sim.explore` runs the experiment and hands over (name, build, caption) figure specs
and the summary; `write_figures` renders them into ``figures/`` and `write_report`
writes the page (built with `sim.report.page`, like the run report).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from sim.io.atomic import atomic_write_bytes
from sim.report.markup import esc
from sim.report.page import embedded_figure, page
from sim.report.style import style_context

FigureSpec = tuple[str, Callable[[], Any], str]  # name, build (a matplotlib Figure), caption (plain text)


def render(fig) -> tuple[bytes, bytes]:
    """PNG (130 dpi) and SVG bytes of a figure, cropped to its content (a Figure made without
    pyplot: nothing to close, and no backend is chosen for the process)."""
    out = []
    for fmt in ("png", "svg"):
        buf = io.BytesIO()
        fig.savefig(buf, format=fmt, dpi=130 if fmt == "png" else None, bbox_inches="tight",
                    **({"metadata": {"Date": None}} if fmt == "svg" else {}))
        out.append(buf.getvalue())
    return out[0], out[1]


def write_figures(out_dir: Path, specs: Sequence[FigureSpec]) -> tuple[list[dict], dict[str, bytes]]:
    """Write figures/NAME.png and .svg for every spec; return the summary's figure records
    (name, caption, png, svg paths) and the PNG bytes by name, for the page."""
    records, pngs = [], {}
    for name, make, caption in specs:
        records.append({"name": name, "caption": caption, "png": f"figures/{name}.png", "svg": f"figures/{name}.svg"})
        with style_context():  # the run report's rcParams, so every figure of triad looks alike
            png, svg = render(make())
        atomic_write_bytes(Path(out_dir) / "figures" / f"{name}.png", png)
        atomic_write_bytes(Path(out_dir) / "figures" / f"{name}.svg", svg)
        pngs[name] = png
    return records, pngs


def render_report(summ: Mapping, pngs: Mapping[str, bytes]) -> str:
    """The page: question, answer, headline, notes, then every figure with its caption."""
    ex = summ["exploration"]
    parts = [f"<h1>triad — {esc(ex['method'])}</h1>",
             f"<p><strong>Question:</strong> {esc(ex.get('question') or '')}</p>",
             f"<p class='answer'>{esc(ex['answer'])}</p>",
             "<ul>" + "".join(f"<li>{esc(h)}</li>" for h in summ["headline"]) + "</ul>"]
    parts += [f"<p class='muted'>{esc(note)}</p>" for note in ex.get("notes", [])]
    parts += [embedded_figure(f["name"], pngs[f["name"]], esc(f["caption"])) for f in ex["figures"]]
    return page(f"triad exploration: {ex['method']}", "\n".join(parts))


def write_report(out_dir: Path, summ: Mapping, pngs: Mapping[str, bytes]) -> Path:
    """Write report.html into `out_dir`; return its path."""
    path = Path(out_dir) / "report.html"
    atomic_write_bytes(path, render_report(summ, pngs).encode("utf-8"))
    return path

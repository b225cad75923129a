"""One self-contained HTML page: every report of triad (run, exploration, sweep) is one.

    page(title, body, *, css_extra="") -> str

`title` is plain text (escaped here), `body` is HTML the caller has already escaped,
`css_extra` holds rules that only this page needs; they follow the shared `CSS`, so
they can override it.  The page loads nothing from outside (CSS inline, figures
as data URIs via `embedded_figure`), so it can be mailed or archived on its own,
and it holds no time stamp, so the same inputs give the same bytes.
"""

from __future__ import annotations

import base64
import html
import re

from sim.report.markup import esc

__all__ = ["CSS", "embedded_figure", "page", "toc"]

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:72em;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
h3{font-size:1.05em}
div.wide{max-width:100%;overflow-x:auto;margin:.5em 0 1em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1em}div.wide>table{margin:0}
th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.text{min-width:12em;overflow-wrap:anywhere}td.wrap{overflow-wrap:anywhere;min-width:6em}
td.date{min-width:5.5em}
nav.toc{background:#f7f7f7;border:1px solid #ddd;padding:.4em 1em;font-size:.9em;margin:1em 0}
nav.toc ul{margin:.2em 0;padding-left:1.2em}nav.toc>ul{columns:2}nav.toc li{break-inside:avoid}
details>summary{cursor:pointer;color:#0072B2}
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85em;color:#444;margin-top:.4em}
pre{background:#f7f7f7;border:1px solid #ddd;padding:.6em;overflow-x:auto;font-size:.8em;
white-space:pre-wrap;overflow-wrap:anywhere}
code{font-size:.85em;overflow-wrap:anywhere}.muted{color:#777}
h4{font-size:.95em;margin-bottom:.2em}
p.answer{font-size:1.05em;font-weight:600;border-left:4px solid #0072B2;background:#f2f7fb;
padding:.6em .9em;margin:.6em 0 1em}
"""


def page(title: str, body: str, *, css_extra: str = "") -> str:
    """The whole HTML document around `body`."""
    return ("<!DOCTYPE html>\n"
            f"<html lang='en'><head><meta charset='utf-8'><title>{esc(title)}</title>\n"
            f"<style>{CSS}{css_extra}</style></head><body>\n"
            f"{body}\n"
            "</body></html>\n")


def embedded_figure(name: str, png: bytes, caption: str) -> str:
    """A <figure> (anchor ``fig-NAME``) with the PNG inline; `caption` is HTML."""
    b64 = base64.b64encode(png).decode("ascii")
    return (f"<figure id='fig-{esc(name)}'><img alt='{esc(name)}' src=\"data:image/png;base64,{b64}\">"
            f"<figcaption><strong>{esc(name)}.</strong> {caption}</figcaption></figure>")


_HEADING = re.compile(r"<h([23]) id='([^']+)'>(.*?)</h\1>|<figure id='(fig-[^']+)'>")


def _plain(markup: str) -> str:
    """Heading text without tags, for a table-of-contents entry (already escaped)."""
    return re.sub(r"<[^>]+>", "", markup)


def toc(body: str) -> str:
    """A table of contents of `body`: every ``<h2 id=...>``, with its ``<h3 id=...>`` and
    figures (``<figure id='fig-...'>``) nested; "" when there are fewer than two sections."""
    entries: list[tuple[str, list[str]]] = []
    for m in _HEADING.finditer(body):
        level, anchor, text, fig = m.groups()
        if fig:
            item = f"<a href='#{fig}'>{html.escape(fig[4:], quote=True)}</a>"
        else:
            item = f"<a href='#{anchor}'>{_plain(text)}</a>"
        if level == "2":
            entries.append((item, []))
        elif entries:
            entries[-1][1].append(item)
    if len(entries) < 2:
        return ""
    rows = "".join(f"<li>{top}" + (f"<ul>{''.join(f'<li>{c}</li>' for c in sub)}</ul>" if sub else "") + "</li>"
                   for top, sub in entries)
    return f"<nav class='toc' id='contents'><strong>Contents</strong><ul>{rows}</ul></nav>"

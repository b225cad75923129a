"""Assemble the self-contained report.html.

Everything is inline: figures are base64 PNG data URIs and the CSS sits in a
<style> block, so the file can be mailed or archived on its own.  Every piece
of text that comes from run data goes through `esc` (html.escape).
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any, Iterable, Sequence

from matplotlib.figure import Figure

from sim.io.atomic import atomic_write_bytes
from sim.report import style

CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:60em;
margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #ccc;margin-top:2em}
h3{font-size:1.05em}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1em;display:block;max-width:100%;overflow-x:auto}
th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.text{min-width:14em;overflow-wrap:anywhere}
figure{margin:1.5em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85em;color:#444;margin-top:.4em}
pre{background:#f7f7f7;border:1px solid #ddd;padding:.6em;overflow-x:auto;font-size:.8em;
white-space:pre-wrap;overflow-wrap:anywhere}
code{font-size:.85em;overflow-wrap:anywhere}.muted{color:#777}
h4{font-size:.95em;margin-bottom:.2em}
p.answer{font-size:1.05em;font-weight:600;border-left:4px solid #0072B2;background:#f2f7fb;
padding:.6em .9em;margin:.6em 0 1em}
"""


def esc(value: Any) -> str:
    """HTML-escape any value's string form (quotes included)."""
    return html.escape("" if value is None else str(value), quote=True)


def _atomic_write_bytes(path: Path | str, data: bytes) -> None:
    """The run directory's one atomic writer (flushed to disk before the rename)."""
    atomic_write_bytes(Path(path), data)


def render_figure(fig: Figure, dpi: int = 200) -> tuple[bytes, bytes]:
    """PNG and SVG bytes with metadata stripped so output is reproducible."""
    png, svg = io.BytesIO(), io.BytesIO()
    fig.savefig(png, format="png", dpi=dpi, metadata={"Software": None})
    fig.savefig(svg, format="svg", metadata={"Date": None})
    return png.getvalue(), svg.getvalue()


# --------------------------------------------------------------------------
# Small HTML builders
# --------------------------------------------------------------------------

def _table(header: Sequence[str], rows: Iterable[Sequence[str]], classes: Sequence[str] | None = None) -> str:
    """Table from already-escaped cell strings."""
    head = "".join(f"<th>{h}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            cls = f' class="{classes[i]}"' if classes and classes[i] else ""
            cells.append(f"<td{cls}>{cell}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _num(v: Any, nd: int = 3) -> str:
    try:
        return f"{float(v):.{nd}f}"
    except (TypeError, ValueError):
        return esc(v) if v is not None else "–"


def _yes_no(v: Any) -> str:
    return ("yes" if v else "no") if isinstance(v, bool) else esc(v)


def _json_text(v: Any) -> str:
    return esc(json.dumps(v, sort_keys=True, ensure_ascii=False, default=str))


# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------

def _header(summary: dict, scenarios: list[str]) -> str:
    q = summary.get("question") or "(no question recorded)"
    facts = [
        ("horizon", f"{esc(summary.get('start', '?'))} to {esc(summary.get('end', '?'))}"),
        ("replicates", esc(summary.get("replicates", "?"))),
        ("seed", esc(summary.get("seed", "?"))),
        ("scenarios", esc(", ".join(scenarios)) or "–"),
    ]
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    return f"<h1>triad run report</h1><p><strong>Question:</strong> {esc(q)}</p><table>{rows}</table>"


def _headline(summary: dict) -> str:
    items = "".join(f"<li>{esc(h)}</li>" for h in summary.get("headline") or [])
    out = ["<h2 id='headline'>Headline</h2>", f"<ul>{items}</ul>" if items else "<p class='muted'>No headline.</p>"]
    scen = summary.get("scenarios") or {}
    if scen:
        out.append("<h3>Escalation by the end of the horizon</h3>")
        out.append("<p>Share of replicates in which the dyad reached at least rung <i>k</i>, "
                   "with the 95% Wilson interval [lo, hi]; tension at the end as median [q05, q95].</p>")
        out.append(_rung_table(scen))
    return "".join(out)


def _rung_table(scen: dict) -> str:
    rungs = sorted({int(k) for s in scen.values() for d in (s or {}).values()
                    for k in ((d or {}).get("p_rung_at_least") or {})})
    header = ["scenario", "dyad"] + [f"≥{r} {esc(style.RUNG_NAMES.get(r, ''))}" for r in rungs] + ["tension at end"]
    rows = []
    for s in style.order_scenarios(scen):
        for dyad in sorted(scen[s] or {}):
            rec = scen[s][dyad] or {}
            p_at = rec.get("p_rung_at_least") or {}
            cells = [esc(s), esc(dyad)]
            for r in rungs:
                ci = p_at.get(str(r))
                cells.append(f"{_num(ci.get('p'))} [{_num(ci.get('lo'))}, {_num(ci.get('hi'))}]" if ci else "–")
            t = rec.get("tension_end") or {}
            cells.append(f"{_num(t.get('q50'), 2)} [{_num(t.get('q05'), 2)}, {_num(t.get('q95'), 2)}]" if t else "–")
            rows.append(cells)
    return _table(header, rows, ["", ""] + ["num"] * (len(rungs) + 1))


def _figures(figs: Sequence[tuple[str, bytes, str]]) -> str:
    out = ["<h2 id='figures'>Figures</h2>"]
    for name, png, caption in figs:
        b64 = base64.b64encode(png).decode("ascii")
        out.append(
            f"<figure id='fig-{esc(name)}'><img alt='{esc(name)}' src=\"data:image/png;base64,{b64}\">"
            f"<figcaption><strong>{esc(name)}.</strong> {caption}</figcaption></figure>"
        )
    return "".join(out)


def _events(events: Sequence[dict]) -> str:
    out = ["<h2 id='events'>Event timeline</h2>"]
    if not events:
        return out[0] + "<p class='muted'>No events in events.json.</p>"
    out.append("<p>Events from the source article, in date order.  The # column is the number marked "
               "on the fan charts; the realised date falls in the window.</p>")
    header = ["#", "id", "date", "window", "precision", "source → target", "CAMEO", "Goldstein",
              "rung", "attribution", "mutual", "summary", "quote"]
    rows = []
    for ev in events:
        window = ev.get("window") or []
        rung = ev.get("rung")
        rung_txt = f"{esc(rung)} {esc(style.RUNG_NAMES.get(rung, 'cooperative/neutral' if rung == 0 else ''))}"
        rows.append([
            esc(ev.get("n")), esc(ev.get("id")), esc(ev.get("date")),
            esc(" – ".join(map(str, window))), esc(ev.get("precision")),
            f"{esc(ev.get('source'))} → {esc(ev.get('target'))}", esc(ev.get("cameo")),
            _num(ev.get("goldstein"), 1), rung_txt.strip(), _num(ev.get("attribution"), 2),
            _yes_no(ev.get("mutual")), esc(ev.get("summary")), esc(ev.get("quote")),
        ])
    classes = ["num", "", "", "", "", "", "", "num", "", "num", "", "text", "text"]
    out.append(_table(header, rows, classes))
    return "".join(out)


def _validation(val: dict | None) -> str:
    if not val:
        return ""
    out = ["<h2 id='validation'>Validation against GDELT</h2>"]
    window = val.get("window") or []
    out.append(f"<p>Window: {esc(' to '.join(map(str, window)))}; overall sign agreement "
               f"{_num(val.get('overall_sign_agreement'), 2)}.</p>")
    rows = []
    for dyad, rec in sorted((val.get("dyads") or {}).items()):
        months = "; ".join(
            f"{esc(m.get('month'))}: {_num(m.get('model'), 2)} / {_num(m.get('gdelt'), 1)}"
            f"{'' if m.get('agree') else ' ✗'}" for m in rec.get("months") or [])
        rows.append([esc(dyad), _num(rec.get("sign_agreement"), 2), _num(rec.get("spearman"), 2), months])
    out.append(_table(["dyad", "sign agreement", "Spearman", "month: model / GDELT (✗ = signs differ)"],
                      rows, ["", "num", "num", "text"]))
    return "".join(out)


def _generic(title: str, anchor: str, value: Any) -> str:
    """Any JSON value as a key → JSON-text table."""
    if value is None:
        return ""
    if isinstance(value, dict):
        items = list(value.items())
    elif isinstance(value, list):
        items = list(enumerate(value))
    else:
        items = [("value", value)]
    rows = [[esc(k), f"<code>{_json_text(v)}</code>"] for k, v in items]
    return f"<h2 id='{anchor}'>{esc(title)}</h2>" + _table(["key", "value"], rows, ["", "text"])


def _manifest(manifest: dict | None) -> str:
    if not manifest:
        return "<h2 id='manifest'>Manifest</h2><p class='muted'>No manifest.json.</p>"
    rows = []
    for k, v in manifest.items():
        cell = f"<code>{_json_text(v)}</code>" if isinstance(v, (dict, list)) else esc(v)
        rows.append([esc(k), cell])
    return "<h2 id='manifest'>Manifest</h2>" + _table(["key", "value"], rows, ["", "text"])


def _config(text: str | None) -> str:
    body = f"<pre>{esc(text)}</pre>" if text else "<p class='muted'>No config.yaml.</p>"
    return "<h2 id='config'>Resolved configuration</h2>" + body


# --------------------------------------------------------------------------
# Entry
# --------------------------------------------------------------------------

def render_report(run: dict, figs: Sequence[tuple[str, bytes, str]]) -> str:
    """Full HTML document.

    `run` holds summary, events (numbered), manifest, config_text and
    scenarios; `figs` holds (name, png bytes, caption HTML) triples.  Nothing
    here depends on the current time, so the output is reproducible.
    """
    from sim.report import html_cf  # imports this module's helpers

    summary = run.get("summary") or {}
    events = run.get("events") or []
    title = esc(summary.get("question") or "triad run report")
    parts = [
        "<!DOCTYPE html>",
        f"<html lang='en'><head><meta charset='utf-8'><title>triad report: {title}</title>",
        f"<style>{CSS}</style></head><body>",
        _header(summary, run.get("scenarios") or []),
        _headline(summary),
        html_cf.counterfactuals(summary.get("counterfactuals"), events, run.get("cf_figures")),
        html_cf.attribution(summary.get("attribution"), events),
        _figures(figs),
        _events(events),
        _validation(summary.get("validation")),
        _manifest(run.get("manifest")),
        _config(run.get("config_text")),
        "</body></html>\n",
    ]
    return "\n".join(p for p in parts if p)

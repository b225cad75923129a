"""The run report: the sections of report.html for one run directory.

Counterfactual and attribution sections are in `html_cf`, the page around them in
`page`.  Every piece of text that comes from run data goes through `esc`.
"""

from __future__ import annotations

from typing import Sequence

from sim.report import html_cf, style
from sim.report.figures.events import event_date_text
from sim.report.markup import esc, num, table, yes_no
from sim.report.page import embedded_figure, page, toc
from sim.runs.headline import counterfactual_names, headline_lines, scenario_label, validation_line

# --------------------------------------------------------------------------
# Sections
# --------------------------------------------------------------------------

def _label(summary: dict, name: str) -> str:
    """Scenario name as the headline lines say it: "baseline (factual)", "counterfactual X"."""
    return scenario_label(name, bool(counterfactual_names(summary)) or name != "baseline")


def _header(summary: dict, scenarios: list[str]) -> str:
    q = summary.get("question") or "(no question recorded)"
    facts = [
        ("horizon", f"{esc(summary.get('start', '?'))} to {esc(summary.get('end', '?'))}"),
        ("replicates", esc(summary.get("replicates", "?"))),
        ("seed", esc(summary.get("seed", "?"))),
        ("scenarios", esc(", ".join(_label(summary, s) for s in scenarios)) or "–"),
    ]
    post = summary.get("posterior") if isinstance(summary.get("posterior"), dict) else None
    facts.append(("parameters", f"from {esc(post.get('draws'))} posterior draws (ensemble.posterior): "
                  + esc(", ".join(map(str, post.get("parameters") or []))) if post else
                  "one parameter set (the config's); no posterior"))
    rows = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in facts)
    return f"<h1>triad run report</h1><p><strong>Question:</strong> {esc(q)}</p><table>{rows}</table>"


def _scenario_note(summary: dict) -> str:
    cfs = counterfactual_names(summary)
    if not cfs:
        return ""
    names = ", ".join(f"<a href='#cf-{esc(n)}'><code>{esc(n)}</code></a>" for n in cfs)
    return ("<p class='muted'>Each line names its scenario: <strong>baseline (factual)</strong> is the run with "
            "the article's timeline as written; <strong>counterfactual</strong> " + names + " reuses the same "
            "replicates with the timeline changed as its section below describes.</p>")


def _headline(summary: dict) -> str:
    lines = headline_lines(summary)
    val = validation_line(summary)
    items = "".join(f"<li>{esc(h)}</li>" for h in lines + ([val] if val else []))
    out = ["<h2 id='headline'>Headline</h2>", _scenario_note(summary),
           f"<ul>{items}</ul>" if items else "<p class='muted'>No headline.</p>"]
    scen = summary.get("scenarios") or {}
    if scen:
        out.append("<h3 id='escalation'>Escalation by the end of the horizon, by scenario</h3>")
        out.append("<p>Share of replicates in which the dyad reached at least rung <i>k</i>, "
                   "with the 95% Wilson interval [lo, hi]; tension at the end as median [q05, q95].</p>")
        out.append(_rung_table(scen, summary))
    return "".join(out)


def _rung_table(scen: dict, summary: dict | None = None) -> str:
    rungs = sorted({int(k) for s in scen.values() for d in (s or {}).values()
                    for k in ((d or {}).get("p_rung_at_least") or {}) if str(k).isdigit()})
    header = ["scenario", "dyad"] + [f"≥{r} {esc(style.RUNG_NAMES.get(r, ''))}" for r in rungs] + ["tension at end"]
    rows = []
    for s in style.order_scenarios(scen):
        for dyad in sorted(scen[s] or {}):
            rec = scen[s][dyad] or {}
            p_at = rec.get("p_rung_at_least") or {}
            cells = [esc(_label(summary or {}, s)), esc(dyad)]
            for r in rungs:
                ci, endo = p_at.get(str(r)), (p_at.get("endogenous") or {}).get(str(r))
                # the endogenous share on a line of its own keeps the column narrow
                own = f"<br><span class='muted'>endogenous {num(endo.get('p'))}</span>" if endo else ""
                cells.append(f"{num(ci.get('p'))} [{num(ci.get('lo'))}, {num(ci.get('hi'))}]{own}" if ci else "–")
            t = rec.get("tension_end") or {}
            cells.append(f"{num(t.get('q50'), 2)} [{num(t.get('q05'), 2)}, {num(t.get('q95'), 2)}]" if t else "–")
            rows.append(cells)
    return table(header, rows, ["", ""] + ["num"] * (len(rungs) + 1))


def _figures(figs: Sequence[tuple[str, bytes, str]]) -> str:
    return "<h2 id='figures'>Figures</h2>" + "".join(embedded_figure(n, png, cap) for n, png, cap in figs)


def _events(events: Sequence[dict]) -> str:
    out = ["<h2 id='events'>Event timeline</h2>"]
    if not events:
        return out[0] + "<p class='muted'>No events in events.json.</p>"
    out.append("<p>Events in date order (the source article's, with their quote; others with their sources).  The # column is the number marked "
               "on the fan charts; the realised date falls in the window.</p>")
    header = ["#", "id", "date (window, precision)", "source → target", "CAMEO", "Gold&shy;stein",
              "rung", "attri&shy;bution", "mutual", "summary", "quote or sources"]
    rows = []
    for ev in events:
        window = ev.get("window") or []
        rung = ev.get("rung")
        rung_txt = f"{esc(rung)} {esc(style.RUNG_NAMES.get(rung, 'cooperative/neutral' if rung == 0 else ''))}"
        when = (f"{esc(event_date_text(ev))}<br><span class='muted'>{esc(' – '.join(map(str, window)))}"
                f"{', ' if window else ''}{esc(ev.get('precision'))}; nominal {esc(ev.get('date'))}</span>")
        rows.append([
            esc(ev.get("n")), esc(ev.get("id")), when,
            f"{esc(ev.get('source'))} → {esc(ev.get('target'))}", esc(ev.get("cameo")),
            num(ev.get("goldstein"), 1), rung_txt.strip(), num(ev.get("attribution"), 2),
            yes_no(ev.get("mutual")), esc(ev.get("summary")), esc(ev.get("quote") or "; ".join(ev.get("sources") or [])),
        ])
    classes = ["num", "wrap", "date", "", "", "num", "wrap", "num", "", "text", "text"]
    out.append(table(header, rows, classes))
    return "".join(out)


def _validation(val: dict | None) -> str:
    if not val:
        return ""
    out = ["<h2 id='validation'>In-sample fit to GDELT (not a validation)</h2>"]
    window = val.get("window") or []
    out.append(f"<p>Window: {esc(' to '.join(map(str, window)))}; overall sign agreement "
               f"{num(val.get('overall_sign_agreement'), 2)}.</p>")
    if val.get("fitted_months"):
        out.append(f"<p><strong>In sample:</strong> the default parameters were tuned on these months "
                   f"({esc(', '.join(val['fitted_months']))}), so this is a fit, not a test. Out-of-sample "
                   "forecast skill against baselines: <code>triad experiment=backtest</code>.</p>")
    rows = []
    for dyad, rec in sorted((val.get("dyads") or {}).items()):
        months = "; ".join(
            f"{esc(m.get('month'))}: {num(m.get('model'), 2)} / {num(m.get('gdelt'), 1)}"
            f"{'' if m.get('agree') else ' ✗'}" for m in rec.get("months") or [])
        rows.append([esc(dyad), num(rec.get("sign_agreement"), 2), num(rec.get("spearman"), 2), months])
    out.append(table(["dyad", "sign agreement", "Spearman", "month: model / GDELT (✗ = signs differ)"],
                      rows, ["", "num", "num", "text"]))
    return "".join(out)


def _provenance(config_text: str | None) -> str:
    """The report is built before the manifest (the completion mark, written last), so it
    names the config by its hash and points to manifest.json for the rest."""
    import hashlib

    digest = hashlib.sha256((config_text or "").encode("utf-8")).hexdigest() if config_text else "no config.yaml"
    return ("<h2 id='manifest'>Provenance</h2><p>Config hash (SHA-256 of <code>config.yaml</code>): "
            f"<code>{esc(digest)}</code>. Package versions, git commit, seed, timings and the size and SHA-256 "
            "of every file, this report included, are in <code>manifest.json</code>, written after this "
            "report as the mark of a complete run.</p>")


def _config(text: str | None) -> str:
    """Folded: the YAML is as long as the rest of the report."""
    if not text:
        return "<h2 id='config'>Resolved configuration</h2><p class='muted'>No config.yaml.</p>"
    n = len(text.splitlines())
    return ("<h2 id='config'>Resolved configuration</h2><details><summary>config.yaml as the run resolved it "
            f"({n} lines; click to show)</summary><pre>{esc(text)}</pre></details>")


# --------------------------------------------------------------------------
# Entry
# --------------------------------------------------------------------------

def render_report(run: dict, figs: Sequence[tuple[str, bytes, str]]) -> str:
    """Full HTML document.

    `run` holds summary, events (numbered), manifest, config_text and
    scenarios; `figs` holds (name, png bytes, caption HTML) triples.  Nothing
    here depends on the current time, so the output is reproducible.
    """
    summary = run.get("summary") or {}
    events = run.get("events") or []
    parts = [
        _headline(summary),
        html_cf.counterfactuals(summary.get("counterfactuals"), events, run.get("cf_figures")),
        html_cf.attribution(summary.get("attribution"), events),
        _figures(figs),
        _events(events),
        _validation(summary.get("validation")),
        _provenance(run.get("config_text")),
        _config(run.get("config_text")),
    ]
    body = "\n".join(p for p in parts if p)
    return page(f"triad report: {summary.get('question') or 'triad run report'}",
                _header(summary, run.get("scenarios") or []) + "\n" + toc(body) + "\n" + body)

"""The report of a sweep: one self-contained HTML page (figures inline as data URIs, like
a run's report, ``sim/report/page.py``) with the figures over the swept overrides, the
effects by rung, and every job with a link to its own ``report.html``. Written next to
``sweep.parquet`` by the sweep's aggregate (``sim.sweep``); the figures are also saved as
PNG files for reuse."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Sequence

import pandas as pd

from sim.io.atomic import atomic_write_bytes
from sim.report.markup import esc, num, table
from sim.report.page import embedded_figure, page
from sim.report.sweep_axes import plotted, readable, swept_keys, value_label
from sim.report.sweep_figures import sweep_figures

if TYPE_CHECKING:
    from sim.sweep.jobs import Job
    from sim.sweep.merge import Group

CSS = "tr.failed{background:#fdd}tr.incomplete{background:#ffd}td.num{white-space:nowrap}"


def plot_sweep(frame: pd.DataFrame, fig_dir: Path) -> list[tuple[str, str, bytes]]:
    """The figures (name, caption, PNG), each also written to ``fig_dir/sweep_NAME.png``."""
    figs = sweep_figures(frame)
    for name, _, png in figs:
        atomic_write_bytes(fig_dir / f"sweep_{name}.png", png)
    return figs


def _link(sweep_dir: Path, d: Path | None, text: str) -> str:
    """A relative link to a job's (or merged group's) report when it has one, else its folder."""
    if d is None:
        return esc(text)
    rel = d.relative_to(sweep_dir).as_posix()
    target = f"{rel}/report.html" if (d / "report.html").exists() else f"{rel}/"
    return f"<a href='{esc(target)}'>{esc(text)}</a>"


def _pm(v, lo, hi) -> str:
    """An effect with its interval, or "–"."""
    if pd.isna(v):
        return "–"
    return f"{float(v):+.3f} [{float(lo):+.3f}, {float(hi):+.3f}]" if not (pd.isna(lo) or pd.isna(hi)) else num(v)


def effect_table(frame: pd.DataFrame, sweep_dir: Path) -> str:
    """One row per job × dyad: its scenario's P(at least rung k) (any act / endogenous) and,
    with a counterfactual, the paired effect on every rung and on tension and net relation."""
    df = plotted(frame)
    if df.empty:
        return ""
    num_keys, cat = swept_keys(df)
    keys = num_keys + cat
    effects = bool((df["scenario"] != "baseline").any())
    head = ["job", *(esc(readable(k).replace("\n", " ")) for k in keys), "scenario", "dyad",
            *(f"P(≥{k})<br><small>any / endogenous</small>" for k in range(1, 7))]
    if effects:
        head += [f"effect on P(≥{k})<br><small>any<br>endogenous</small>" for k in range(1, 7)]
        head += ["effect on tension at the end", "effect on net relation at the end"]
    rows = []
    for _, r in df.sort_values(["job", "dyad"], na_position="last").iterrows():
        label = f"job {int(r['job'])}" if not pd.isna(r["job"]) else str(r["job_dir"])
        d = sweep_dir / r["job_dir"] if isinstance(r["job_dir"], str) else None
        cells = [_link(sweep_dir, d, label), *(esc(value_label(k, r[k])) for k in keys), esc(r["scenario"]),
                 esc(r["dyad"])]
        cells += [f"{num(r[f'p_rung_{k}'], 2)} / {num(r[f'p_rung_{k}_endogenous'], 2)}" for k in range(1, 7)]
        if effects:
            cells += [_pm(r[f"cf_diff_p_rung_{k}"], r[f"cf_diff_p_rung_{k}_lo"], r[f"cf_diff_p_rung_{k}_hi"]) + "<br>"
                      + _pm(r[f"cf_diff_p_rung_{k}_endogenous"], r[f"cf_diff_p_rung_{k}_endogenous_lo"],
                            r[f"cf_diff_p_rung_{k}_endogenous_hi"]) for k in range(1, 7)]
            cells += [_pm(r[f"cf_diff_{v}_end"], r[f"cf_diff_{v}_end_lo"], r[f"cf_diff_{v}_end_hi"])
                      for v in ("tension", "net_relation")]
        rows.append(cells)
    n_text = 3 + len(keys)  # job, swept values, scenario, dyad: text; the rest numbers (no wrapping)
    return table(head, rows, [""] * n_text + ["num"] * (len(head) - n_text))


def write_report(sweep_dir: Path, frame: pd.DataFrame, jobs: Sequence[Job], groups: Sequence[Group], *,
                 table: Path, figures: Path, path: Path) -> Path:
    """The page ``path`` (self-contained) and its figures as PNG files in ``figures``;
    ``table`` is the sweep table it names. ``jobs`` and ``groups`` are the sweep's jobs and
    split ensembles (``sim.sweep``)."""
    figs = plot_sweep(frame, figures)
    n_bad = sum(j.status != "complete" for j in jobs)
    body = [
        f"<h1>Sweep {esc(sweep_dir.name)}</h1>",
        f"<p>{len(jobs)} job(s), {len(jobs) - n_bad} complete, {n_bad} failed or incomplete. Directory "
        f"<code>{esc(str(sweep_dir))}</code>; table <code>{esc(str(table.relative_to(sweep_dir)))}</code> (one row "
        "per job × scenario × dyad; columns in docs/outputs.md). Each figure and the table below show each job's "
        "main scenario (its counterfactual if it has one, else the baseline).</p>",
    ]
    if n_bad:
        body.append("<p><b>Failed or incomplete jobs are listed below and left out of the figures.</b></p>")
    if figs:
        body.append("<nav><b>Contents:</b> " + " · ".join(
            f"<a href='#fig-{esc(n)}'>{esc(n)}</a>" for n, _, _ in figs)
            + " · <a href='#effects'>effects by rung</a> · <a href='#jobs'>jobs</a></nav>")
    merged = "".join(
        f"<li>{esc(g.id)}: {g.chunks} chunks — "
        + (f"merged into {_link(sweep_dir, g.dir, str(g.dir.relative_to(sweep_dir)))}" if g.done
           else esc(g.note or ""))
        + f" (<code>{esc(' '.join(g.overrides))}</code>)</li>" for g in groups)
    if merged:
        body.append(f"<h2>Split ensembles</h2><ul>{merged}</ul>")
    for name, caption, png in figs:
        body.append(embedded_figure(name, png, esc(caption)))
    eff = effect_table(frame, sweep_dir)
    if eff:
        body.append("<h2 id='effects'>Escalation and effects by rung</h2><p>P(at least rung k by the end) of each "
                    "job's scenario, any act / endogenous acts only; with a counterfactual, its paired effect against "
                    "the job's baseline with 95% intervals (any act above, endogenous below), and on mean tension and net "
                    "relation at the end.</p>" + eff)
    rows = []
    for j in jobs:
        where = str(j.dir.relative_to(sweep_dir)) if j.dir else ""
        rows.append(f"<tr class='{esc(j.status)}'><td>{j.num}</td><td>{esc(j.status)}</td>"
                    f"<td><code>{esc(' '.join(j.overrides))}</code></td>"
                    f"<td>{_link(sweep_dir, j.dir, where) if j.dir else ''}</td><td>{esc(j.error or '')}</td></tr>")
    body.append("<h2 id='jobs'>Jobs</h2><table><tr><th>job</th><th>status</th><th>overrides</th>"
                "<th>report (or folder)</th><th>error</th></tr>" + "".join(rows) + "</table>")
    atomic_write_bytes(path, page("triad sweep", "\n".join(body), css_extra=CSS).encode("utf-8"))
    return path

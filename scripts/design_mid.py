"""Section 4 of scripts/design_rates.py: what MID 4.3 (Correlates of War) says about
hostility levels, reciprocation, reply delays and reply levels (docs/design/escalation.md).

DIR holds MIDA.csv, MIDB.csv (dispute and participant level) and MIDIP.dta (incident
participants), MID 4.3 as distributed by the Correlates of War project; here read from the
git blobs of GitHub brickleq/CoW at commit 00a2e67 ("Resources/MID 4.3/").
"""
from __future__ import annotations

import csv
from pathlib import Path

import numpy as np


def section_mid(mid: Path) -> None:
    print("\n## 4. MID 4.3 (Correlates of War)\n")
    A = list(csv.DictReader(open(mid / "MIDA.csv")))
    hl = np.array([int(r["hostlev"]) for r in A])
    yr = np.array([int(r["styear"]) for r in A])
    rec = np.array([int(r["recip"]) for r in A])
    for lo, label in ((1816, "1816-2010"), (1946, "1946-2010"), (1993, "1993-2010")):
        s = yr >= lo
        sh = {k: np.mean(hl[s] == k) for k in (2, 3, 4, 5)}
        print(f"  {label}: {s.sum()} MIDs; highest hostility threat {sh[2]:.1%}, display {sh[3]:.1%}, "
              f"use {sh[4]:.1%}, war {sh[5]:.1%}; reciprocated {rec[s].mean():.1%}")
    B = list(csv.DictReader(open(mid / "MIDB.csv")))
    by = {}
    for r in B:
        by.setdefault(r["dispnum3"], []).append(r)
    for c1, c2, name in ((666, 630, "ISR-IRN"), (373, 630, "AZE-IRN"), (373, 666, "AZE-ISR")):
        hits = []
        for rs in by.values():
            cc = {int(r["ccode"]): r for r in rs}
            if c1 in cc and c2 in cc and cc[c1]["sidea"] != cc[c2]["sidea"]:
                hits.append((int(cc[c1]["styear"]), {cc[c1]["stabb"]: cc[c1]["hostlev"], cc[c2]["stabb"]: cc[c2]["hostlev"]}))
        print(f"  {name}: {len(hits)} MIDs {sorted(hits)}")
    try:
        import pandas as pd
    except ImportError:
        return
    P = pd.read_stata(mid / "MIDIP.dta")
    P = P[(P.stday > 0) & (P.stmon > 0)]
    P["date"] = pd.to_datetime(dict(year=P.styear, month=P.stmon, day=P.stday), errors="coerce")
    act = P.dropna(subset=["date"])
    act = act[act.hostlev >= 2]
    out = []
    for _, g in act.groupby("dispnum3"):
        ga, gb = g[g.sidea == 1], g[g.sidea == 0]
        a = ga.date.min()
        ha = ga[ga.date == a].hostlev.max()
        b = gb.date.min() if len(gb) else pd.NaT
        hb = gb[gb.date == b].hostlev.max() if len(gb) else np.nan
        out.append((a, ha, b, hb))
    df = pd.DataFrame(out, columns=["a", "ha", "b", "hb"])
    df["delay"] = (df.b - df.a).dt.days
    first = df[(df.delay > 0) | df.b.isna()]
    print(f"  incidents 1992-2010: {len(df)} disputes with dated acts; side B acts in {df.b.notna().mean():.1%};"
          f" same day as A {np.mean(df.delay == 0):.1%}")
    print(f"  A acted first and B had not acted ({len(first)} disputes): B's first act within"
          + ", ".join(f" {t} d {np.mean(first.delay <= t):.3f}" for t in (7, 30, 90, 365)))
    d = first.delay.dropna()
    print(f"  reply delays: quartiles {np.percentile(d, [25, 50, 75]).round(1).tolist()} days, mean {d.mean():.0f}")
    for h_a, g in first.groupby("ha"):
        lv = g.hb.value_counts().sort_index().to_dict()
        print(f"  A's level {int(h_a)}: n {len(g)}, replied {g.delay.notna().mean():.3f} "
              f"(within 30 d {np.mean(g.delay <= 30):.3f}); reply levels {lv}")

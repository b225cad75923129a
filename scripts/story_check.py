"""Print the narrative facts, GDELT agreement and escalation numbers of a config (for calibration).

Usage: python scripts/story_check.py [hydra overrides...]
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from conftest import plain_cfg  # noqa: E402
from sim.config.build import build_settings  # noqa: E402
from sim.engine.settings import Scenario  # noqa: E402
from sim.runs import story, summary, validation  # noqa: E402
from sim.runs.ensemble import run_ensemble  # noqa: E402

cfg = plain_cfg(["ensemble.replicates=400", "record.replicates=0", *sys.argv[1:]])
s = build_settings(cfg)
st = run_ensemble(s, [Scenario("baseline", s.events)])[0]["baseline"].stats
f = story.facts(st, s.start)
for k, v in f.items():
    print(f"{k:40s} {v:.3f}")
for k, v in story.holds(f).items():
    print(f"{k:40s} {'OK' if v else 'FAIL'}")
v = validation.validation(st, s.dates, s.actors)
print("GDELT sign agreement", v["overall_sign_agreement"], {k: (d["sign_agreement"], d["spearman"]) for k, d in v["dyads"].items()})
for d, row in validation.model_monthly_net(st, s.dates, s.actors).loc["2022-09":"2023-06"].iterrows():
    print(d, " ".join(f"{c}:{x:+.3f}" for c, x in row.items()))
sc = summary.scenario_summary(st, s.actors)
for dy, e in sc.items():
    print(dy, " ".join(f"r{k}:{e['p_rung_at_least'][k]['p']:.2f}" for k in "123456"), "tension_end", e["tension_end"])

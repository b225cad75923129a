"""Run every case of the bad-input catalogue and write docs/bad-input.md with what the user sees.

Usage: python scripts/bad_input_catalogue.py   (tests/test_bad_input.py checks each case)
"""
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from bad_input_cases import CASES  # noqa: E402
from test_bad_input import run_case  # noqa: E402

rows = []
for cid, what, overrides, files, needle in CASES:
    with tempfile.TemporaryDirectory() as tmp:
        proc, out, _ = run_case(Path(tmp), overrides, files, needle)
    msg = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    msg = msg.replace(tmp, "<tmp>")
    shown = " ".join(overrides).replace("{tmp}", "<tmp>").replace("{experiment}", "<your experiment>")
    extra = "; file: " + ", ".join(f"`{k}`" for k in files) if files else ""
    rows.append(f"| `{cid}` | {what} | `triad {shown}`{extra} | {proc.returncode} | `{msg.replace('|', '/')}` |")
    print(cid, proc.returncode, file=sys.stderr)

doc = ROOT / "docs" / "bad-input.md"
doc.write_text("""# Bad input: what the user sees

Every case below was run with `triad` (`python -m sim`) by `scripts/bad_input_catalogue.py`,
and each has a test in `tests/test_bad_input.py` that checks the exit code (2), that the
message names the key or file, that no Python traceback is printed, that nothing is
printed on standard output, and that the output directory holds no `manifest.json` (the
mark of a complete run) and no statistics.

How errors are caught:

- **Before Hydra runs** (single runs): `sim/__main__.py` composes the config as Hydra will
  and tries the output directory, so a typo in a key, an unknown config option, a YAML
  syntax error in an experiment or an output directory that cannot be created is one line.
- **Types and unknown keys**: the structured schema (`sim/schema.py`) names the full key.
- **Ranges, enums, actor codes, pair keys, dates, event fields, ops**: `sim/config.py`,
  `sim/events.py`, `sim/counterfactual.py`, `sim/app.py`, each message naming the key (or
  file and event) and what is allowed.
- **Memory**: a run that would need more than 80 % of the machine's memory is refused before
  anything is allocated, with the estimate by part.
- **Writing**: outputs are written to a temporary name and renamed (`sim/outputs.py`), the
  manifest last; a full disk or a permission error is `OutputError`, one line, exit 2.
  A killed run leaves no file under a final name that looks complete
  (`tests/test_faults.py`).
- **Sweeps**: in a multirun a failing job does not stop the others; it writes `error.json`
  and is listed as failed by the sweep aggregate (`sim/sweep.py`).

| case | what the user did | command | exit | what the user sees (last line of stderr) |
|---|---|---|---|---|
""" + "\n".join(rows) + "\n", "utf-8")
print(f"wrote {doc}", file=sys.stderr)

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
for cid, what, overrides, files, needle, *setup in CASES:
    with tempfile.TemporaryDirectory() as tmp:
        proc, out, _ = run_case(Path(tmp), overrides, files, needle, *setup)
    msg = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ""
    msg = msg.replace(tmp, "<tmp>")
    shown = (" ".join(overrides).replace("{tmp}", "<tmp>").replace("{experiment}", "<your experiment>")
             .replace("{conf}", "<conf>"))
    extra = "; file: " + ", ".join(f"`{k}`" for k in files) if files else ""
    extra += f"; the output directory starts {setup[0].replace('_', ' ')}" if setup else ""
    rows.append(f"| `{cid}` | {what} | `triad {shown}`{extra} | {proc.returncode} | `{msg.replace('|', '/')}` |")
    print(cid, proc.returncode, file=sys.stderr)

doc = ROOT / "docs" / "bad-input.md"
doc.write_text("""# Bad input: what the user sees

Every case below was run with `triad` (`python -m sim`) by `scripts/bad_input_catalogue.py`,
and each has a test in `tests/test_bad_input.py` that checks the exit code (2), that the
message names the key or file, that no Python traceback is printed, that nothing is
printed on standard output, and that the output directory holds no `manifest.json` (the
mark of a complete run) and no statistics (or, where it held a complete run before, that
this run is untouched and still verifies).

How errors are caught:

- **The trust boundary** (`sim/config/trust.py`): every config Hydra composes, whatever the
  flags (`-cd`, `--cfg`, `--info`, `-m`…), is checked before Hydra configures logging or
  instantiates anything: no `_target_`, `class`, `()` or `filename` outside the package's own
  allow-list, no `hydra.job.env_set`, no `${oc.env:…}`.
- **Files before parsing** (`sim/config/safeyaml.py`): events files, experiments and user
  search-path configs are read only if regular, under 1 MB, UTF-8 without NUL, and YAML within
  an alias budget, a depth limit and a cap on the expanded size.
- **The pre-check** (`sim/config/precheck.py`): every job a command would run (every value of
  every swept key) is composed as Hydra will and validated as the run will, its output
  directory tried: refused inside the package or the project's source folders, while another
  run holds its lock, or when it holds another config's complete outputs; a run estimated to
  take longer than `ensemble.max_hours` is refused with the estimate.
- **Types and unknown keys**: the structured schema (`sim/config/schema.py`), with did-you-mean
  suggestions and the valid keys (`sim/config/suggest.py`).
- **Ranges, enums, actor codes, pair keys, dates, event fields, ops**: `sim/config/` (the
  parameter table `sim/params.py` holds every model parameter's range); dates inside the
  supported calendar 1900-01-01 .. 2199-12-31.
- **Memory**: a run that would need more than 80 % of the machine's memory is refused before
  anything is allocated, with the estimate by part.
- **Writing** (`sim/io/`): outputs are written to a temporary name and renamed; the report,
  then the manifest last, listing every file with its size and SHA-256; a full disk or a
  permission error is one line, exit 2. A killed run leaves nothing that looks complete, and
  resume and `triad-report` verify the hashes (`tests/test_hardening.py`).
- **Sweeps**: a job that fails at run time writes `error.json`; a job whose worker dies is
  marked failed with the cause; the others' results are kept and aggregated.

| case | what the user did | command | exit | what the user sees (last line of stderr) |
|---|---|---|---|---|
""" + "\n".join(rows) + "\n", "utf-8")
print(f"wrote {doc}", file=sys.stderr)

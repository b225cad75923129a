"""The explorer's scenario: what the controls hold, as plain data, and what it becomes —
a plain config for the engine and an experiment YAML for the command line.

No Solara here: the app (``sim/ui/app.py``) only edits a ``Scenario``. Slider knobs are
rows of the parameter table (``sim/params.py``): unit, allowed range, default and meaning
come from there; ``MAIN`` only names which rows get a slider without asking. Event switches
come from the timeline the config loader built (``conf/events/article.yaml``).

Parameter changes are either overrides of the world both runs share (the factual and the
counterfactual), or, with ``params_in_counterfactual``, ``set`` ops of the counterfactual
only. Event switches are always ops of the counterfactual: remove (with the events
anchored to it), shift by days, scale the impulses.
"""
from __future__ import annotations

import copy
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Sequence

from sim import params
from sim.config.spec import RunSpec
from sim.engine.events import Event, dependents

# rows of the parameter table that get a slider from the start (every other row can be added)
MAIN = ("dynamics.reaction", "dynamics.restraint", "dynamics.impulse.hostility", "dynamics.impulse.cooperation",
        "dynamics.noise.hostility", "decisions.memory.half_life_days", "actors.X.capability")
SPAN = 4.0  # a slider reaches this many times the default (within the table's allowed range)
SHIFT_DAYS = 180  # an event can move this many days either way
SCALE_MAX = 3.0
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


@dataclass(frozen=True)
class Knob:
    """One slider: a value of one row of the parameter table."""

    entry: str  # dotted key of the value (dynamics.reaction.IRN)
    row: params.Param
    key: str | None  # actor, pair or rung key (None: a scalar)
    value: float  # in the composed config
    lo: float  # slider span: the table's range, cut to [0, SPAN x default] when it is much wider
    hi: float
    step: float

    @property
    def label(self) -> str:
        name = self.row.path.split(".", 1)[1].replace("X.", "")  # without the group: reaction, capability
        return f"{name} {self.key}" if self.key else name

    @property
    def help(self) -> str:
        return (f"{self.entry} [{self.row.unit}]: {self.row.meaning}. Default {self.value:g}; allowed "
                f"[{self.row.lo:g}, {self.row.hi:g}]")


def _step(span: float) -> float:
    raw = span / 200
    return 10 ** math.floor(math.log10(raw)) if raw > 0 else 0.01


def knob(spec: RunSpec, entry: str) -> Knob:
    """The slider of one value of the parameter table (``ValueError`` if not a row's entry)."""
    hit = params.lookup(entry, spec.settings.actors)
    if hit is None:
        raise ValueError(f"{entry}: not a value of the parameter table (sim/params.py)")
    row, key = hit
    value = spec.parameter(entry)
    lo, hi = float(row.lo), float(row.hi)
    top = SPAN * max(abs(value), 1e-12)
    if value != 0 and hi - max(lo, 0.0) > 2 * top:  # a rate of 0.01/day on a [0, 1] slider is unusable
        lo, hi = max(lo, 0.0 if value > 0 else -top), min(hi, top)
    step = _step(hi - lo)
    return Knob(entry, row, key, value, lo, hi, step)


def main_knobs(spec: RunSpec) -> list[Knob]:
    return [knob(spec, e) for path in MAIN for e in params.BY_PATH[path].entries(spec.settings.actors)]


def all_entries(spec: RunSpec) -> list[str]:
    """Every value a slider may be added for: the settable rows of the table."""
    return [e for p in params.PARAMS if p.settable for e in p.entries(spec.settings.actors)]


@dataclass(frozen=True)
class EventChoice:
    """What the counterfactual does to one event (the defaults: nothing)."""

    keep: bool = True
    shift: int = 0  # days
    scale: float = 1.0

    @property
    def changed(self) -> bool:
        return not self.keep or self.shift != 0 or self.scale != 1.0


@dataclass(frozen=True)
class Scenario:
    values: Mapping[str, float] = field(default_factory=dict)  # entry -> value, only the changed ones
    events: Mapping[str, EventChoice] = field(default_factory=dict)
    replicates: int = 200
    seed: int = 0
    params_in_counterfactual: bool = False  # parameter changes as `set` ops of the counterfactual only
    name: str = "explorer"

    def ops(self, timeline: Sequence[Event]) -> list[dict]:
        """The counterfactual ops, in timeline order: scale and shift first, then removals, so
        a change to an event that a removal cascades over is harmless."""
        out: list[dict] = []
        for ev in timeline:
            c = self.events.get(ev.id)
            if c is None or not c.keep:
                continue
            if c.scale != 1.0:
                out.append({"scale": {"event": ev.id, "factor": float(c.scale)}})
            if c.shift:
                out.append({"shift": {"event": ev.id, "days": int(c.shift)}})
        gone: set[str] = set()
        for ev in timeline:  # an event anchored to a removed one goes with it (cascade): no second op (M24)
            if ev.id in self.events and not self.events[ev.id].keep and ev.id not in gone:
                out.append({"remove": {"event": ev.id, "cascade": True}})
                gone |= {ev.id, *dependents(list(timeline), ev.id)}
        if self.params_in_counterfactual:
            out += [{"set": {"param": k, "value": float(v)}} for k, v in sorted(self.values.items())]
        return out

    def removed_with_anchor(self, timeline: Sequence[Event]) -> dict[str, str]:
        """Events removed because an event they are anchored to (directly or not) is removed:
        id -> the removed anchor. The explorer shows them unticked."""
        from sim.engine.events import dependents

        out: dict[str, str] = {}
        for ev in timeline:
            c = self.events.get(ev.id)
            if c is not None and not c.keep:
                for dep in dependents(timeline, ev.id):
                    out.setdefault(dep, ev.id)
        return out

    def overrides(self) -> dict[str, float]:
        return {} if self.params_in_counterfactual else dict(sorted(self.values.items()))

    def question(self, timeline: Sequence[Event]) -> str:
        """A one-line description of the counterfactual, for the answer sentence and the YAML."""
        parts = []
        for op in self.ops(timeline):
            (kind, body), = op.items()
            if kind == "remove":
                parts.append(f"without {body['event']}")
            elif kind == "shift":
                parts.append(f"{body['event']} moved {body['days']:+d} days")
            elif kind == "scale":
                parts.append(f"{body['event']} at {body['factor']:g}x")
            else:
                parts.append(f"{body['param']} = {body['value']:g}")
        return "What if: " + "; ".join(parts) + "?" if parts else "No counterfactual change."


def _set(tree: dict, entry: str, value: Any) -> None:
    *head, last = entry.split(".")
    node = tree
    for part in head:
        node = node.setdefault(part, {})
    node[last] = value


def to_plain(base: Mapping[str, Any], sc: Scenario, timeline: Sequence[Event]) -> dict:
    """The plain config of the scenario: ``base`` (validated) with the overrides, the ensemble
    size and seed, and the counterfactual; nothing recorded whole (the app needs statistics)."""
    plain = copy.deepcopy(dict(base))
    for entry, v in sc.overrides().items():
        _set(plain, entry, float(v))
    plain["ensemble"]["replicates"] = int(sc.replicates)
    plain["ensemble"]["seed"] = int(sc.seed)
    plain["record"]["replicates"] = 0
    ops = sc.ops(timeline)
    cf = plain["counterfactual"]
    cf.update(name=sc.name if ops else "none", question=sc.question(timeline) if ops else None, ops=ops,
              leave_one_out=False)
    return plain


def experiment(sc: Scenario, timeline: Sequence[Event], created: str = "") -> dict:
    """The experiment file's content: a ``# @package _global_`` delta of the default config."""
    tree: dict[str, Any] = {}
    ops = sc.ops(timeline)
    q = sc.question(timeline)
    tree["question"] = q
    for entry, v in sc.overrides().items():
        _set(tree, entry, float(v))
    tree["ensemble"] = {"replicates": int(sc.replicates), "seed": int(sc.seed)}
    if ops:
        tree["counterfactual"] = {"name": sc.name, "question": q, "ops": ops}
    return tree


def experiment_yaml(sc: Scenario, timeline: Sequence[Event]) -> str:
    import yaml

    body = yaml.safe_dump(experiment(sc, timeline), sort_keys=False, allow_unicode=True, width=100)
    stamp = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    return (f"# @package _global_\n# saved by triad-explore on {stamp}; run it with\n"
            f"#   triad --config-dir DIR experiment={sc.name}\n# where DIR holds experiment/{sc.name}.yaml\n" + body)


class SaveError(ValueError):
    """The scenario cannot be saved there (one line for the user)."""


def save(sc: Scenario, timeline: Sequence[Event], directory: str | Path) -> Path:
    """Write ``DIR/experiment/NAME.yaml`` (the layout ``triad --config-dir DIR experiment=NAME``
    reads), atomically; an existing file of that name is not overwritten."""
    from sim.config.locate import experiments_dir
    from sim.io.atomic import OutputError, atomic_write_bytes
    from sim.io.places import forbidden_output_dir
    from sim.ui import options

    if not NAME.match(sc.name) or sc.name in ("none", "baseline"):
        raise SaveError(f"name {sc.name!r}: letters, digits and _ only, starting with a letter (not none/baseline)")
    builtin = sorted(p.stem for p in experiments_dir().glob("*.yaml"))
    if sc.name in builtin:  # Hydra would validate it against the built-in of that name (M7)
        raise SaveError(f"name {sc.name!r} is a built-in experiment's; choose another name")
    d = Path(directory).expanduser()
    allowed = Path(options.save_dir()).resolve()
    if not d.is_dir():
        raise SaveError(f"{str(d)!r} is not a directory")
    if d.resolve() != allowed:  # a page may not choose where files go (H6)
        raise SaveError(f"{str(d)!r}: the explorer saves only into {str(allowed)!r} (triad-explore --save-dir)")
    forbidden = forbidden_output_dir(d / "experiment")
    if forbidden:
        raise SaveError(forbidden)
    path = d / "experiment" / f"{sc.name}.yaml"
    if (d / "experiment").is_symlink() or path.is_symlink():
        raise SaveError(f"{path.parent} is a symbolic link; the explorer does not write through links")
    if path.exists():
        raise SaveError(f"{path} exists; choose another name")
    try:
        atomic_write_bytes(path, experiment_yaml(sc, timeline).encode("utf-8"))
    except OutputError as exc:
        raise SaveError(str(exc)) from None
    return path

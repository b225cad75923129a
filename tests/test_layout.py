"""The package's shape: no import cycles, small modules, an engine without IO or Hydra."""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIM = ROOT / "sim"
MAX_LINES = 400


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
        isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Modules of sim/ that ``path`` imports at run time (TYPE_CHECKING blocks excluded),
    including imports inside functions: a lazy import still closes a cycle."""
    tree = ast.parse(path.read_text("utf-8"))
    me = _module(path)
    pkg = me if path.name == "__init__.py" else me.rpartition(".")[0]
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and _type_checking(node)
            for b in node.body for n in ast.walk(b)}
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = pkg.split(".")[: len(pkg.split(".")) - (node.level - 1)]
                base = ".".join(up + ([base] if base else []))
            # `from pkg import mod` imports pkg.mod; `from mod import name` imports mod
            names = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
        else:
            continue
        for n in names:
            while n and n not in modules:
                n = n.rpartition(".")[0]
            if n and n != me and n.startswith("sim"):
                out.add(n)
    return out


def graph() -> dict[str, set[str]]:
    files = sorted(SIM.rglob("*.py"))
    modules = {_module(p) for p in files}
    g = {}
    for p in files:
        m = _module(p)
        # importing a.b.c runs a/__init__ and a/b/__init__ first: parents are not edges of
        # their own, so a package may re-export its children without closing a cycle
        g[m] = {n for n in _imports(p, modules) if not m.startswith(n + ".")}
    return g


def find_cycle(g: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(g.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state:
                found = visit(m)
                if found:
                    return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(g):
        if n not in state:
            found = visit(n)
            if found:
                return found
    return None


def test_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None


def test_import_graph_of_sim_has_no_cycle():
    g = graph()
    assert len(g) > 30
    assert "sim.engine.model" in g["sim.runs.ensemble"]
    assert find_cycle(g) is None, " -> ".join(find_cycle(g))


def test_no_module_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in SIM.rglob("*.py")
            if (n := len(p.read_text("utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_engine_has_no_io_pandas_or_hydra():
    for p in (SIM / "engine").rglob("*.py"):
        tree = ast.parse(p.read_text("utf-8"))
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        names |= {(n.module or "").split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and not n.level}
        assert not names & {"pandas", "hydra", "omegaconf", "yaml", "matplotlib", "pyarrow"}, p
        assert not {m for m in _imports(p, {_module(q) for q in SIM.rglob("*.py")})
                    if not m.startswith(("sim.engine", "sim.errors", "sim.params"))}, p


def test_importing_sim_has_no_side_effects(tmp_path):
    """Importing every module of the package chooses no matplotlib backend, touches no umask,
    tunes no allocator and leaves the multiprocessing start method unchosen (Mesa 3.3 sets
    "spawn" when imported; sim.engine.mesa_compat puts it back): a library must not change
    the process that imports it."""
    import subprocess
    import sys

    code = (
        "import importlib, multiprocessing, os, pkgutil, matplotlib\n"
        "mask = os.umask(0o022); os.umask(mask)\n"
        "assert multiprocessing.get_start_method(allow_none=True) is None\n"
        "import sim\n"
        "mods = [m.name for m in pkgutil.walk_packages(sim.__path__, 'sim.') if not m.name.endswith('__main__')]\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "    assert multiprocessing.get_start_method(allow_none=True) is None, (m, multiprocessing.get_start_method())\n"
        "assert matplotlib.rcParams._get_backend_or_none() is None, matplotlib.get_backend()\n"
        "m2 = os.umask(0o022); os.umask(m2); assert m2 == mask\n"
        "print(len(mods))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert int(proc.stdout) > 40

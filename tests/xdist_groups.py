"""Which tests share a pytest-xdist worker (``make test``: ``-n auto --dist loadgroup``).

xdist's own ``loadgroup`` reads ``xdist_group`` marks by rewriting ``item._nodeid``, which
pytest 9.2 no longer reads (``Node.nodeid`` is ``str(item._id)``): every mark is silently
ignored, a file's tests are spread over the workers and each worker builds the file's
module-scoped runs again. ``FileGroups`` groups by node id instead, which works with every
pytest:

- a file's tests stay together (they share module fixtures: a run, a sweep, a wheel), one
  after another on one worker;
- except the files of ``SPREAD``, whose tests share nothing and go one by one;
- a test whose parameter id ends in ``@NAME``, and every test of a file listed in
  ``GROUPS``, join group NAME wherever they are (``experiments_dir``: the tests that list
  ``experiments/`` and the bad-input cases that write an experiment into it).
"""
from __future__ import annotations

SPREAD = {"test_bad_input.py"}
GROUPS = {"test_catalog.py": "experiments_dir", "test_wheel.py": "experiments_dir"}


def group_of(nodeid: str) -> str:
    path, _, rest = nodeid.partition("::")
    name = path.rsplit("/", 1)[-1]
    params = rest.partition("[")[2].removesuffix("]")
    if "@" in params:
        return params.rsplit("@", 1)[1]
    if name in GROUPS:
        return GROUPS[name]
    return nodeid if name in SPREAD else path


def make_scheduler(config, log):
    from xdist.scheduler import LoadScopeScheduling

    class FileGroups(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return group_of(nodeid)

    return FileGroups(config, log)

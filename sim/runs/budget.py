"""How much memory a run may use (``check_memory``)."""
from __future__ import annotations

import os


def memory_budget() -> tuple[float, str]:
    """(bytes a run may use, what limits it): 80 % of physical memory, or of what is left
    under the process's address-space limit (``ulimit -v``: M19), whichever is smaller."""
    try:
        page = os.sysconf("SC_PAGE_SIZE")
        budget, what = 0.8 * page * os.sysconf("SC_PHYS_PAGES"), "80 % of this machine's memory"
    except (ValueError, OSError, AttributeError):
        return 8e9, "an assumed 8 GB"
    import resource

    soft = resource.getrlimit(resource.RLIMIT_AS)[0]
    if soft != resource.RLIM_INFINITY:
        try:
            with open("/proc/self/statm") as fh:
                used = int(fh.read().split()[0]) * page
        except (OSError, ValueError, IndexError):
            used = 0
        left = 0.8 * max(0, soft - used)
        if left < budget:
            budget, what = left, f"80 % of what is left under the address-space limit (ulimit -v {soft // 1024})"
    return budget, what

"""What the scale benchmark reads about processes: sizes on disk, RSS/PSS and CPU from /proc, and
children timed with wait4 (wall, CPU of the child and its reaped descendants, peak RSS)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def folder_bytes(folder: Path) -> int:
    """Return the total size of the files under a folder."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _stat_fields(pid: int) -> list[str] | None:
    """Return /proc/<pid>/stat's fields after the command name, or None when the process is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def process_table() -> dict[int, list[str]]:
    """Return the stat fields of every live process, by pid."""
    table: dict[int, list[str]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (fields := _stat_fields(int(entry))) is not None:
            table[int(entry)] = fields
    return table


def children_of(pid: int) -> list[int]:
    """Return the pids of a process's direct children."""
    # Field 4 of stat is the parent pid; index 1 once the pid and name are cut off.
    return sorted(child for child, fields in process_table().items() if int(fields[1]) == pid)


def tree_rss(root: int) -> int:
    """Return the summed RSS (bytes) of a process and all its descendants."""
    table = process_table()
    children: dict[int, list[int]] = {}
    for pid, fields in table.items():
        children.setdefault(int(fields[1]), []).append(pid)
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        if pid in table:
            total += int(table[pid][21]) * PAGE_SIZE
        stack.extend(children.get(pid, []))
    return total


def cpu_seconds(pid: int) -> float:
    """Return a live process's own user+system CPU seconds so far (0.0 when it is gone)."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else 0.0


def memory_mib(pid: int) -> dict[str, int]:
    """Return a process's RSS, peak RSS and PSS in MiB (PSS splits shared pages among sharers)."""
    values: dict[str, int] = {}
    for name in ("status", "smaps_rollup"):
        try:
            lines = Path(f"/proc/{pid}/{name}").read_text().splitlines()
        except OSError:
            continue
        for line in lines:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "Pss") and rest.split():
                values[key] = round(int(rest.split()[0]) / 1024)
    return {
        "rss_mib": values.get("VmRSS", 0),
        "hwm_mib": values.get("VmHWM", 0),
        "pss_mib": values.get("Pss", 0),
    }


def own_rss() -> dict[str, int]:
    """Return this process's current and peak RSS in KiB."""
    status = Path("/proc/self/status").read_text().splitlines()
    values = {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith("Vm")}
    return {"rss_kib": values["VmRSS"], "hwm_kib": values["VmHWM"]}


def load_average() -> float:
    """Return the 1-minute load average, rounded."""
    return round(os.getloadavg()[0], 1)


@dataclass
class ChildRun:
    """What wait4 says about a finished child: wall and CPU seconds, peak RSS, exit code."""

    wall_s: float
    cpu_s: float
    peak_rss_mib: int
    returncode: int


def wait_timed(child: subprocess.Popen[bytes], started: float) -> ChildRun:
    """Reap a child with wait4 and return its figures (CPU includes the children it reaped)."""
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    return ChildRun(
        wall_s=time.perf_counter() - started,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=round(usage.ru_maxrss / 1024),
        returncode=child.returncode,
    )


def run_timed(command: list[str], cwd: Path, stdout: Path, stderr: Path) -> ChildRun:
    """Run a command to completion, its output in files, and return its wait4 figures."""
    with stdout.open("w") as out, stderr.open("w") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err)
        return wait_timed(child, started)

"""Index generations on disk: one complete folder per build, switched in by one atomic rename."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from kb.index.checkpoints import checkpoint

CURRENT_FILE = "CURRENT"
WHOOSH_DIR = "whoosh"  # a generation's search index; its page store is store.STORE_FILE
LOCK_FILE = ".lock"
_GEN = re.compile(r"^gen-(\d{6,})$")
KEEP_PREVIOUS = 1  # readers that opened the previous generation a moment ago keep working


class IndexBusy(Exception):
    """Another writer holds the index lock."""


class NoIndex(Exception):
    """The index folder holds no complete generation yet."""


def generation_name(number: int) -> str:
    """Return the folder name of generation number n."""
    return f"gen-{number:06d}"


def current_generation(index_dir: Path) -> Path:
    """Return the folder of the generation being served, or raise NoIndex."""
    try:
        name = (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError as exc:
        raise NoIndex(f"no index in {index_dir}: run `kb index SITE_ROOT` first") from exc
    folder = index_dir / name
    if not _GEN.match(name) or not folder.is_dir():
        raise NoIndex(f"{index_dir / CURRENT_FILE} names {name!r}, which is not a generation")
    return folder


def generation_number(folder: Path) -> int:
    """Return the number in a generation folder's name."""
    match = _GEN.match(folder.name)
    return int(match.group(1)) if match else 0


def _numbers(index_dir: Path) -> list[int]:
    """Return the numbers of every generation folder, finished or not."""
    found = []
    for entry in index_dir.iterdir() if index_dir.is_dir() else ():
        match = _GEN.match(entry.name.removesuffix(".tmp"))
        if match:
            found.append(int(match.group(1)))
    return sorted(found)


@contextlib.contextmanager
def writer_lock(index_dir: Path) -> Iterator[None]:
    """Hold the single-writer lock of an index folder, or raise IndexBusy naming the holder."""
    index_dir.mkdir(parents=True, exist_ok=True)
    lock_path = index_dir / LOCK_FILE
    handle = open(lock_path, "a+", encoding="utf-8")  # noqa: SIM115 - held for the block
    try:
        try:
            # A POSIX record lock belongs to this process alone: forked parse workers don't
            # inherit it, and it is released the moment this process dies, even by kill -9.
            fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise IndexBusy(
                f"another `kb index` is writing {index_dir} ({holder}); wait for it to finish"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        yield
    finally:
        handle.close()


def clean_leftovers(index_dir: Path) -> list[str]:
    """Remove unfinished and superseded generations (call with the lock held)."""
    removed: list[str] = []
    try:
        keep = current_generation(index_dir).name
    except NoIndex:
        keep = ""
    finished = sorted(
        (p for p in index_dir.iterdir() if _GEN.match(p.name) and p.name != keep),
        key=generation_number,
    )
    older = [p for p in finished if generation_number(p) < generation_number(index_dir / keep)]
    doomed = [p for p in index_dir.iterdir() if p.name.endswith(".tmp") and p.is_dir()]
    doomed += [p for p in finished if p not in older]  # built but never switched in
    doomed += older[: max(0, len(older) - KEEP_PREVIOUS)]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    with contextlib.suppress(FileNotFoundError):
        (index_dir / (CURRENT_FILE + ".tmp")).unlink()
    return removed


def new_generation_folder(index_dir: Path) -> Path:
    """Create the temporary folder the next generation is built in."""
    numbers = _numbers(index_dir)
    folder = index_dir / (generation_name((numbers[-1] if numbers else 0) + 1) + ".tmp")
    folder.mkdir(parents=True)
    return folder


def _fsync_tree(folder: Path, durable: frozenset[str] = frozenset()) -> None:
    """Flush every file of a folder (but those already durable) and the folder itself to disk."""
    for path in folder.rglob("*"):
        if path.is_file() and path.relative_to(folder).as_posix() not in durable:
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def file_checksums(folder: Path, known: dict[str, str] | None = None) -> dict[str, str]:
    """Return the SHA-256 of every file in a generation folder but its manifest, by relative path.

    Files named in `known` (hard links to the previous generation's) keep the sum recorded there:
    an incremental build then reads only what it wrote.
    """
    known = known or {}
    sums = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if name in known:
            sums[name] = known[name]
        elif path.is_file() and path.name != "manifest.json":
            with open(path, "rb") as handle:
                sums[name] = hashlib.file_digest(handle, "sha256").hexdigest()
    return sums


def shared_files(folder: Path, previous: Path | None) -> dict[str, str]:
    """Return the files a folder shares (hard links) with the previous generation, and their sums.

    A file is matched by identity, not name: the previous generation's full page store is
    linked in under another name (the new generation's base).
    """
    recorded = read_manifest(previous).get("checksums") if previous is not None else None
    if previous is None or not isinstance(recorded, dict):
        return {}
    sums: dict[tuple[int, int], str] = {}
    for name, digest in recorded.items():
        with contextlib.suppress(OSError):
            info = os.stat(previous / name)
            sums[(info.st_dev, info.st_ino)] = digest
    shared = {}
    for path in folder.rglob("*"):
        info = path.stat()
        if path.is_file() and (info.st_dev, info.st_ino) in sums:
            shared[path.relative_to(folder).as_posix()] = sums[(info.st_dev, info.st_ino)]
    return shared


def file_stats(folder: Path) -> dict[str, list[int]]:
    """Return the [size, mtime_ns] of every file in a generation folder but its manifest."""
    return {
        path.relative_to(folder).as_posix(): [info.st_size, info.st_mtime_ns]
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "manifest.json" and (info := path.stat())
    }


def link_tree(source: Path, target: Path) -> None:
    """Recreate a folder with hard links to its files (copies where links cannot be made).

    Sound because nothing rewrites a file of a published generation in place: Whoosh writes
    new segments and a new table of contents under new names, and the page store's base is only
    read (kb.index.delta).
    """
    for folder, _dirs, files in os.walk(source):
        into = target / Path(folder).relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in files:
            try:
                os.link(Path(folder) / name, into / name)
            except OSError:
                shutil.copy2(Path(folder) / name, into / name)


def damage(folder: Path, under: str = "") -> str | None:
    """Say what in a generation no longer matches its manifest's checksums (None when intact).

    Only the file `under` or the files below it are checked; a generation published without
    checksums passes.
    """
    recorded = read_manifest(folder).get("checksums")
    if not isinstance(recorded, dict):
        return None
    for name, digest in sorted(recorded.items()):
        if not _is_under(name, under):
            continue
        try:
            with open(folder / name, "rb") as handle:
                actual = hashlib.file_digest(handle, "sha256").hexdigest()
        except OSError as exc:
            return f"{name} cannot be read ({exc.strerror or exc})"
        if actual != digest:
            return f"{name} is damaged (its checksum no longer matches)"
    return None


def changed_since_published(folder: Path, under: str = "") -> str | None:
    """Say which file of a generation no longer has the size and mtime it was published with.

    A cheap check (one stat per file) that catches a truncated, replaced or rewritten file; a
    flipped bit behind an unchanged mtime needs damage(). A generation published before sizes
    were recorded gets the full damage() check. Only the file `under` or those below it are
    checked.
    """
    recorded = read_manifest(folder).get("stats")
    if not isinstance(recorded, dict):
        return damage(folder, under)
    for name, (size, mtime_ns) in sorted(recorded.items()):
        if not _is_under(name, under):
            continue
        try:
            info = os.stat(folder / name)
        except OSError as exc:
            return f"{name} cannot be read ({exc.strerror or exc})"
        if (info.st_size, info.st_mtime_ns) != (size, mtime_ns):
            return f"{name} is damaged (changed since it was published)"
    return None


def _is_under(name: str, under: str) -> bool:
    """Tell whether a generation's file is `under` or below it (every file for "")."""
    return not under or name == under or name.startswith(under.rstrip("/") + "/")


def publish(
    index_dir: Path, building: Path, manifest: dict[str, object], previous: Path | None = None
) -> Path:
    """Finish a generation (manifest with checksums, fsync, rename) and switch CURRENT to it.

    `previous` is the generation an incremental build started from: files shared with it by
    hard links are neither read again nor flushed again.
    """
    shared = shared_files(building, previous)
    manifest = {
        **manifest,
        "checksums": file_checksums(building, shared),
        "stats": file_stats(building),
    }
    (building / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    _fsync_tree(building, frozenset(shared))
    final = building.with_name(building.name.removesuffix(".tmp"))
    os.rename(building, final)
    pointer = index_dir / (CURRENT_FILE + ".tmp")
    with open(pointer, "w", encoding="utf-8") as handle:
        handle.write(final.name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    checkpoint("switch")
    os.replace(pointer, index_dir / CURRENT_FILE)
    _fsync_dir(index_dir)
    return final


def read_manifest(folder: Path) -> dict[str, object]:
    """Return a generation's manifest (empty when missing)."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}

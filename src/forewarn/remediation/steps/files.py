"""Built-in file actions in pure Python: delete old files, rotate a log; symlinks are never followed.

Every path is opened relative to a directory descriptor with O_NOFOLLOW, so a symlink planted in
the directory (or swapped in between listing and deleting) can never lead outside it.
"""

from __future__ import annotations

import asyncio
import fnmatch
import os
import stat
from dataclasses import dataclass, field

from forewarn.remediation.document import DeleteOldFilesStep, RotateLogsStep
from forewarn.remediation.enums import StepStatus
from forewarn.remediation.steps.base import Plan, StepContext, StepError, StepOutcome
from forewarn.remediation.templates import TemplateError, render

_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
MAX_DEPTH = 32
MAX_SCANNED = 1_000_000


@dataclass
class Sweep:
    cutoff: float
    pattern: str
    recursive: bool
    max_files: int
    deleted: list[str] = field(default_factory=list)
    skipped_links: int = 0
    scanned: int = 0

    @property
    def full(self) -> bool:
        return len(self.deleted) >= self.max_files or self.scanned >= MAX_SCANNED


def delete_old_files(directory: str, older_than_days: float, pattern: str, recursive: bool, max_files: int,
                     now: float) -> Sweep:
    """Deletes regular files matching `pattern` not modified for `older_than_days` (at most `max_files`)."""
    sweep = Sweep(now - older_than_days * 86400.0, pattern, recursive, max_files)
    fd = os.open(_absolute(directory), _DIR_FLAGS)
    try:
        _sweep(fd, "", sweep, 0)
    finally:
        os.close(fd)
    return sweep


def _sweep(dir_fd: int, prefix: str, sweep: Sweep, depth: int) -> None:
    with os.scandir(dir_fd) as entries:
        names = [(e.name, e.is_symlink(), e.is_dir(follow_symlinks=False)) for e in entries]
    for name, is_link, is_dir in sorted(names):
        if sweep.full:
            return
        sweep.scanned += 1
        if is_link:
            sweep.skipped_links += 1
        elif is_dir:
            if sweep.recursive and depth < MAX_DEPTH:
                _descend(dir_fd, name, prefix, sweep, depth)
        elif fnmatch.fnmatchcase(name, sweep.pattern):
            _delete_if_old(dir_fd, name, prefix, sweep)


def _descend(dir_fd: int, name: str, prefix: str, sweep: Sweep, depth: int) -> None:
    try:
        child = os.open(name, _DIR_FLAGS, dir_fd=dir_fd)
    except OSError:  # replaced by a symlink (ELOOP) or vanished since listing: leave it
        sweep.skipped_links += 1
        return
    try:
        _sweep(child, f"{prefix}{name}/", sweep, depth + 1)
    finally:
        os.close(child)


def _delete_if_old(dir_fd: int, name: str, prefix: str, sweep: Sweep) -> None:
    try:
        st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
    except FileNotFoundError:
        return
    if stat.S_ISREG(st.st_mode) and st.st_mtime < sweep.cutoff:
        os.unlink(name, dir_fd=dir_fd)
        sweep.deleted.append(prefix + name)


def rotate_log(path: str, keep: int) -> list[str]:
    """name → name.1 → … → name.<keep> (the oldest dropped), then a fresh empty `name`, same mode."""
    directory, base = os.path.split(_absolute(path))
    fd = os.open(directory or "/", _DIR_FLAGS)
    try:
        st = os.stat(base, dir_fd=fd, follow_symlinks=False)
        if not stat.S_ISREG(st.st_mode):
            raise StepError(f"{path} is not a regular file (symlinks are not rotated)")
        moves = _shift(fd, base, keep)
        os.rename(base, f"{base}.1", src_dir_fd=fd, dst_dir_fd=fd)
        new = os.open(base, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, st.st_mode & 0o7777, dir_fd=fd)
        try:
            os.fchown(new, st.st_uid, st.st_gid)
        except PermissionError:
            pass  # not running as root: the new file belongs to us, as logrotate's "create" would
        finally:
            os.close(new)
        return [*moves, f"{base} -> {base}.1"]
    finally:
        os.close(fd)


def _shift(fd: int, base: str, keep: int) -> list[str]:
    moves: list[str] = []
    for i in range(keep, 0, -1):
        src = f"{base}.{i}"
        try:
            st = os.stat(src, dir_fd=fd, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(st.st_mode):
            raise StepError(f"{src} is not a regular file; refusing to rotate over it")
        if i == keep:
            os.unlink(src, dir_fd=fd)
            moves.append(f"{src} deleted")
        else:
            os.rename(src, f"{base}.{i + 1}", src_dir_fd=fd, dst_dir_fd=fd)
            moves.append(f"{src} -> {base}.{i + 1}")
    return moves


def _absolute(path: str) -> str:
    if not path.startswith("/") or "\x00" in path or ".." in path.split("/"):
        raise StepError(f"{path!r} must be an absolute path without '..'")
    return path


def _render(template: str, ctx: StepContext) -> str:
    try:
        return render(template, ctx.params)
    except TemplateError as exc:
        raise StepError(str(exc)) from None


def plan_delete_old_files(step: DeleteOldFilesStep, ctx: StepContext) -> Plan:
    directory = _absolute(_render(step.directory, ctx))

    async def action() -> StepOutcome:
        sweep = await asyncio.to_thread(delete_old_files, directory, step.older_than_days, step.pattern,
                                        step.recursive, step.max_files, ctx.now)
        lines = [*sweep.deleted, f"deleted {len(sweep.deleted)} file(s); skipped {sweep.skipped_links} symlink(s)"]
        if sweep.full:
            lines.append(f"stopped at the limit of {step.max_files} file(s)")
        return StepOutcome(StepStatus.OK, 0, "\n".join(lines))

    return Plan("local", ["delete_old_files", directory, f"older_than_days={step.older_than_days:g}",
                          f"pattern={step.pattern}"], action)


def plan_rotate_logs(step: RotateLogsStep, ctx: StepContext) -> Plan:
    path = _absolute(_render(step.file, ctx))

    async def action() -> StepOutcome:
        moves = await asyncio.to_thread(rotate_log, path, step.keep)
        return StepOutcome(StepStatus.OK, 0, "\n".join(moves))

    return Plan("local", ["rotate_logs", path, f"keep={step.keep}"], action)

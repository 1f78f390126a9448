"""Files and folders in a shared ``outputs/`` that no planted link can redirect.

An HR office shares ``outputs/`` with its group, so anyone who can write a period folder
could plant a symbolic link where the workbook is about to write (``.lock``, ``run.log``,
``journal.jsonl``, a unit folder, ``single/failed/<nip>.ipynb``) and have the workbook
empty, append to or ``chmod`` a file of theirs choosing. Everything here follows no link it
did not make:

* :func:`safe_makedirs` creates a folder under a trusted base one component at a time and
  opens each one with ``O_NOFOLLOW | O_DIRECTORY``: a real folder, not a link; a folder it
  creates gets its mode through its own descriptor (``fchmod``), one that exists (perhaps
  a colleague's, in a group-shared ``outputs/``) keeps its mode;
* :func:`owned_by_us` tells whether a folder is ours, what a run folder must be before it
  is resumed;
* :func:`open_nofollow` opens a file with ``O_NOFOLLOW`` and checks it is a regular file
  with one link (a hard link to a victim is refused too);
* :func:`confined` resolves a relative path read from a file we wrote earlier (a journal)
  and refuses one that leaves its folder.

A refusal is :class:`~eperformance.errors.UnsafePath` (exit 2): one line naming the path.
Atomic writes (``export.atomic_write_bytes``) are safe already: a temporary file made with
``O_EXCL`` and renamed over the target replaces a planted link instead of following it.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath

from .errors import UnsafePath

DIR_MODE = 0o750
FILE_MODE = 0o640


def _trusted_owner(st: os.stat_result) -> bool:
    return st.st_uid in (os.geteuid(), 0)


def safe_makedirs(path: Path, base: Path, mode: int = DIR_MODE) -> Path:
    """Create ``path`` (a folder under ``base``) without following a link below ``base``.

    ``base`` itself is trusted (the project's ``outputs/``, made by the installer or the
    office); every component from it down to ``path`` must be a real folder. Returns
    ``path``."""
    base = Path(base)
    path = Path(path)
    try:
        rel = path.relative_to(base)
    except ValueError:
        raise UnsafePath(f"{path} is not under {base}") from None
    base.mkdir(parents=True, exist_ok=True)
    current = base
    for part in rel.parts:
        if part in ("", ".", ".."):
            raise UnsafePath(f"refusing the folder name {part!r} in {path}")
        current = current / part
        created = False
        try:
            os.mkdir(current, 0o700)
            created = True
        except FileExistsError:
            pass
        try:
            fd = os.open(current, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as exc:
            if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                raise UnsafePath(f"{current} is a link or not a folder; the workbook "
                                 "writes only into folders it can trust",
                                 hint="remove it (a link there may redirect the outputs "
                                      "to someone else's files)") from None
            raise
        try:
            if created:
                os.fchmod(fd, mode)
        finally:
            os.close(fd)
    return path


def owned_by_us(path: Path) -> bool:
    """``path`` is a real folder (not a link) owned by the current user."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.geteuid()


def open_nofollow(path: Path, flags: int, mode: int = FILE_MODE) -> int:
    """``os.open`` that refuses a link, a non-regular file and a file with other hard
    links; a file it creates gets ``mode`` (through its descriptor)."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_CLOEXEC, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UnsafePath(f"{path} is a symbolic link; the workbook does not follow "
                             "links it did not make", hint="remove the link") from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
            raise UnsafePath(f"{path} is not a plain file of its own (a device, a folder or "
                             "a hard link to another file)", hint="remove it")
        if flags & os.O_CREAT and st.st_size == 0 and _trusted_owner(st):
            os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        raise
    return fd


def append_nofollow(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Append ``data`` to ``path`` (created when missing), fsynced; no link followed."""
    fd = open_nofollow(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, mode)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def read_nofollow(path: Path) -> bytes | None:
    """The bytes of a plain file, ``None`` when it is missing; no link followed."""
    try:
        fd = open_nofollow(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def confined(folder: Path, rel: str) -> Path:
    """``folder / rel`` for a relative path that stays inside ``folder`` (no ``..``, not
    absolute, no link on the way); anything else is :class:`UnsafePath`."""
    pure = PurePosixPath(rel)
    if (not rel or pure.is_absolute() or any(p in ("..", ".", "") for p in pure.parts)
            or "\\" in rel or "\0" in rel):
        raise UnsafePath(f"a journal names {rel!r}, outside its run folder")
    target = folder.joinpath(*pure.parts)
    parent = folder
    for part in pure.parts[:-1]:
        parent = parent / part
        if parent.is_symlink():
            raise UnsafePath(f"{parent} is a symbolic link inside a run folder")
    return target


def unlink_nofollow(path: Path) -> None:
    """Remove ``path`` itself (a planted link is removed, never its target); a missing
    file is fine."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass

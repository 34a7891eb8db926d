"""Files in and out: bounded reads of the files users give, atomic writes of the files dagnet makes.

:func:`read_text` reads only regular files, up to a size limit, as UTF-8
(a leading byte-order mark dropped), so a device, a FIFO or a huge file is
one clear error instead of a hang. :func:`atomic_write` writes beside the
target and renames over it: a reader (or a crash) sees the old file or
the new one, whole. New files get the mode the umask gives (as ``open``
would), an existing file keeps its mode, a symbolic link keeps pointing
at its target, and temporary files that a killed writer left are removed.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "note.txt")
>>> atomic_write(path, lambda f: f.write("hello"))
>>> read_text(path, ValueError)
'hello'
"""
import errno
import os
import stat

#: The largest file :func:`read_text` reads unless told otherwise (bytes).
MAX_BYTES = 256 << 20


def read_text(path, error, max_bytes=None, what="file"):
    """The UTF-8 text of the regular file ``path``, or ``error(problem, source=path)``.

    ``error`` is an exception type taking ``(message, source=...)``, such as
    :class:`~dagnet.errors.TopologyError`; plain ``ValueError`` gets
    ``"path: problem"``.
    """
    data = read_bytes(path, error, max_bytes, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise _error(error, os.fspath(path), f"not UTF-8 text ({err.reason} at byte {err.start})") from None


def _error(error, path, problem):
    """``error(problem, source=path)``, or ``error("path: problem")`` for a plain exception type."""
    try:
        return error(problem, source=path)
    except TypeError:
        return error(f"{path}: {problem}")


def read_bytes(path, error, max_bytes=None, what="file"):
    """The bytes of the regular file ``path`` (at most ``max_bytes``), or ``error(problem, source=path)``."""
    path = os.fspath(path)
    limit = MAX_BYTES if max_bytes is None else max_bytes

    def fail(problem):
        return _error(error, path, problem)

    try:
        f = open(path, "rb", opener=_nonblocking)
    except ValueError:          # open() refuses a name with a NUL character in it
        raise fail("a file name cannot hold a NUL character") from None
    except OSError as err:
        raise fail(_reason(err, what)) from None
    with f:
        info = os.fstat(f.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise fail(f"is a directory, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise fail(f"not a regular file (a device, pipe or socket); give a {what}")
        if info.st_size > limit:
            raise fail(f"is {info.st_size / 2**20:.1f} MiB, over the limit of {limit / 2**20:.0f} MiB "
                       f"for a {what}{' (dagnet.files.MAX_BYTES)' if max_bytes is None else ''}")
        try:
            data = f.read(limit + 1)
        except OSError as err:
            raise fail(_reason(err, what)) from None
    if len(data) > limit:
        raise fail(f"grew past the limit of {limit / 2**20:.0f} MiB while being read")
    return data


def _reason(err, what):
    """Why a path could not be opened or read, in a few words."""
    if isinstance(err, FileNotFoundError):
        return "no such file"
    if isinstance(err, IsADirectoryError):
        return f"is a directory, not a {what}"
    if isinstance(err, PermissionError):
        return "permission denied"
    return (err.strerror or type(err).__name__).lower()   # a name too long, a path through a file, ...


def _nonblocking(path, flags):
    """Open without blocking, so that a FIFO with no writer cannot hang the reader."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def atomic_write(path, write, mode="w"):
    """Call ``write(f)`` on a temporary file beside ``path``, then rename it over ``path``.

    If ``write`` raises, ``path`` is untouched (an earlier file stays as it
    was) and the temporary file is removed.
    """
    target = os.path.realpath(os.fspath(path))        # through a symlink, to the file it names
    folder, name = os.path.split(target)
    if not os.path.isdir(folder):
        raise FileNotFoundError(errno.ENOENT, "no such folder", os.path.dirname(os.fspath(path)) or ".")
    _remove_stale(folder, name)
    import tempfile   # here, not above: a command that writes nothing starts without it (and random, shutil)

    fd, tmp = tempfile.mkstemp(prefix=f".{name}.{os.getpid()}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp, _mode_for(target))
        with os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""})) as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
        _fsync_folder(folder)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _mode_for(target):
    """An existing file's permission bits, else 0o666 less the umask."""
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_folder(folder):
    """Make the rename itself durable (POSIX: fsync the directory)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:   # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:   # pragma: no cover
        pass
    finally:
        os.close(fd)


def _remove_stale(folder, name):
    """Remove ``.NAME.PID.*.tmp`` files whose writer process no longer exists."""
    prefix = f".{name}."
    try:
        entries = [e for e in os.listdir(folder) if e.startswith(prefix) and e.endswith(".tmp")]
    except OSError:   # pragma: no cover
        return
    for entry in entries:
        pid = entry[len(prefix):].split(".", 1)[0]
        if pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            try:
                os.unlink(os.path.join(folder, entry))
            except OSError:
                pass


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""Where runs execute: one after another, in worker processes (joblib), or on a Dask cluster.

:func:`execute` yields each run's result as it finishes, whatever the
order; the caller records it before taking the next. Workers only train.
When workers die (killed, out of memory), the scheduler goes away, or a
cluster has had no workers for ``worker_timeout`` seconds, the sweep stops
with :class:`WorkersLost`: the runs already recorded are kept, and running
the sweep again trains the rest. Worker processes end with the sweep, even
when it is killed outright (:func:`follow_parent`).

Examples
--------
>>> workers(-1, n_tasks=1), workers(4, n_tasks=2), workers(1, n_tasks=9)
(1, 2, 1)
"""
import os
import threading
import time
from concurrent.futures import CancelledError

from ..text import one_line, plural
from .worker import train

#: Seconds between looks at a Dask cluster while no run finishes.
POLL = 1.0
#: Seconds between a worker process's looks at whether the sweep that started it is still there.
PARENT_POLL = 0.25


class MissingDependency(ImportError):
    """An optional extra (joblib, dask) is needed for what was asked."""


class WorkersLost(RuntimeError):
    """The processes or the cluster running the sweep went away; finished runs are kept."""


def workers(n_jobs, n_tasks):
    """Processes to use: joblib's n_jobs (-1 = every core), never more than the runs."""
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a whole number other than 0 (-1: every core), got {n_jobs!r}")
    n = n_jobs if n_jobs > 0 else max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    return max(1, min(n, n_tasks))


def execute(tasks, n_jobs=-1, scheduler=None, log=print, worker_timeout=60.0, work=train):
    """Yield ``(run_id, measures)`` for each :class:`~dagnet.sweep.worker.Task` as it finishes.

    Parameters
    ----------
    tasks : list of Task
        Or any picklable objects with a ``run_id`` that ``work`` takes.
    n_jobs : int
        Worker processes (joblib; -1: every core); 1, or no joblib, runs
        them in this process one after another.
    scheduler : str, distributed.Client or None
        A Dask scheduler's address or a client: the runs go to its workers.
    log : callable
        Receives notes (a missing joblib, a cluster without workers).
    worker_timeout : float
        How long a Dask cluster may have no workers before the sweep stops.
    work : callable
        What a worker does with a task, returning ``(run_id, result)``: a
        module-level function (it is pickled by name); training a sweep's
        run by default (evolution passes its own).
    """
    n = workers(n_jobs, len(tasks))
    if not tasks:   # nothing left to run: no workers or cluster needed
        return
    if scheduler is not None:
        yield from _on_dask(tasks, scheduler, log, worker_timeout, work)
        return
    if n > 1:
        try:
            import joblib
        except ImportError:
            log('joblib is not installed: running the sweep serially (pip install "dagnet[sweep]")')
            n = 1
    if n == 1:
        yield from map(work, tasks)
        return
    from joblib.externals.loky.process_executor import TerminatedWorkerError

    try:
        with joblib.parallel_config(backend="loky", initializer=follow_parent, initargs=(os.getpid(),)):
            yield from joblib.Parallel(n_jobs=n, return_as="generator_unordered")(
                joblib.delayed(work)(task) for task in tasks)
    except TerminatedWorkerError:
        raise WorkersLost("a worker process stopped while training (killed, or out of memory?)") from None


def follow_parent(parent):
    """Run in each worker process as it starts: end it once ``parent`` (the sweep's process) is gone.

    A sweep killed outright (``kill -9``, out of memory) cannot tell its
    workers to stop, and loky's would train on, then wait minutes for work,
    their resource trackers with them. A daemon thread looks every
    :data:`PARENT_POLL` seconds whether this process has been handed to
    another parent, which happens when ``parent`` dies, and ends the
    process at once (the native kernel lets go of the GIL while it trains,
    so the thread gets its turn). Linux's parent-death signal is not used:
    it follows the thread that started the worker, not the process.
    """
    def watch():
        while os.getppid() == parent:
            time.sleep(PARENT_POLL)
        os._exit(1)

    threading.Thread(target=watch, name="dagnet-follow-parent", daemon=True).start()


def _connect(scheduler):
    """A Dask client for ``scheduler`` (an address or a client), and whether this sweep owns it."""
    try:
        from dask.distributed import Client
    except ImportError:
        raise MissingDependency('a Dask scheduler needs dask.distributed: pip install "dagnet[dask]"') from None
    if not isinstance(scheduler, str):
        return scheduler, False
    try:
        return Client(scheduler, timeout=30), True
    except (OSError, TimeoutError) as err:
        raise ValueError(f"cannot reach the Dask scheduler at {scheduler}: {one_line(err)}") from None


def _on_dask(tasks, scheduler, log, worker_timeout, work):
    """Submit every task to the cluster and yield the results as they come, watching the cluster."""
    client, owned = _connect(scheduler)
    from dask.distributed import KilledWorker, wait
    from dask.distributed import TimeoutError as WaitTimeout

    address = getattr(client.scheduler, "address", str(scheduler))
    lost = f"lost the connection to the Dask scheduler at {address}"
    pending = {}
    try:
        pending = {client.submit(work, task, pure=False): task.run_id for task in tasks}
        alone_since = None
        while pending:
            try:
                done, _ = wait(list(pending), timeout=POLL, return_when="FIRST_COMPLETED")
            except WaitTimeout:
                done = ()
            waiting = False
            for future in done:
                try:
                    # a finished run's result lives on its worker: once that worker has died, fetching
                    # it waits for the run to be done again, by a worker there may no longer be, so
                    # wait a poll and let the cluster check below decide
                    result = future.result(timeout=POLL)
                except KilledWorker:
                    raise WorkersLost(f"Dask workers died while training run {pending[future]} (killed, or "
                                      f"out of memory?)") from None
                except WaitTimeout:
                    waiting = True
                    continue
                pending.pop(future)
                yield result
            if done and not waiting:
                continue
            if client.nthreads():
                if alone_since is not None:
                    alone_since = None
                    log(f"the Dask cluster at {address} has workers again")
            elif alone_since is None:
                alone_since = time.monotonic()
                log(f"the Dask cluster at {address} has no workers: waiting up to "
                    f"{worker_timeout:g} s for one (dask worker {address})")
            elif time.monotonic() - alone_since > worker_timeout:
                raise WorkersLost(f"the Dask cluster at {address} has had no workers for "
                                  f"{worker_timeout:g} s, with {plural(len(pending), 'run')} waiting")
    except (CancelledError, OSError):
        raise WorkersLost(lost) from None
    finally:
        if pending and client.status == "running":
            client.cancel(list(pending))
        if owned:
            client.close()

"""One writing run per job at a time, across processes and machines: a lease on a ``(:JobLock)``.

A job's run writes millions of relationships that stay invisible until it is made current, and
each run treats what neither the current run nor itself wrote as stock to overwrite, or as
leftovers to delete. Two runs of one job writing at once would therefore overwrite and delete
each other's relationships, and the one published last would miss some of its own. A file lock
(``livetrust schedule``, ``score --lock-file``) keeps the runs of one machine apart; this lock
keeps apart every writer of the database: a cron job, a scheduler container and a manual rerun.

The lock is a lease on one ``(:JobLock {job})`` node per job:

- ``acquire``: taken when free, already this run's, or stale: its holder has not renewed it for
  ``stale_after`` seconds (its process is gone). A holder that ran on this machine and whose
  process is gone (:func:`process_token`: machine, boot, pid and the process's start time, so a
  reused pid is not mistaken for it) is taken over at once: a run that could not give its lock
  back (Neo4j went down during it) does not block the next one for ``stale_after`` seconds.
  Taking it marks the job's other runs still recorded as ``running`` as ``abandoned``: only the
  holder can be running.
- A heartbeat thread renews it every ``stale_after / 10`` seconds while the run writes.
- Each write batch checks the holder before it writes (:meth:`JobLock.check`, read only), and
  the publishing transaction renews and checks it in the same transaction (:meth:`JobLock.renew`):
  a run that stalled past the stale time and lost the lock to another run stops with
  :class:`JobLockLost` instead of writing over the new holder's relationships.
- ``release``: given up when the run ends, succeeded or failed. The CLI turns SIGTERM into an
  exit (:class:`livetrust.errors.Terminated`), so a stopped run releases too; only SIGKILL, or a
  release the database cannot take (it went down during the run), leaves a lock to go stale, and
  runs on the holder's machine take it over at once (above).

Staleness is judged on the server's clock, so machines whose clocks disagree still agree on it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path

import neo4j

from .db import server_gone
from .errors import Busy, LivetrustError
from .queries import cypher_statement

log = logging.getLogger("livetrust.joblock")

STALE_AFTER = 600  # seconds without a heartbeat before another run may take a job's lock


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


_UNKNOWN = "?"  # a start time /proc would not show (hidepid): never taken for "gone"


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat); None when
    there is no such process, ``_UNKNOWN`` when /proc cannot tell."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return None
    except OSError:
        return _UNKNOWN
    return stat.rsplit(")", 1)[1].split()[19]  # the command name may hold spaces: split after it


def _pid_namespace() -> str:
    try:
        return os.readlink("/proc/self/ns/pid")  # containers sharing a host name and boot id differ here
    except OSError:
        return ""


def process_token(pid: int | None = None) -> str:
    """``host|boot id|pid namespace|pid|start time`` of a process (default: this one), as a lock
    records its holder."""
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}|{_boot_id()}|{_pid_namespace()}|{pid}|{_start_time(pid) or ''}"


def gone_from_this_machine(token: str | None) -> bool:
    """True only when ``token`` names a process of this machine, boot and pid namespace that has
    ended; False for anything else: another machine or container, an unknown format, or where /proc
    cannot tell (not Linux, hidepid)."""
    parts = (token or "").split("|")
    if len(parts) != 5 or not all(parts[1:3]) or parts[4] in ("", _UNKNOWN) or not parts[3].isdigit():
        return False
    if parts[:3] != process_token().split("|")[:3]:
        return False
    return _start_time(int(parts[3])) not in (parts[4], _UNKNOWN)


class JobLockBusy(Busy):
    """Another run of the same job holds the job's lock (exit status 75)."""


class JobLockLost(LivetrustError):
    """The run's lock went stale and another run took it over; the run must not write on."""


def refuse_if_busy(driver: neo4j.Driver, database: str | None, job: str, *, stale_after: int = STALE_AFTER) -> None:
    """Raise ``JobLockBusy`` if a live run of ``job`` holds its lock, without taking it.

    A job calls this before its long read (minutes at scale) and takes the lock
    (:class:`JobLock`, in ``publish_run``) only when it starts writing.

    Examples
    --------
    >>> refuse_if_busy(driver, "neo4j", "recommend")  # doctest: +SKIP
    """
    records, _, _ = driver.execute_query(cypher_statement("writeback/job_lock_holder"), job=job,
                                         stale_after=int(stale_after), database_=database)
    if records and records[0]["live"] and not gone_from_this_machine(records[0]["process"]):
        raise _busy(job, records[0], stale_after)


def _busy(job: str, holder: neo4j.Record, stale_after: int) -> JobLockBusy:
    return JobLockBusy(
        f"another {job} run, {holder['holder']}, is writing to the database (it took the job lock at "
        f"{holder['held_since']}, last heartbeat {holder['heartbeat']}); run again when it has finished, or, "
        f"if its process is gone, once its lock is {stale_after} s without a heartbeat (at once from its machine)"
    )


@dataclass
class JobLock:
    """The lease that lets one run of a job write to the database.

    Parameters
    ----------
    driver : neo4j.Driver
    database : str
    job : str
        ``score``, ``paths`` or ``recommend``: one lock per job.
    run_id : str
        The run that wants to write.
    stale_after : int, default STALE_AFTER (600)
        Seconds without a heartbeat after which another run may take the lock.

    Attributes
    ----------
    abandoned : list of str
        The job's runs this one marked ``abandoned`` when it took the lock.

    Examples
    --------
    >>> with JobLock(driver, "neo4j", "recommend", "rec-1"):  # doctest: +SKIP
    ...     ...  # write the run; JobLockBusy if another recommend run holds it
    """

    driver: neo4j.Driver
    database: str | None
    job: str
    run_id: str
    stale_after: int = STALE_AFTER
    abandoned: list[str] = field(default_factory=list, init=False)
    _stop: threading.Event = field(default_factory=threading.Event, init=False, repr=False)
    _heartbeat: threading.Thread | None = field(default=None, init=False, repr=False)

    def __enter__(self) -> JobLock:
        self.acquire()
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc is not None and server_gone(self.driver, exc):
            # no server to release it on: a next run on this machine takes it at once (its holder's
            # process is gone), one elsewhere after stale_after seconds
            self._stop.set()
            log.warning("%s: Neo4j is unreachable; the job lock stays until the next run takes it over", self.run_id)
            return
        self.release()

    def acquire(self) -> None:
        """Take the lock (``JobLockBusy`` when a live run of the job holds it) and start renewing it."""
        held, _, _ = self.driver.execute_query(cypher_statement("writeback/job_lock_holder"), job=self.job,
                                               stale_after=int(self.stale_after), database_=self.database)
        dead = held[0]["holder"] if held and held[0]["live"] and gone_from_this_machine(held[0]["process"]) else None
        records, _, _ = self.driver.execute_query(
            cypher_statement("writeback/job_lock_acquire"), job=self.job, run_id=self.run_id,
            stale_after=int(self.stale_after), process=process_token(), dead_holder=dead, database_=self.database,
        )
        got = records[0]
        if not got["acquired"]:
            raise _busy(self.job, got, self.stale_after)
        if got["holder"] not in (None, self.run_id):
            why = "whose process on this machine is gone" if got["holder"] == dead else f"silent since {got['heartbeat']}"
            log.warning("%s: took the job lock of %s, %s", self.run_id, got["holder"], why)
        self.abandoned = list(got["abandoned"])
        if self.abandoned:
            log.warning("%s: marked %d run(s) abandoned: %s", self.run_id, len(self.abandoned), ", ".join(self.abandoned))
        self._stop.clear()
        self._heartbeat = threading.Thread(target=self._beat, name=f"joblock-{self.job}", daemon=True)
        self._heartbeat.start()

    def check(self, tx: neo4j.ManagedTransaction) -> None:
        """Raise ``JobLockLost`` unless this run holds the lock (read only: inside each write batch)."""
        record = tx.run(cypher_statement("writeback/job_lock_holder"), job=self.job,
                        stale_after=int(self.stale_after)).single()
        self._raise_unless_held(record["holder"] if record else None)

    def renew(self, tx: neo4j.ManagedTransaction) -> None:
        """Renew the lock inside ``tx`` and raise ``JobLockLost`` unless this run holds it (the
        publishing transaction: no takeover can come between this and the commit)."""
        record = tx.run(cypher_statement("writeback/job_lock_renew"), job=self.job, run_id=self.run_id).single()
        self._raise_unless_held(record["holder"] if record else None)

    def release(self) -> None:
        """Stop the heartbeat and give up the lock (a lock another run holds is left alone)."""
        self._stop.set()
        if self._heartbeat is not None:
            self._heartbeat.join()
            self._heartbeat = None
        try:
            self.driver.execute_query(cypher_statement("writeback/job_lock_release"), job=self.job,
                                      run_id=self.run_id, database_=self.database)
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as err:
            # the lock then goes stale, and the next run takes it after stale_after seconds
            log.warning("%s: could not release the job lock (%s)", self.run_id, type(err).__name__)

    def _raise_unless_held(self, holder: str | None) -> None:
        if holder != self.run_id:
            raise JobLockLost(
                f"{self.run_id} lost the {self.job} job lock to {holder or 'nobody'}: it went {self.stale_after} s "
                f"without a heartbeat; this run stops and leaves the database to the holder"
            )

    def _beat(self) -> None:
        while not self._stop.wait(self.stale_after / 10):
            try:
                records, _, _ = self.driver.execute_query(
                    cypher_statement("writeback/job_lock_renew"), job=self.job, run_id=self.run_id,
                    database_=self.database,
                )
                if not records or not records[0]["held"]:
                    log.warning("%s: lost the %s job lock; the next write stops the run", self.run_id, self.job)
                    return
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError) as err:
                log.warning("%s: job lock heartbeat failed (%s); retrying", self.run_id, type(err).__name__)

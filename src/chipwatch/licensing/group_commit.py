"""Group commit: concurrent shipments on one database go in one transaction.

Every shipment appends to the audit chain, whose head is one row: each transaction holds it
from its append to its commit, so shipments commit one at a time whatever the number of
connections. Instead, the first caller to arrive leads: it takes every request waiting
(up to ``MAX_BATCH``), decides their orders, ships them in one transaction
(``ledger_batch.process``) and hands the lead to the next waiting caller; the others wait
for their outcome (idle, not contending for the GIL). A request is answered only after
its transaction committed. If a batch fails on a database error, each
of its requests is retried alone, so one bad request never fails its neighbours.
"""

from __future__ import annotations

import threading
import weakref
from collections import deque

from sqlalchemy.exc import IntegrityError

from chipwatch.licensing.ledger_batch import process
from chipwatch.licensing.ledger_jobs import Job, ShipmentResult, decide
from chipwatch.store import Database
from chipwatch.workflow import chipwatch_for, order_reviews

MAX_BATCH = 64
MAX_ATTEMPTS = 3  # a key or serial taken by a concurrent transaction: decide again

_registry: weakref.WeakKeyDictionary[Database, GroupCommit] = weakref.WeakKeyDictionary()
_registry_lock = threading.Lock()


def group_commit(db: Database) -> GroupCommit:
    """The coordinator of ``db`` (one per Database object)."""
    with _registry_lock:
        coordinator = _registry.get(db)
        if coordinator is None:
            coordinator = _registry[db] = GroupCommit(db)
        return coordinator


class _Waiting:
    __slots__ = ("job", "turn")

    def __init__(self, job: Job):
        self.job = job
        self.turn = threading.Event()  # set: the outcome is in, or this caller leads now


class GroupCommit:
    def __init__(self, db: Database):
        self._db = db
        self._lock = threading.Lock()
        self._queue: deque[_Waiting] = deque()
        self._leading = False

    def submit(self, job: Job) -> ShipmentResult:
        """Ship ``job`` (with whatever else is waiting); its result, or raise its error."""
        waiting = _Waiting(job)
        with self._lock:
            self._queue.append(waiting)
            lead = not self._leading
            self._leading = True
        if not lead:
            waiting.turn.wait()
        if job.outcome is None:  # leading: this caller's request is first in the queue
            self._lead()
        outcome = job.outcome
        if isinstance(outcome, BaseException):
            raise outcome
        assert outcome is not None
        return outcome

    def _lead(self) -> None:
        with self._lock:
            batch = [self._queue.popleft() for _ in range(min(MAX_BATCH, len(self._queue)))]
        try:
            self._ship([w.job for w in batch])
        except BaseException as exc:  # never leave a caller waiting
            for waiting in batch:
                waiting.job.outcome = waiting.job.outcome or exc
            raise
        finally:
            for waiting in batch[1:]:
                waiting.turn.set()
            with self._lock:
                if self._queue:
                    self._queue[0].turn.set()  # the next caller leads
                else:
                    self._leading = False

    def _ship(self, jobs: list[Job]) -> None:
        db = self._db
        jobs = decide(chipwatch_for(db), jobs, lambda order: order_reviews(db, order))
        if not jobs:
            return
        try:
            with self._db.transaction() as session:
                process(session, jobs)
        except Exception:
            for job in jobs:
                job.outcome = None
            if len(jobs) > 1:
                for job in jobs:
                    self._ship_alone(job)
                return
            self._ship_alone(jobs[0], attempts=MAX_ATTEMPTS - 1)

    def _ship_alone(self, job: Job, *, attempts: int = MAX_ATTEMPTS) -> None:
        for attempt in range(attempts):
            job.outcome = None
            try:
                with self._db.transaction() as session:
                    process(session, [job])
                return
            except IntegrityError as exc:
                job.outcome = exc
                if attempt == attempts - 1:
                    return
            except Exception as exc:
                job.outcome = exc
                return

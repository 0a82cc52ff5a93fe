"""Warn before saving (DESIGN §6): run a write, let the app that judges risk evaluate the workers it
touched, and either keep the write or roll it back. Plumbing only: it imports no domain app. The
risks app registers its evaluator in AppConfig.ready(); lower apps' API views and pages call `run`,
so they never import risks.

Which workers a write touched is learned from `worker_change_recorded`, the signal every write
service already sends inside its transaction (it feeds the webhook outbox too). A rolled-back
preview discards everything the write did: rows, audit versions, outbox rows and on-commit tasks
(they were registered inside the rolled-back savepoint)."""

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.db import transaction

from .signals import worker_change_recorded

Evaluator = Callable[..., list[dict]]
_evaluators: list[Evaluator] = []
_touched: ContextVar[set | None] = ContextVar("preview_touched_workers", default=None)


def register(evaluator: Evaluator) -> None:
    """`evaluator(*, worker_ids) -> list[dict]`: what the change would open or escalate."""
    if evaluator not in _evaluators:
        _evaluators.append(evaluator)


class _Discard(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, result, preview):
        super().__init__("preview rolled back")
        self.result, self.preview = result, preview


def _collect(sender, worker_ids=(), **kwargs) -> None:
    touched = _touched.get()
    if touched is not None:
        touched.update(str(worker_id) for worker_id in worker_ids)


worker_change_recorded.connect(_collect, dispatch_uid="outstaff.previews.collect")


def run(write: Callable[[], Any], *, commit: bool) -> tuple[Any, list[dict]]:
    """Run `write()` in a savepoint, evaluate the workers it touched as they would be, and keep the
    write (`commit=True`) or roll it back (`commit=False`). Errors of the write propagate unchanged
    (and roll it back). Returns (what `write` returned, the preview)."""
    touched: set = set()
    token = _touched.set(touched)
    try:
        with transaction.atomic():
            result = write()
            preview = [item for evaluator in _evaluators for item in evaluator(worker_ids=sorted(touched))]
            if not commit:
                raise _Discard(result, preview)
        return result, preview
    except _Discard as discarded:
        return discarded.result, discarded.preview
    finally:
        _touched.reset(token)


def wants_preview(value) -> bool:
    return str(value or "").lower() in ("1", "true", "yes")

"""The onboarding gate's question "has this worker passed screening?" (DESIGN §7).

workers sits below screening in the layering, so it cannot read screenings itself. The screening
app answers instead: it registers its selector here in `ScreeningConfig.ready()`. With no check
registered nobody passes, so the gate fails closed (only a client admin's written override opens it)."""

from collections.abc import Callable, Iterable

from .models import Worker

_passed_screening_checks: list[Callable[..., set]] = []


def passed_screening_check_register(check: Callable[..., set]) -> None:
    """Register `check(*, workers) -> set of worker ids that passed screening`. Idempotent."""
    if check not in _passed_screening_checks:
        _passed_screening_checks.append(check)


def workers_with_passed_screening(*, workers: Iterable[Worker]) -> set:
    """Ids of the given workers with a passed screening (one query per registered check)."""
    workers = list(workers)
    passed: set = set()
    for check in _passed_screening_checks:
        passed |= check(workers=workers)
    return passed


def worker_has_passed_screening(*, worker: Worker) -> bool:
    return worker.pk in workers_with_passed_screening(workers=[worker])

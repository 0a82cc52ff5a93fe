import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import ClientFactory
from assignments.models import Assignment, Team


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team

    client = factory.SubFactory(ClientFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment

    worker = factory.SubFactory("workers.tests.factories.WorkerFactory")
    client = factory.SelfAttribute("worker.client")
    team = factory.SubFactory(TeamFactory, client=factory.SelfAttribute("..client"))
    role = "Backend engineer"
    starts_on = dt.date(2026, 1, 15)
    weekly_hours = Decimal("40.0")

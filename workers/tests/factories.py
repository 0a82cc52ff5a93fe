import datetime as dt

import factory
from factory.django import DjangoModelFactory

from accounts.tests.factories import ClientFactory
from providers.tests.factories import ProviderFactory
from workers.choices import CheckInKind, WorkerStatus
from workers.models import CheckIn, Worker


class WorkerFactory(DjangoModelFactory):
    class Meta:
        model = Worker

    provider = factory.SubFactory(ProviderFactory)
    client = factory.SubFactory(ClientFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    work_email = factory.Sequence(lambda n: f"worker{n}@example.test")
    country = "DE"
    role_title = "Backend engineer"
    status = WorkerStatus.ACTIVE
    start_date = dt.date(2026, 1, 15)


class CheckInFactory(DjangoModelFactory):
    class Meta:
        model = CheckIn

    worker = factory.SubFactory(WorkerFactory)
    kind = CheckInKind.DAY_30
    due_on = factory.LazyAttribute(lambda o: (o.worker.start_date or dt.date(2026, 1, 1)) + dt.timedelta(days=30))

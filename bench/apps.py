from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmark tooling of DESIGN §11: seeding at scale, load runs, scan runs and the raw-SQL
    baseline views (routed only when `BENCH_BASELINE_VIEWS` is on)."""

    name = "bench"
    verbose_name = "Benchmarks"

"""The load run's report and its target selection (bench/load.py), without a server."""

from bench.load import Target, load_table, select_targets

TARGETS = [
    Target("/api/v1/workers/ (client) ×50", "/api/v1/workers/?page_size=50", {}, "api"),
    Target(
        "baseline workers ×50", "/bench/baseline/workers/", {}, "baseline", baseline_of="/api/v1/workers/ (client) ×50"
    ),
    Target("/api/v1/risk-flags/ (client) ×50", "/api/v1/risk-flags/?page_size=50", {}, "api"),
    Target(
        "baseline risk-flags ×50",
        "/bench/baseline/risk-flags/",
        {},
        "baseline",
        baseline_of="/api/v1/risk-flags/ (client) ×50",
    ),
    Target("/risks/", "/risks/", {}, "page"),
]


def test_only_keeps_the_named_targets_with_their_baselines():
    chosen = select_targets(TARGETS, ["workers", "/risks/"])
    assert [t.name for t in chosen] == [
        "/api/v1/workers/ (client) ×50",
        "baseline workers ×50",
        "/risks/",
    ]
    assert select_targets(TARGETS, None) == TARGETS


def test_the_table_shows_the_baselines_throughput_p95_and_the_ratio():
    def result(name, group, rps, p95_us, baseline_of=""):
        return {"name": name, "group": group, "rps": rps, "p50": 1000, "p95": p95_us, "p99": p95_us,
                "status_errors": 0, "socket_errors": 0, "baseline_of": baseline_of}  # fmt: skip

    api = result("/api/v1/workers/ (client) ×50", "api", 100.0, 120_000)
    api.update(baseline_rps=400.0, baseline_p95=40_000, ratio=0.25)
    report = {"results": [api, result("baseline workers ×50", "baseline", 400.0, 40_000, api["name"]),
                          result("/risks/", "page", 20.0, 900_000)]}  # fmt: skip
    lines = load_table(report).splitlines()
    assert lines[0].startswith(
        "| target | req/s | p50 ms | p95 ms | p99 ms | errors | baseline req/s | baseline p95 ms"
    )
    assert lines[2] == "| `/api/v1/workers/ (client) ×50` | 100 | 1 | 120 | 120 | 0 | 400 | 40 | 0.25× |"
    assert lines[3] == "| `/risks/` | 20 | 1 | 900 | 900 | 0 |  |  |  |"
    assert len(lines) == 4  # the baseline row is folded into its list's row

"""Every `make test ARGS=...` example the README shows works as written (issue 11, point 9): each
selects tests (a misspelt -k selects nothing, and pytest then fails)."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
BASE_DIR = README.parent


def _examples(target: str) -> list[str]:
    """The ARGS of every `make <target> ARGS=...` line in the README's code blocks."""
    found = []
    for line in README.read_text().splitlines():
        match = re.match(rf"make {target} ARGS=(\"[^\"]*\"|'[^']*')", line.strip())
        if match:
            found.append(shlex.split(match.group(1))[0])
    return found


def test_the_readme_has_examples():
    assert len(_examples("test")) >= 3


@pytest.mark.parametrize("args", _examples("test"))
def test_each_make_test_example_selects_tests(args):
    # What `make test ARGS=...` runs is pytest with these arguments; collecting is enough to know
    # they select something (a misspelt -k selects nothing and pytest exits 5).
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *shlex.split(args)],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert re.search(r"\b[1-9]\d* tests? collected", result.stdout), result.stdout[-500:]

"""schemathesis against the workbench's OpenAPI description, over a live server on loopback:
every operation, valid and invalid requests, bounded and derandomized; none may get a 5xx.

schemathesis' own pytest integration (``from_fixture``/``parametrize``) does not run under
pytest 9.2 (it reads ``Function._nodeid``, which pytest 9.2 dropped), so each operation's
Hypothesis strategy is driven here directly, one pytest test per operation.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.web.conftest import LiveServer

# The analyze operations run the whole pipeline (spaCy and the models): fewer examples there.
# CLAIMSCOPE_FUZZ_EXAMPLES=N runs N per operation (N/4 for analyze), for a longer hunt.
ANALYZE = re.compile(r"^/api/v1/analyze")
EXAMPLES = int(os.environ.get("CLAIMSCOPE_FUZZ_EXAMPLES", "50"))
ANALYZE_EXAMPLES = max(1, EXAMPLES // 4)


def served_openapi() -> dict[str, Any]:
    """The OpenAPI description the app serves (building the app opens no store)."""
    from claimscope.web import create_app
    from claimscope.web.service import ServerConfig

    spec: dict[str, Any] = create_app(ServerConfig(db=Path("never-opened.duckdb"))).openapi()
    return spec


SCHEMA = schemathesis.openapi.from_dict(served_openapi())
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module")
def session() -> Any:
    with requests.Session() as s:
        # The upload is multipart: an API write that is not JSON needs a header no form sends.
        s.headers["X-Requested-With"] = "schemathesis"
        yield s


def test_schemathesis_fuzzes_what_is_served(live_server: LiveServer) -> None:
    served = live_server.get("/openapi.json").json()
    assert served == served_openapi()
    assert len(OPERATIONS) == sum(len(methods) for methods in served["paths"].values())


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_schemathesis_no_server_error(operation: Any, live_server: LiveServer, session) -> None:
    examples = ANALYZE_EXAMPLES if ANALYZE.match(operation.path) else EXAMPLES
    cases = st.one_of([operation.as_strategy(generation_mode=m) for m in GenerationMode])

    @given(case=cases)
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: Any) -> None:
        case.call_and_validate(
            base_url=live_server.url, session=session, checks=[not_a_server_error], timeout=90
        )

    fuzz()

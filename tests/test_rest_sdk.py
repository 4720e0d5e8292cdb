"""A real third-party client: sfmc-sdk@2.1.2 drives an app's whole REST flow (tests/node/).

``scripts/test`` installs Node, npm and the pinned SDK (``npm ci`` from the committed lock
file); without them these tests are skipped, saying what to run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator import assumptions
from emulator.testing.live import LiveServer

NODE_DIR = Path(__file__).parent / "node"
SCRIPT = NODE_DIR / "sdk_flow.mjs"
SDK = NODE_DIR / "node_modules" / "sfmc-sdk" / "package.json"
CLIENT, SECRET = "mcemu-demo-client-id", "mcemu-demo-client-secret"
BIG_ROWS = 10_000
#: Any connection the Node process tried beyond this machine would go to this closed port.
NOWHERE = "http://127.0.0.1:9"


def node() -> str:
    found = shutil.which("node")
    if found is None or not SDK.is_file():
        pytest.skip("needs node and the pinned sfmc-sdk: run scripts/test (npm ci in "
                    "tests/node)")
    return found


def write_fixtures(root: Path) -> Path:
    des = root / "data_extensions"
    des.mkdir(parents=True)
    fields = [{"name": "Id", "primaryKey": True, "length": 10}, {"name": "Name"}]
    rows = [{"Id": str(n), "Name": f"row {n}"} for n in range(1, BIG_ROWS + 1)]
    (des / "Big.json").write_text(json.dumps({"key": "Big", "fields": fields, "rows": rows}),
                                  "utf-8")
    (des / "Empty.json").write_text(json.dumps({"key": "Empty", "fields": fields}), "utf-8")
    return root


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, Any], Any]]:
    executable = node()
    root = write_fixtures(tmp_path_factory.mktemp("sdk"))
    server = LiveServer({"fixtures": (str(root),)})
    with server:
        env = {key: value for key, value in os.environ.items()
               if key.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
        env.update(HTTP_PROXY=NOWHERE, HTTPS_PROXY=NOWHERE, NO_PROXY="127.0.0.1")
        done = subprocess.run(
            [executable, str(SCRIPT), server.url, CLIENT, SECRET, str(assumptions.DEFAULT_MID)],
            cwd=NODE_DIR, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        yield json.loads(done.stdout), server.handle




def test_the_sdk_gets_a_token_for_the_business_unit(flow: Any) -> None:
    seen, _ = flow
    assert seen["token"]["token_type"] == "Bearer" and seen["token"]["expires_in"] == 1079
    assert seen["token"]["rest_instance_url"].startswith("http://127.0.0.1:")
    assert seen["token"]["has_rows_scope"] is True


def test_get_bulk_pages_through_every_row(flow: Any) -> None:
    seen, _ = flow
    assert seen["count"] == {"count": BIG_ROWS, "pageSize": 1, "items": 1}
    # 4 pages of 2,500; the SDK loops 3 times after the first (the 4th page ends the count).
    assert seen["bulk"] == {"rows": BIG_ROWS, "distinct": BIG_ROWS, "loops": 3,
                            "count": BIG_ROWS}


def test_an_empty_de_has_no_items_and_get_bulk_says_so(flow: Any) -> None:
    seen, _ = flow
    assert seen["empty"] == {"threw": True, "name": "TypeError",
                             "message": "Could not find an array to iterate over"}


def test_the_async_upsert_completes_and_is_read_back(flow: Any) -> None:
    seen, _ = flow
    assert seen["async"]["requestStatus"] == "Complete"
    assert (seen["async"]["hasErrors"], seen["async"]["refused"]) == (False, 0)
    assert seen["written"] == [{"name": "async changed"}]


def test_the_hub_rowset_is_echoed(flow: Any) -> None:
    seen, _ = flow
    assert seen["hub"]["echoed"] == [{"keys": {"Id": "10002"}, "values": {"Name": "hub"}}]


def test_an_expired_token_is_refreshed_and_the_call_retried(flow: Any) -> None:
    seen, handle = flow
    # onRefresh counts every token fetched: the first, and the one after the 401.
    assert seen["refresh"] == {"count": BIG_ROWS + 2, "refreshes": 2, "new_token": True}
    calls = handle.calls  # oldest first
    tokens = [index for index, call in enumerate(calls) if call.path.endswith("/v2/token")]
    assert len(tokens) == 2 and all(calls[index].status == 200 for index in tokens)
    refused = calls[tokens[1] - 1]
    assert (refused.path, refused.status) == ("/data/v1/customobjectdata/key/Big/rowset", 401)
    assert calls[tokens[1] + 1].status == 200


def test_a_429_is_waited_out_as_retry_after_says(flow: Any) -> None:
    seen, handle = flow
    throttled = seen["throttled"]
    assert throttled["waits"] == [{"status": 429, "code": 50100,
                                   "message": "Rate limit exceeded", "wait": 1}]
    assert throttled["waited_ms"] >= 1000 and throttled["count"] == BIG_ROWS + 2
    faulted = [call for call in handle.calls if call.fault is not None]
    assert [(call.status, call.fault["did"]) for call in faulted] == [
        (429, "answered 429 with Retry-After 1")]


def test_every_call_reached_the_emulator(flow: Any) -> None:
    _, handle = flow
    paths = [call.path for call in handle.calls]
    assert any(path.startswith("/https://mc") and path.endswith("/v2/token") for path in paths)
    assert sum(path.startswith("/data/v1/customobjectdata/key/Big/rowset")
               for path in paths) >= 7

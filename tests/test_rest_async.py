"""The asynchronous REST row routes: submit, status, results, completion timing, limits."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import bearer, module_app
from flask import Flask
from flask.testing import FlaskClient

from emulator.objects.dataextensions import object_id
from emulator.rest import asyncjobs
from emulator.runtime import get_emulator
from emulator.testing.handle import EmulatorHandle
from tests.test_rest_rows import write_fixtures

ROWS = "/data/v1/async/dataextensions/key:People/rows"


@pytest.fixture(scope="module")
def rest_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    yield from module_app(write_fixtures(tmp_path_factory.mktemp("rest-async")),
                          frozen_time="2025-03-04T05:06:07Z")


def send(client: FlaskClient, body: Any, url: str = ROWS, method: str = "POST",
         client_id: str = "rw") -> Any:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.open(url, method=method, data=data, content_type="application/json",
                       headers=bearer(client, client_id))


def submitted(answer: Any) -> str:
    assert answer.status_code == 202, answer.data
    return str(answer.get_json()["requestId"])


def status(client: FlaskClient, request_id: str) -> dict[str, Any]:
    answer = client.get(f"/data/v1/async/{request_id}/status", headers=bearer(client))
    assert answer.status_code == 200, answer.data
    return dict(answer.get_json()["status"])


def results(client: FlaskClient, request_id: str, query: str = "") -> Any:
    return client.get(f"/data/v1/async/{request_id}/results{query}", headers=bearer(client))


def stored(app: Flask) -> dict[str, dict[str, Any]]:
    return {row["Id"]: row for row in get_emulator(app).store.rows("People")}


# --- submit and run ------------------------------------------------------------------------------


def test_an_insert_answers_202_with_the_request_id_and_writes_the_rows(
        api: FlaskClient, rest_app: Flask) -> None:
    answer = send(api, {"items": [{"Id": "9", "Name": "Zed", "Age": "7"},
                                  {"id": "8", "NAME": "Yu"}]})
    request_id = submitted(answer)
    assert answer.content_type == "application/json; charset=utf-8"
    assert answer.data == f'{{"requestId":"{request_id}","resultMessages":[]}}'.encode()
    rows = stored(rest_app)
    assert rows["9"]["Name"] == "Zed" and rows["9"]["Age"] == 7
    assert rows["8"]["Name"] == "Yu"
    entry = next(e for e in reversed(get_emulator(rest_app).journal.entries())
                 if e.path == ROWS)
    assert [write["row"]["Id"] for write in entry.rows_written] == ["9", "8"]
    assert (entry.status, entry.client_id) == (202, "rw")


def test_status_is_the_documented_body_in_its_key_order(api: FlaskClient) -> None:
    request_id = submitted(send(api, {"items": [{"Id": "9", "Name": "Zed"}]}))
    answer = api.get(f"/data/v1/async/{request_id}/status", headers=bearer(api))
    body = answer.get_json()
    # the clock is frozen at 05:06:07Z: the platform's times are CST, without a zone
    expected = {"status": {"callDateTime": "2025-03-03T23:06:07",
                           "completionDateTime": "2025-03-03T23:06:07", "hasErrors": False,
                           "pickupDateTime": "2025-03-03T23:06:07",
                           "requestStatus": "Complete", "resultStatus": "OK",
                           "requestId": request_id},
                "requestId": body["requestId"]}
    assert answer.data == json.dumps(expected, separators=(",", ":")).encode()
    assert body["requestId"] != request_id  # the status call has its own id


def test_an_upsert_updates_existing_rows_and_an_insert_refuses_them_row_by_row(
        api: FlaskClient, rest_app: Flask) -> None:
    submitted(send(api, {"items": [{"Id": "1", "Name": "Anna"}]}, method="PUT"))
    assert stored(rest_app)["1"]["Name"] == "Anna"
    assert stored(rest_app)["1"]["Age"] == 30  # an update keeps what the row does not give
    request_id = submitted(send(api, {"items": [{"Id": "2", "Name": "Bobby"},
                                                {"Id": "7", "Name": "New"}]}))
    assert stored(rest_app)["2"]["Name"] == "Bob"
    assert stored(rest_app)["7"]["Name"] == "New"
    answer = results(api, request_id)
    assert answer.status_code == 200
    message = ("Violation of PRIMARY KEY constraint. Cannot insert duplicate key in object "
               "'People'. The duplicate key value is (2).\r\nThe statement has been terminated.")
    assert answer.data == json.dumps(
        {"page": 1, "pageSize": 50, "count": 1,
         "items": [{"errorCode": "UnexpectedError", "message": message, "status": "Error"}]},
        separators=(",", ":")).encode()
    assert status(api, request_id) | {"requestId": ""} == status(api, request_id) | {
        "requestId": "", "requestStatus": "Complete", "hasErrors": True, "resultStatus": "Error"}


def test_each_refused_row_is_one_result_item_and_the_others_are_written(
        api: FlaskClient, rest_app: Flask) -> None:
    request_id = submitted(send(api, {"items": [
        {"Id": "5", "Age": "old"}, {"Id": "6", "Nope": "x"}, {"Name": "no key"},
        {"Id": "7", "Email": "bad"}, {"Id": "8", "Name": "fine"}]}, method="PUT"))
    rows = stored(rest_app)
    assert "8" in rows and not {"5", "6", "7"} & set(rows)
    items = results(api, request_id).get_json()["items"]
    assert [item["errorCode"] for item in items] == ["ValidationError"] * 4
    assert items[0]["message"].startswith("Age: ")
    assert items[1]["message"].startswith("Nope: ")
    assert items[2]["message"].startswith("Id: ")
    assert items[3]["message"].startswith("Email: ")


def test_a_job_whose_every_row_is_refused_ends_in_error(api: FlaskClient) -> None:
    request_id = submitted(send(api, {"items": [{"Id": "1"}]}))  # taken: an insert refuses it
    assert status(api, request_id)["requestStatus"] == "Error"


def test_the_id_form_writes_to_the_de_with_that_object_id(api: FlaskClient,
                                                          rest_app: Flask) -> None:
    url = f"/data/v1/async/dataextensions/{object_id('People').upper()}/rows"
    submitted(send(api, {"items": [{"Id": "11", "Name": "ById"}]}, url=url, method="PUT"))
    assert stored(rest_app)["11"]["Name"] == "ById"


def test_results_page_and_refuse_bad_page_values(api: FlaskClient) -> None:
    request_id = submitted(send(api, {"items": [{"Id": str(n)} for n in range(1, 5)]}))
    second = results(api, request_id, "?page=2&pageSize=3").get_json()
    assert (second["page"], second["pageSize"], second["count"]) == (2, 3, 4)
    assert len(second["items"]) == 1
    for query in ("?page=0", "?pageSize=-1", "?pageSize=1e9", "?page=x", "?pageSize=2501"):
        answer = results(api, request_id, query)
        assert answer.status_code == 400, query
        assert answer.get_json()["errorcode"] == 10005
        assert "whole number" in answer.get_json()["message"]


# --- refusals ------------------------------------------------------------------------------------


def test_an_unknown_de_answers_the_documented_custom_object_not_found(api: FlaskClient) -> None:
    answer = send(api, {"items": [{"Id": "1"}]},
                  url="/data/v1/async/dataextensions/key:Nope/rows")
    assert answer.status_code == 400
    body = answer.get_json()
    assert list(body) == ["requestId", "resultMessages"]
    assert body["resultMessages"] == [{
        "resultType": "Operational", "resultClass": "Error", "resultCode": "CustomObjectNotFound",
        "message": "Failed to resolve the Custom Object from the provided "
                   "ObjectReferenceIdentifier [Id: , Key: Nope]."}]


@pytest.mark.parametrize(("body", "said"), [
    ([{"Id": "1"}], "must be an object {\"items\": [...]}, not an array"),
    ({"rows": []}, "non-empty array of row objects, not no items"),
    ({"items": []}, "non-empty array of row objects, not an array"),
    ({"items": {"Id": "1"}}, "non-empty array of row objects, not an object"),
    ({"items": ["x"]}, "items[0] must be an object of column: value, not a string"),
    ({"items": [{"Id": "1", "Name": ["a"]}]}, "items[0].Name must be a string"),
])
def test_a_body_of_the_wrong_shape_is_refused_and_nothing_is_queued(
        api: FlaskClient, rest_app: Flask, body: Any, said: str) -> None:
    answer = send(api, body)
    assert answer.status_code == 400
    message = answer.get_json()["resultMessages"][0]
    assert message["resultCode"] == "InvalidRequest"
    assert said in message["message"]
    assert len(get_emulator(rest_app).rest_jobs) == 0


def test_a_body_that_is_not_json_is_errorcode_10004(api: FlaskClient) -> None:
    answer = send(api, b"{items: ")
    assert answer.status_code == 400
    assert answer.get_json()["errorcode"] == 10004


def test_a_body_over_5_9_mb_is_refused_before_it_is_read(api: FlaskClient) -> None:
    answer = send(api, b" " * (asyncjobs.MAX_BODY_BYTES + 1))
    assert answer.status_code == 413
    assert answer.get_json() == {
        "message": "The request body of 5900001 bytes is larger than the 5900000 bytes "
                   "accepted.", "errorcode": 10000, "documentation": ""}


def test_the_scope_is_checked_before_the_key_and_the_body(api: FlaskClient) -> None:
    answer = send(api, b"not json", url="/data/v1/async/dataextensions/key:Nope/rows",
                  client_id="ro")
    assert answer.status_code == 403
    assert answer.get_json()["errorcode"] == 20002
    assert api.post(ROWS, json={"items": [{"Id": "1"}]}).status_code == 401


def test_an_unknown_request_id_is_a_404(api: FlaskClient) -> None:
    for part in ("status", "results"):
        answer = api.get(f"/data/v1/async/0000-unknown/{part}", headers=bearer(api))
        assert answer.status_code == 404
        assert answer.get_json() == {"message": "No async request has the id '0000-unknown'.",
                                     "errorcode": 30003, "documentation": ""}


# --- when jobs run -------------------------------------------------------------------------------


def test_a_manual_job_stays_pending_until_the_admin_api_completes_it(
        api: FlaskClient, rest_app: Flask) -> None:
    assert api.post("/_emulator/rest-jobs", json={"completion": "manual"}).status_code == 200
    request_id = submitted(send(api, {"items": [{"Id": "21", "Name": "Later"}]}))
    pending = status(api, request_id)
    assert pending == {"callDateTime": "2025-03-03T23:06:07", "completionDateTime": None,
                       "hasErrors": False, "pickupDateTime": None, "requestStatus": "Pending",
                       "resultStatus": None, "requestId": request_id}
    assert "21" not in stored(rest_app)
    listed = api.get("/_emulator/rest-jobs").get_json()
    assert (listed["completion"], listed["pending"]) == ("manual", 1)
    assert listed["jobs"][0]["requestId"] == request_id
    done = api.post("/_emulator/rest-jobs/complete", json={"requestId": request_id})
    assert done.get_json() == {"completed": [request_id]}
    assert status(api, request_id)["requestStatus"] == "Complete"
    assert stored(rest_app)["21"]["Name"] == "Later"
    again = api.post("/_emulator/rest-jobs/complete", json={"requestId": request_id})
    assert again.status_code == 409
    assert "no pending async job" in again.get_json()["message"]


def test_a_clock_timed_job_runs_once_the_clock_has_passed_its_delay(
        api: FlaskClient, rest_app: Flask) -> None:
    assert api.post("/_emulator/rest-jobs", json={"completion": 30}).status_code == 200
    request_id = submitted(send(api, {"items": [{"Id": "22"}]}))
    api.post("/_emulator/clock", json={"advance": 29})
    assert status(api, request_id)["requestStatus"] == "Pending"
    api.post("/_emulator/clock", json={"advance": 1})
    done = status(api, request_id)
    assert done["requestStatus"] == "Complete"
    assert done["pickupDateTime"] == "2025-03-03T23:06:37"
    assert "22" in stored(rest_app)


def test_the_mock_handle_sets_the_completion_and_completes_jobs(api: FlaskClient,
                                                               rest_app: Flask) -> None:
    mc = EmulatorHandle(rest_app)
    mc.rest_jobs.completion = "manual"
    first = submitted(send(api, {"items": [{"Id": "31"}]}))
    second = submitted(send(api, {"items": [{"Id": "32"}]}))
    assert [job["status"] for job in mc.rest_jobs.jobs()] == ["Pending", "Pending"]
    assert mc.rest_jobs.complete() == [first, second]
    assert {"31", "32"} <= set(stored(rest_app))
    with pytest.raises(KeyError):
        mc.rest_jobs.complete(first)
    with pytest.raises(ValueError, match="'immediate', 'manual' or a number of seconds"):
        mc.rest_jobs.completion = "later"


@pytest.mark.parametrize("body", [None, [], {}, {"completion": "soon"}, {"completion": -1},
                                  {"completion": 86401}, {"completion": True},
                                  {"completion": "manual", "x": 1}])
def test_the_admin_completion_refuses_bad_bodies(api: FlaskClient, body: Any) -> None:
    answer = api.post("/_emulator/rest-jobs", data=json.dumps(body),
                      content_type="application/json")
    assert answer.status_code == 400, body
    assert '{"completion": "manual"}' in answer.get_json()["message"]


@pytest.mark.parametrize("body", [[], {"requestId": 5}, {"id": "x"}])
def test_the_admin_complete_refuses_bad_bodies(api: FlaskClient, body: Any) -> None:
    answer = api.post("/_emulator/rest-jobs/complete", data=json.dumps(body),
                      content_type="application/json")
    assert answer.status_code == 400, body
    assert "requestId" in answer.get_json()["message"]


# --- state and limits ----------------------------------------------------------------------------


def test_a_rollback_forgets_the_jobs_and_puts_the_completion_back(rest_app: Flask) -> None:
    emulator = get_emulator(rest_app)
    client = rest_app.test_client()
    client.post("/_emulator/rest-jobs", json={"completion": "manual"})
    request_id = submitted(send(client, {"items": [{"Id": "41"}]}))
    emulator.rollback()
    assert len(emulator.rest_jobs) == 0
    assert emulator.rest_jobs.completion == "immediate"
    assert client.get(f"/data/v1/async/{request_id}/status",
                      headers=bearer(client)).status_code == 404


def test_a_reset_clears_the_jobs_and_the_completion(api: FlaskClient, rest_app: Flask) -> None:
    api.post("/_emulator/rest-jobs", json={"completion": "manual"})
    submitted(send(api, {"items": [{"Id": "42"}]}))
    assert api.post("/_emulator/reset", json={}).status_code == 200
    emulator = get_emulator(rest_app)
    assert (len(emulator.rest_jobs), emulator.rest_jobs.completion) == (0, "immediate")


def test_pending_jobs_are_bounded_with_a_429(api: FlaskClient,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncjobs, "MAX_PENDING", 2)
    api.post("/_emulator/rest-jobs", json={"completion": "manual"})
    submitted(send(api, {"items": [{"Id": "51"}]}))
    submitted(send(api, {"items": [{"Id": "52"}]}))
    answer = send(api, {"items": [{"Id": "53"}]})
    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "1"
    body = answer.get_json()
    assert list(body) == ["message", "errorcode", "retryAfter", "documentation"]
    assert body["errorcode"] == 50100 and "2 async requests are waiting" in body["message"]


def test_ten_thousand_parallel_jobs_are_bounded(rest_app: Flask) -> None:
    emulator = get_emulator(rest_app)
    jobs = asyncjobs.AsyncJobs("manual")
    now = emulator.clock.now_utc()
    refused = 0
    for number in range(10_000):
        try:
            jobs.submit(emulator.store, request_id=f"job-{number}", mid=0, table="People",
                        mode="upsert", rows=[{"Id": "x"}], now=now)
        except Exception as error:
            assert getattr(error, "status", None) == 429
            refused += 1
    assert (jobs.pending(), refused) == (asyncjobs.MAX_PENDING, 10_000 - asyncjobs.MAX_PENDING)


def test_finished_jobs_kept_are_bounded(rest_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asyncjobs, "JOBS_KEPT", 3)
    emulator = get_emulator(rest_app)
    jobs = asyncjobs.AsyncJobs()
    now = emulator.clock.now_utc()
    with emulator.store.transaction(dry_run=True):
        for number in range(5):
            jobs.submit(emulator.store, request_id=f"job-{number}", mid=0, table="People",
                        mode="upsert", rows=[{"Id": "x"}], now=now)
    assert [job.request_id for job in jobs.jobs()] == ["job-2", "job-3", "job-4"]


@pytest.mark.parametrize(("given", "expected"), [("immediate", "immediate"), ("MANUAL", "manual"),
                                                 ("0", "immediate"), ("2.5", 2.5), (30, 30.0)])
def test_the_setting_reads_its_three_forms(given: Any, expected: Any) -> None:
    assert asyncjobs.parse_completion(given) == expected


def test_the_setting_refuses_other_values(tmp_path: Any) -> None:
    from emulator.config import load_settings
    from emulator.errors import ConfigError

    with pytest.raises(ConfigError, match="expected immediate, manual or a number of seconds"):
        load_settings({"rest_async_completion": "soon"})

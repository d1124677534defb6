from __future__ import annotations

import threading

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from person_api import SERVICE_NAME, __version__, create_app
from person_api.store import DuplicatePersonError, Person, PersonStore


def register(client: FlaskClient, **body: object) -> TestResponse:
    return client.post("/internal/people", json=body)


def assert_json_error(response: TestResponse, status: int) -> dict:
    assert response.status_code == status
    assert response.is_json
    body = response.get_json()
    assert body["status"] == status
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["message"], str) and body["message"]
    return body


# --- status endpoints ---------------------------------------------------------


def test_index_reports_service_and_version(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.get_json() == {"service": SERVICE_NAME, "version": __version__, "status": "ok"}


def test_health(client: FlaskClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_head_health_for_load_balancers(client: FlaskClient) -> None:
    assert client.head("/health").status_code == 200


# --- public endpoint ----------------------------------------------------------


def test_greet_unknown_person(client: FlaskClient) -> None:
    response = client.get("/jdoe/John")
    assert response.status_code == 200
    assert response.get_json() == {
        "person": "jdoe",
        "firstname": "John",
        "known": False,
        "greeting": "Hello, John!",
        "registered": None,
    }


def test_greet_known_person_includes_stored_details(client: FlaskClient) -> None:
    assert register(client, person="jdoe", firstname="John", lastname="Doe").status_code == 201
    response = client.get("/jdoe/Johnny")
    assert response.status_code == 200
    assert response.get_json() == {
        "person": "jdoe",
        "firstname": "Johnny",
        "known": True,
        "greeting": "Hello, Johnny!",
        "registered": {"person": "jdoe", "firstname": "John", "lastname": "Doe"},
    }


def test_person_keys_are_case_sensitive(client: FlaskClient) -> None:
    register(client, person="jdoe", firstname="John")
    assert client.get("/JDoe/John").get_json()["known"] is False


@pytest.mark.parametrize(
    ("path", "firstname"),
    [
        ("/p1/Jean-Luc", "Jean-Luc"),
        ("/p1/O'Brien", "O'Brien"),
        ("/p1/Mary%20Ann", "Mary Ann"),
        ("/p1/Zo%C3%AB", "Zoë"),
        ("/p1/St.", "St."),
        ("/p1/" + "a" * 50, "a" * 50),
    ],
)
def test_greet_accepts_valid_names(client: FlaskClient, path: str, firstname: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.get_json()["greeting"] == f"Hello, {firstname}!"


@pytest.mark.parametrize(
    "path",
    [
        "/" + "p" * 65 + "/John",  # person key too long
        "/-jdoe/John",  # person key must start with a letter or digit
        "/j.doe/John",  # "." not allowed in person keys
        "/j%20doe/John",  # nor spaces
        "/jdoe/" + "a" * 51,  # firstname too long
        "/jdoe/John1",  # digits not allowed in names
        "/jdoe/%3Cscript%3E",  # markup
        "/jdoe/-John",  # must start with a letter
        "/jdoe/John-",  # must end with a letter or "."
        "/jdoe/Mary%20%20Ann",  # consecutive spaces
        "/jdoe/%20John",  # leading space
    ],
)
def test_greet_rejects_invalid_input(client: FlaskClient, path: str) -> None:
    assert_json_error(client.get(path), 400)


@pytest.mark.parametrize("person", ["static", "internal", "health"])
def test_greet_person_keys_that_look_like_other_routes(client: FlaskClient, person: str) -> None:
    response = client.get(f"/{person}/John")
    assert response.status_code == 200
    assert response.get_json()["person"] == person


def test_greet_rejects_non_get(client: FlaskClient) -> None:
    response = client.post("/jdoe/John")
    assert_json_error(response, 405)
    assert "GET" in response.headers["Allow"]


# --- internal: register -------------------------------------------------------


def test_register_person(client: FlaskClient) -> None:
    response = register(client, person="jdoe", firstname="John", lastname="Doe")
    assert response.status_code == 201
    assert response.get_json() == {"person": "jdoe", "firstname": "John", "lastname": "Doe"}


def test_register_person_lastname_is_optional(client: FlaskClient) -> None:
    response = register(client, person="cher", firstname="Cher")
    assert response.status_code == 201
    assert response.get_json() == {"person": "cher", "firstname": "Cher", "lastname": None}


def test_register_person_null_lastname_means_none(client: FlaskClient) -> None:
    response = register(client, person="cher", firstname="Cher", lastname=None)
    assert response.status_code == 201
    assert response.get_json()["lastname"] is None


def test_register_duplicate_is_conflict(client: FlaskClient) -> None:
    assert register(client, person="jdoe", firstname="John").status_code == 201
    body = assert_json_error(register(client, person="jdoe", firstname="Jane"), 409)
    assert "jdoe" in body["message"]
    # The original record is unchanged.
    people = client.get("/internal/people").get_json()["people"]
    assert people == [{"person": "jdoe", "firstname": "John", "lastname": None}]


def test_register_invalid_json_is_bad_request(client: FlaskClient) -> None:
    response = client.post("/internal/people", data="{not json", content_type="application/json")
    assert assert_json_error(response, 400)["message"] == "request body is not valid JSON"


def test_register_requires_json_content_type(client: FlaskClient) -> None:
    response = client.post("/internal/people", data="person=jdoe&firstname=John")
    assert_json_error(response, 415)


@pytest.mark.parametrize("data", ["[]", '["jdoe"]', '"jdoe"', "42", "null"])
def test_register_body_must_be_object(client: FlaskClient, data: str) -> None:
    response = client.post("/internal/people", data=data, content_type="application/json")
    assert assert_json_error(response, 400)["message"] == "request body must be a JSON object"


def test_register_empty_json_body_is_bad_request(client: FlaskClient) -> None:
    response = client.post("/internal/people", data="", content_type="application/json")
    assert assert_json_error(response, 400)["message"] == "request body is not valid JSON"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "missing required field(s): person, firstname"),
        ({"person": "jdoe"}, "missing required field(s): firstname"),
        ({"firstname": "John"}, "missing required field(s): person"),
        ({"person": "jdoe", "firstname": "John", "age": 3}, "unknown field(s): age"),
        ({"person": 7, "firstname": "John"}, "'person' must be a string"),
        ({"person": "", "firstname": "John"}, "'person' must not be empty"),
        ({"person": "j doe", "firstname": "John"}, "'person' may contain only"),
        ({"person": "x" * 65, "firstname": "John"}, "at most 64"),
        ({"person": "jdoe", "firstname": None}, "'firstname' must be a string"),
        ({"person": "jdoe", "firstname": ""}, "'firstname' must not be empty"),
        ({"person": "jdoe", "firstname": "J0hn"}, "'firstname' may contain only"),
        ({"person": "jdoe", "firstname": "J" * 51}, "at most 50"),
        ({"person": "jdoe", "firstname": "John", "lastname": ""}, "'lastname' must not be empty"),
        ({"person": "jdoe", "firstname": "John", "lastname": 1}, "'lastname' must be a string"),
        ({"person": "jdoe", "firstname": "John", "lastname": "D/oe"}, "'lastname' may contain"),
    ],
)
def test_register_validation_errors(client: FlaskClient, body: dict, fragment: str) -> None:
    response = client.post("/internal/people", json=body)
    assert fragment in assert_json_error(response, 400)["message"]
    assert client.get("/internal/people").get_json()["count"] == 0


def test_register_rejects_oversized_body(client: FlaskClient) -> None:
    response = client.post(
        "/internal/people",
        data='{"person": "jdoe", "firstname": "' + "a" * 20000 + '"}',
        content_type="application/json",
    )
    assert_json_error(response, 413)


# --- internal: list -----------------------------------------------------------


def test_list_people_empty(client: FlaskClient) -> None:
    response = client.get("/internal/people")
    assert response.status_code == 200
    assert response.get_json() == {"people": [], "count": 0}


def test_list_people_sorted_by_key(client: FlaskClient) -> None:
    for key, name in [("mike", "Mike"), ("alice", "Alice"), ("zoe", "Zoe"), ("bob", "Bob")]:
        assert register(client, person=key, firstname=name).status_code == 201
    body = client.get("/internal/people").get_json()
    assert body["count"] == 4
    assert [p["person"] for p in body["people"]] == ["alice", "bob", "mike", "zoe"]


# --- internal: delete ---------------------------------------------------------


def test_delete_person(client: FlaskClient) -> None:
    register(client, person="jdoe", firstname="John")
    response = client.delete("/internal/people/jdoe")
    assert response.status_code == 204
    assert response.data == b""
    assert client.get("/internal/people").get_json()["count"] == 0
    assert client.get("/jdoe/John").get_json()["known"] is False
    # The key can be registered again afterwards.
    assert register(client, person="jdoe", firstname="Jane").status_code == 201


def test_delete_unknown_person_is_not_found(client: FlaskClient) -> None:
    assert "ghost" in assert_json_error(client.delete("/internal/people/ghost"), 404)["message"]


def test_delete_invalid_key_is_bad_request(client: FlaskClient) -> None:
    assert_json_error(client.delete("/internal/people/bad.key"), 400)


# --- internal endpoints vs. the public API Gateway path -------------------------


def test_internal_endpoints_hidden_from_public_requests(client: FlaskClient) -> None:
    register(client, person="jdoe", firstname="John")
    public = {"X-Public-Request": "1"}
    # API Gateway's GET /{person}/{firstname} with person=internal,
    # firstname=people would otherwise reach the internal list.
    assert_json_error(client.get("/internal/people", headers=public), 404)
    assert_json_error(client.delete("/internal/people/jdoe", headers=public), 404)
    assert_json_error(
        client.post("/internal/people", json={"person": "x", "firstname": "X"}, headers=public),
        404,
    )
    # Nothing was changed, and the public endpoint still works with the header.
    assert client.get("/internal/people").get_json()["count"] == 1
    assert client.get("/jdoe/John", headers=public).get_json()["known"] is True


def test_public_request_header_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERSON_API_PUBLIC_REQUEST_HEADER", "X-Via-Gateway")
    client = create_app({"TESTING": True}).test_client()
    assert client.get("/internal/people", headers={"X-Public-Request": "1"}).status_code == 200
    assert_json_error(client.get("/internal/people", headers={"X-Via-Gateway": "1"}), 404)

    client = create_app({"TESTING": True, "PUBLIC_REQUEST_HEADER": ""}).test_client()
    assert client.get("/internal/people", headers={"X-Via-Gateway": "1"}).status_code == 200


# --- JSON errors --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/nope", "/a/b/c", "/internal/people/", "/health/x/y/z"])
def test_unknown_path_is_json_404(client: FlaskClient, path: str) -> None:
    assert_json_error(client.get(path), 404)


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("post", "/health", {"GET", "HEAD", "OPTIONS"}),
        ("delete", "/", {"GET", "HEAD", "OPTIONS"}),
        ("put", "/internal/people", {"GET", "HEAD", "OPTIONS", "POST"}),
        ("get", "/internal/people/jdoe", {"DELETE", "OPTIONS"}),
    ],
)
def test_wrong_method_is_json_405(
    client: FlaskClient, method: str, path: str, allowed: set[str]
) -> None:
    response = getattr(client, method)(path)
    assert_json_error(response, 405)
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


def test_unhandled_exception_is_json_500_without_details() -> None:
    app = create_app()  # not TESTING, so the exception is handled, not propagated

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("secret internals")

    body = assert_json_error(app.test_client().get("/boom"), 500)
    assert "secret" not in body["message"]


# --- store isolation and thread safety ----------------------------------------


def test_each_app_has_its_own_store() -> None:
    first = create_app({"TESTING": True}).test_client()
    second = create_app({"TESTING": True}).test_client()
    assert register(first, person="jdoe", firstname="John").status_code == 201
    assert first.get("/internal/people").get_json()["count"] == 1
    assert second.get("/internal/people").get_json()["count"] == 0
    assert second.get("/jdoe/John").get_json()["known"] is False
    # The same key is free in the other app.
    assert register(second, person="jdoe", firstname="Jane").status_code == 201


def test_store_concurrent_registration_has_one_winner() -> None:
    store = PersonStore()
    winners: list[int] = []
    barrier = threading.Barrier(16)

    def worker(i: int) -> None:
        barrier.wait()
        try:
            store.add(Person(person="same", firstname=f"N{'a' * i}"))
        except DuplicatePersonError:
            return
        winners.append(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(winners) == 1
    assert len(store) == 1


def test_store_concurrent_distinct_registrations() -> None:
    app = create_app({"TESTING": True})

    def worker(start: int) -> None:
        client = app.test_client()
        for i in range(start, start + 25):
            assert register(client, person=f"p{i:03d}", firstname="Ann").status_code == 201

    threads = [threading.Thread(target=worker, args=(n * 25,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    body = app.test_client().get("/internal/people").get_json()
    assert body["count"] == 200
    assert [p["person"] for p in body["people"]] == [f"p{i:03d}" for i in range(200)]

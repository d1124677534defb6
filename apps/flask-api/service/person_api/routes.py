"""HTTP endpoints.

* ``status_bp``: ``GET /`` and ``GET /health`` (load balancer health checks).
* ``internal_bp``: ``/internal/people`` management, reachable only from inside
  the VPC (through the internal Network Load Balancer).
* ``public_bp``: ``GET /<person>/<firstname>``, the one route that API Gateway
  exposes to the internet.
"""

from __future__ import annotations

from typing import NoReturn

from flask import Blueprint, Response, abort, current_app, jsonify, request
from werkzeug.exceptions import BadRequest

from ._version import SERVICE_NAME, __version__
from .store import DuplicatePersonError, Person, PersonStore
from .validation import name_error, person_key_error

status_bp = Blueprint("status", __name__)
internal_bp = Blueprint("internal", __name__, url_prefix="/internal")
public_bp = Blueprint("public", __name__)

_PERSON_FIELDS = frozenset({"person", "firstname", "lastname"})


def _store() -> PersonStore:
    return current_app.extensions["person_store"]


def _bad_request(message: str) -> NoReturn:
    abort(400, description=message)


# --- status -----------------------------------------------------------------


@status_bp.get("/")
def index() -> Response:
    return jsonify(service=SERVICE_NAME, version=__version__, status="ok")


@status_bp.get("/health")
def health() -> Response:
    return jsonify(status="ok")


# --- public -----------------------------------------------------------------


@public_bp.get("/<person>/<firstname>")
def greet(person: str, firstname: str) -> Response:
    """Greet ``firstname``; say whether ``person`` is a registered key.

    Unknown people are not an error: the answer is 200 with ``known: false``
    and ``registered: null``.
    """
    for error in (person_key_error(person), name_error(firstname, "firstname")):
        if error:
            _bad_request(error)
    registered = _store().get(person)
    return jsonify(
        person=person,
        firstname=firstname,
        known=registered is not None,
        greeting=f"Hello, {firstname}!",
        registered=registered.to_dict() if registered else None,
    )


# --- internal ---------------------------------------------------------------


@internal_bp.before_request
def reject_public_requests() -> None:
    header = current_app.config.get("PUBLIC_REQUEST_HEADER")
    if header and header in request.headers:
        abort(404)


@internal_bp.get("/people")
def list_people() -> Response:
    people = [p.to_dict() for p in _store().list()]
    return jsonify(people=people, count=len(people))


@internal_bp.post("/people")
def register_person() -> tuple[Response, int]:
    if not request.is_json:
        abort(415, description="Content-Type must be application/json")
    try:
        body = request.get_json()
    except BadRequest:
        _bad_request("request body is not valid JSON")
    if not isinstance(body, dict):
        _bad_request("request body must be a JSON object")

    unknown = sorted(set(body) - _PERSON_FIELDS)
    if unknown:
        _bad_request(f"unknown field(s): {', '.join(unknown)}")
    missing = [f for f in ("person", "firstname") if f not in body]
    if missing:
        _bad_request(f"missing required field(s): {', '.join(missing)}")

    lastname = body.get("lastname")
    errors = [
        person_key_error(body["person"]),
        name_error(body["firstname"], "firstname"),
        name_error(lastname, "lastname") if lastname is not None else None,
    ]
    for error in errors:
        if error:
            _bad_request(error)

    person = Person(person=body["person"], firstname=body["firstname"], lastname=lastname)
    try:
        _store().add(person)
    except DuplicatePersonError:
        abort(409, description=f"person '{person.person}' is already registered")
    return jsonify(person.to_dict()), 201


@internal_bp.delete("/people/<person>")
def delete_person(person: str) -> tuple[str, int]:
    error = person_key_error(person)
    if error:
        _bad_request(error)
    if not _store().remove(person):
        abort(404, description=f"person '{person}' is not registered")
    return "", 204

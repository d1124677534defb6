"""Person API: the Flask service deployed by cloudwright's flask-api app.

Use :func:`create_app` to build an application, e.g.::

    gunicorn "person_api:create_app()"
    flask --app person_api run
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from ._version import SERVICE_NAME, __version__
from .routes import internal_bp, public_bp, status_bp
from .store import PersonStore

__all__ = ["SERVICE_NAME", "__version__", "create_app"]

STORE_EXTENSION = "person_store"

DEFAULT_CONFIG: dict[str, Any] = {
    # Request bodies are tiny JSON documents; refuse anything large (413).
    "MAX_CONTENT_LENGTH": 16 * 1024,
    # Name of a header that marks a request as having come through the public
    # API Gateway. The endpoints under /internal answer 404 to any request that
    # carries it. See README.md ("Keeping /internal private"). Empty disables.
    "PUBLIC_REQUEST_HEADER": "X-Public-Request",
}


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build a new application with its own, empty, person store.

    Configuration comes from :data:`DEFAULT_CONFIG`, then from environment
    variables prefixed ``PERSON_API_`` (e.g. ``PERSON_API_PUBLIC_REQUEST_HEADER``),
    then from ``test_config``.
    """
    # No static folder: its /static/<path> route would shadow the public
    # /<person>/<firstname> route for the person key "static".
    app = Flask(__name__, static_folder=None)
    app.config.update(DEFAULT_CONFIG)
    app.config.from_prefixed_env("PERSON_API")
    if test_config is not None:
        app.config.update(test_config)

    # All mutable state lives on the app instance: each app gets a fresh store.
    app.extensions[STORE_EXTENSION] = PersonStore()

    app.register_blueprint(status_bp)
    app.register_blueprint(internal_bp)
    app.register_blueprint(public_bp)

    @app.errorhandler(HTTPException)
    def json_http_error(error: HTTPException) -> Response:
        # Unhandled exceptions reach this handler as InternalServerError, whose
        # generic description does not leak internals (Flask logs the cause).
        response = app.json.response(error=error.name, message=error.description, status=error.code)
        response.status_code = error.code or 500
        # Keep headers the error defines, such as Allow on 405.
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    return app

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from person_api import create_app


@pytest.fixture
def app(monkeypatch: pytest.MonkeyPatch) -> Flask:
    # Keep the developer's environment from changing the app's configuration.
    monkeypatch.delenv("PERSON_API_PUBLIC_REQUEST_HEADER", raising=False)
    return create_app({"TESTING": True})


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()

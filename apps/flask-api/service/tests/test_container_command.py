"""The service under the command and settings it runs with in its container.

The Dockerfile's CMD is read from the Dockerfile itself and run as it is, with gunicorn,
one worker process with threads, the worker heartbeat files in /tmp (the task's scratch
volume: the root file system is read-only) and the image's environment. Only the port of
the bind address is swapped for a free one, because 8080 may be taken on a shared test
machine; the address 0.0.0.0 and every other argument are kept, and the Dockerfile's port
is checked separately. When the tests run as root and the interpreter is reachable by other
users, the server runs as the image's user (10001:10001), as in the task definition.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

SERVICE_DIR = Path(__file__).resolve().parent.parent
DOCKERFILE = SERVICE_DIR / "Dockerfile"
IMAGE_UID = 10001


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    current = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not current and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, rest = current.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        current = ""
    return instructions


def _instruction(keyword: str) -> str:
    values = [rest for kw, rest in _instructions() if kw == keyword]
    assert values, f"the Dockerfile has no {keyword}"
    return values[-1]


def _cmd() -> list[str]:
    argv = json.loads(_instruction("CMD"))
    assert isinstance(argv, list) and all(isinstance(a, str) for a in argv)
    return argv


def _option(argv: list[str], name: str) -> str:
    assert name in argv, f"{name} missing from {argv}"
    return argv[argv.index(name) + 1]


def _image_env() -> dict[str, str]:
    """The ENV of the image (KEY=value pairs)."""
    env: dict[str, str] = {}
    for keyword, rest in _instructions():
        if keyword == "ENV":
            for pair in rest.split():
                key, _, value = pair.partition("=")
                env[key] = value
    return env


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _reachable_by_others(path: Path) -> bool:
    """Whether a user other than the owner can reach `path` (every directory above searchable)."""
    path = path.resolve()
    for directory in [*path.parents]:
        if not directory.stat().st_mode & stat.S_IXOTH:
            return False
    return bool(path.stat().st_mode & (stat.S_IROTH | stat.S_IXOTH))


def _run_as_image_user() -> bool:
    return (
        os.geteuid() == 0
        and _reachable_by_others(Path(sys.executable))
        and _reachable_by_others(SERVICE_DIR / "person_api" / "__init__.py")
    )


def test_the_dockerfile_runs_gunicorn_unprivileged_with_a_scratch_tmp() -> None:
    argv = _cmd()
    assert argv[0] == "gunicorn"
    # an unprivileged port: the task definition drops every capability
    assert _option(argv, "--bind") == "0.0.0.0:8080"
    assert _instruction("EXPOSE") == "8080"
    assert _option(argv, "--worker-tmp-dir") == "/tmp"
    assert _instruction("USER") == f"{IMAGE_UID}:{IMAGE_UID}"
    # no file capability is granted any more: nothing needs one
    assert "setcap" not in DOCKERFILE.read_text(encoding="utf-8")


@pytest.fixture
def server() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    argv = _cmd()
    port = _free_port()
    bind = argv.index("--bind") + 1
    argv[bind] = f"0.0.0.0:{port}"
    gunicorn = Path(sys.executable).parent / "gunicorn"
    if gunicorn.exists():
        argv[0] = str(gunicorn)
    else:
        argv[0:1] = [sys.executable, "-m", "gunicorn"]
    env = {"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", **_image_env()}
    extra: dict[str, object] = {}
    if _run_as_image_user():
        extra = {"user": IMAGE_UID, "group": IMAGE_UID, "extra_groups": []}
    assert shutil.which(argv[0]) or Path(argv[0]).exists()
    process = subprocess.Popen(  # noqa: S603 - the Dockerfile's own command
        argv,
        cwd=SERVICE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **extra,  # type: ignore[arg-type]
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{output}")
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not answer /health within 30 s")
                time.sleep(0.2)
        yield base, process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


def _get(url: str) -> tuple[int, dict[str, object]]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.loads(response.read())


def test_the_container_command_serves_health_and_the_public_route(
    server: tuple[str, subprocess.Popen[bytes]],
) -> None:
    base, process = server
    assert _get(f"{base}/health") == (200, {"status": "ok"})
    status, body = _get(f"{base}/jdoe/John")
    assert status == 200
    assert body["greeting"] == "Hello, John!"
    if _run_as_image_user():
        # the worker runs as the image's user, not as root
        status_file = Path(f"/proc/{process.pid}/status").read_text(encoding="utf-8")
        uid_line = next(line for line in status_file.splitlines() if line.startswith("Uid:"))
        assert uid_line.split()[1:] == [str(IMAGE_UID)] * 4

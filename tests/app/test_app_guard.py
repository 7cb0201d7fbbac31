"""The app's HTTP surface over loopback: a Content-Security-Policy on every response, no upload
route, no state-changing request from another origin or host name, a temp folder of its own that
goes away with the app, and no traceback or raw exception text for a malformed API call."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.net import free_port
from tests.support.paths import ROOT
from tests.support.served import serving_index

EVIL = "http://evil.example"


@pytest.fixture()
def served(hash_index: Path, bank_file: Path):
    with serving_index(hash_index, bank_file) as url:
        yield url


def _files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def test_every_response_carries_the_content_security_policy(served: str) -> None:
    import httpx

    from assistant.ui.server import CONTENT_SECURITY_POLICY

    with httpx.Client(base_url=served, timeout=10) as http:
        for path in ("/", "/gradio_api/info", "/gradio_api/config", "/no/such/page", "/gradio_api/file=/etc/passwd"):
            response = http.get(path)
            assert response.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, path
            assert response.headers.get("x-content-type-options") == "nosniff", path
        refused = http.post("/gradio_api/upload", files={"files": ("a.bin", b"x")})
        assert refused.headers.get("content-security-policy") == CONTENT_SECURITY_POLICY
    for directive in (
        "default-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-src 'self'",
        "media-src 'self'",
        "font-src 'self'",
    ):
        assert directive in CONTENT_SECURITY_POLICY
    assert "http" not in CONTENT_SECURITY_POLICY and "*" not in CONTENT_SECURITY_POLICY


def test_the_upload_route_refuses_from_anywhere_and_writes_nothing(served: str) -> None:
    import httpx

    temp = Path(os.environ["GRADIO_TEMP_DIR"])
    before = set(_files_under(temp))
    big = os.urandom(1 << 20)
    with httpx.Client(base_url=served, timeout=30) as http:
        for headers in ({}, {"Origin": EVIL}, {"Origin": served}):
            for path in ("/gradio_api/upload", "/gradio_api/upload/", "/upload", "/gradio_api/upload?upload_id=x"):
                files = [("files", (f"f{i}.bin", big)) for i in range(3)]
                response = http.post(path, files=files, headers=headers)
                assert response.status_code == 403, (path, headers, response.status_code)
                assert "uploads are switched off" in response.text
    assert set(_files_under(temp)) == before


def test_state_changing_requests_from_another_origin_are_refused(served: str) -> None:
    import httpx

    body = {"data": ["momentum"]}
    with httpx.Client(base_url=served, timeout=30) as http:
        for origin in (EVIL, "null", "http://127.0.0.1:1", "http://localhost.evil.example"):
            response = http.post("/gradio_api/call/search", json=body, headers={"Origin": origin})
            assert response.status_code == 403, origin
            assert http.post("/gradio_api/queue/join", json={}, headers={"Origin": origin}).status_code == 403
        # A browser's no-cors POST from another site says so in Sec-Fetch-Site even without a usable Origin.
        assert (
            http.post("/gradio_api/call/search", json=body, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
        )
        # The app's own page, and API clients that send no Origin, get through.
        own = http.post(
            "/gradio_api/call/search", json=body, headers={"Origin": served, "Sec-Fetch-Site": "same-origin"}
        )
        assert own.status_code == 200 and "event_id" in own.json()
        assert http.post("/gradio_api/call/search", json=body).status_code == 200
        # Reading the page is fine from anywhere a user types the address.
        assert http.get("/", headers={"Origin": EVIL}).status_code == 200


def test_a_foreign_host_name_is_refused_on_loopback(served: str) -> None:
    """DNS rebinding: a site that points its own name at 127.0.0.1 is "same origin" with itself."""
    import httpx

    port = served.rsplit(":", 1)[1]
    with httpx.Client(base_url=served, timeout=10) as http:
        assert http.get("/", headers={"Host": f"evil.example:{port}"}).status_code == 403
        forged = {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"}
        assert http.post("/gradio_api/call/search", json={"data": ["x"]}, headers=forged).status_code == 403
        assert http.get("/", headers={"Host": f"localhost:{port}"}).status_code == 200


def test_the_temp_folder_is_the_apps_own(served: str) -> None:
    temp = Path(os.environ["GRADIO_TEMP_DIR"])
    assert temp.is_dir() and temp.name.startswith(f"slidebank-gradio-{os.getpid()}-")
    assert temp != Path(tempfile.gettempdir()) / "gradio"


def _read_events(http, url: str) -> str:
    with http.stream("GET", url) as response:
        return "".join(response.iter_text())


def test_a_malformed_call_gets_one_message_and_logs_no_traceback(hash_index: Path, bank_file: Path) -> None:
    """``python app.py`` as a user runs it: a null query over the API, then SIGTERM removes the temp folder."""
    import httpx

    port = free_port()
    command = [sys.executable, "app.py", "--port", str(port), "--index", str(hash_index), "--bank", str(bank_file)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            assert proc.poll() is None, proc.stderr.read()
            try:
                if httpx.get(base + "/", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.3)
        (temp,) = Path(tempfile.gettempdir()).glob(f"slidebank-gradio-{proc.pid}-*")
        with httpx.Client(base_url=base, timeout=60) as http:
            for data in ([None], [17], [{"a": 1}], [["x"]], []):
                event = http.post("/gradio_api/call/search", json={"data": data}).json()["event_id"]
                stream = _read_events(http, f"/gradio_api/call/search/{event}")
                for raw in ("Traceback", "Error(", "AttributeError", "TypeError", "NoneType", 'File "'):
                    assert raw not in stream, (data, stream[:300])
                if "event: error" not in stream:
                    continue  # Gradio turned the value into text (17 → "17"): an ordinary search
                payload = json.loads(stream.split("event: error", 1)[1].split("data:", 1)[1].strip().splitlines()[0])
                error = payload.get("error") if isinstance(payload, dict) else payload
                assert error in (
                    "the query must be text",
                    "this request does not carry the inputs the endpoint takes",
                ) or error.startswith("Something went wrong"), (data, error)
                if data == [None]:
                    assert error == "the query must be text"
            ok = http.post("/gradio_api/call/search", json={"data": ["momentum"]}).json()["event_id"]
            assert "sb-card" in _read_events(http, f"/gradio_api/call/search/{ok}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            _, stderr = proc.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, stderr = proc.communicate(timeout=10)
    assert "Traceback" not in stderr, stderr
    assert not temp.exists(), "the app's temp folder outlived it"

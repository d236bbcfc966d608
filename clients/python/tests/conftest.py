"""Starts the service from the built jar (`target/paramlab-*.jar`) on a free port with its data in a
temporary folder, for the session; `PARAMLAB_URL` points the tests at a running service instead."""
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
CONFORMANCE = os.path.join(REPO, "src", "test", "resources", "conformance")
sys.path.insert(0, os.path.join(HERE, "..", "src"))
sys.path.insert(1, os.path.join(CONFORMANCE, "scripts"))


def _jar():
    if os.environ.get("PARAMLAB_JAR"):
        return os.environ["PARAMLAB_JAR"]
    jars = [j for j in glob.glob(os.path.join(REPO, "target", "paramlab-*.jar")) if not j.endswith("-plain.jar")]
    return max(jars, key=os.path.getmtime) if jars else None


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def service_url():
    url = os.environ.get("PARAMLAB_URL")
    if url:
        yield url.rstrip("/")
        return
    jar = _jar()
    java = shutil.which("java")
    if not jar or not java:
        pytest.skip("no service: build the jar first (./mvnw package) and have java on the PATH, "
                    "or set PARAMLAB_URL")
    port = _free_port()
    data = tempfile.mkdtemp(prefix="paramlab-pytest-")
    log_path = os.path.join(data, "service.log")
    env = dict(os.environ, PARAMLAB_DATA_DIR=os.path.join(data, "data"))
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([java, "-Xmx1g", "-jar", jar, f"--server.port={port}",
                                 "--server.address=127.0.0.1"], stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 180
        while True:
            if proc.poll() is not None:
                with open(log_path, errors="replace") as f:
                    tail = f.read()[-3000:]
                pytest.fail(f"the service exited with {proc.returncode}:\n{tail}")
            try:
                if requests.get(url + "/actuator/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline:
                pytest.fail("the service did not start within 180 s")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(data, ignore_errors=True)


@pytest.fixture(scope="session")
def client(service_url):
    import paramlab
    return paramlab.connect(service_url)


def skip_unless_endpoint(exc, what):
    """Skips the test when the service lacks the endpoint (404 without a problem of ours, 405)."""
    import paramlab
    if isinstance(exc, paramlab.ParamlabError) and (exc.status == 405 or (
            exc.status == 404 and "No static resource" in str(exc))):
        pytest.skip(f"{what}: the service has no such endpoint yet ({exc.status}: {exc})")
    raise exc

"""A trainer stream on a real server: a client that closes it stops the training."""

import json
import socket
import threading
import time

import httpx
import pytest
import uvicorn

from server.main import create_app
from server.routes import trainer

LONG_RUN = {
    "data": {"dataset": "spiral", "n_points": 500},
    "network": {"hidden": [8, 8], "activations": ["tanh", "tanh"]},
    "stop": {"epochs": 2000},
}


@pytest.fixture(scope="module")
def url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(), port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_closing_the_stream_stops_the_training(url):
    snapshots = 0
    with httpx.Client(base_url=url, timeout=60) as client:
        with client.stream("POST", "/api/v1/trainer/stream", json=LONG_RUN) as response:
            assert response.status_code == 200
            for line in response.iter_lines():
                if line.startswith("data: ") and '"history"' in line:
                    assert json.loads(line[6:])["done"] is False
                    snapshots += 1
                    if snapshots == 3:
                        break  # the student pressed Pause: the connection closes
    seen = trainer.CHUNKS_TRAINED[0]
    time.sleep(1.0)  # about twelve chunks' worth of time
    # At most the chunk that was running when the client left is finished; nothing after it.
    assert trainer.CHUNKS_TRAINED[0] <= seen + 1
    time.sleep(0.5)
    assert trainer.CHUNKS_TRAINED[0] <= seen + 1

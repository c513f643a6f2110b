"""How the playground is served: the console script, its options, the installed layout."""

import asyncio
import importlib
import socket
import tomllib
from pathlib import Path

from uvicorn.config import Config
from uvicorn.server import ServerState

import server
from server.serve import GuardedH11Protocol, parse_args, uvicorn_options
from server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_console_script_points_at_a_callable():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    module, _, name = project["scripts"]["dl-playground"].partition(":")
    assert callable(getattr(importlib.import_module(module), name))


def test_options_use_uvicorns_limits_and_the_guarded_protocol():
    options = uvicorn_options(parse_args(["--host", "0.0.0.0", "--port", "9000", "--workers", "3"]))
    assert (options["host"], options["port"], options["workers"]) == ("0.0.0.0", 9000, 3)
    assert options["http"] is GuardedH11Protocol
    assert options["limit_concurrency"] > 0 and options["timeout_keep_alive"] > 0


def test_static_files_are_package_data_found_beside_the_server_package():
    # A wheel installs `static/` next to `server/` in site-packages (as in a checkout), so the
    # default static_dir resolves from the installed package, from any working directory.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "static*" in config["packages"]["find"]["include"]
    assert config["package-data"]["static"] == ["**/*"]
    static = Settings().static_dir
    assert static == Path(server.__file__).resolve().parent.parent / "static"
    for needed in ("index.html", "js/api.js", "vendor/katex/katex.min.js"):
        assert (static / needed).is_file(), needed


def test_connections_get_tcp_nodelay():
    # Without it, Nagle's algorithm and delayed ACKs add ~40 ms per kept-alive request.
    class Transport:
        def __init__(self, sock):
            self.sock = sock

        def get_extra_info(self, name, default=None):
            info = {"socket": self.sock, "peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}
            return info.get(name, default)

        def is_closing(self):
            return False

        def close(self):
            pass

    loop = asyncio.new_event_loop()
    try:

        async def app(scope, receive, send):  # pragma: no cover - never called
            pass

        config = Config(app=app, lifespan="off")
        config.load()
        protocol = GuardedH11Protocol(config, ServerState(), app_state={}, _loop=loop)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0) as sock:
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0
            protocol.connection_made(Transport(sock))
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
            protocol._disarm_header_timer()
    finally:
        loop.close()

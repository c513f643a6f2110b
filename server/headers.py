"""Response headers: security policy, caching, and gzip compression of large answers.

- **Content-Security-Policy** with no external source at all: scripts, styles, fonts, images and
  API calls come from this server only. Inline scripts of the pages (and of ``/docs``) are
  allowed by their SHA-256 hash, computed from the files when the app starts; inline *styles*
  are allowed because Plotly and KaTeX set them. ``frame-ancestors 'none'``: no other site may
  frame the playground. Plus ``nosniff``, ``Referrer-Policy: no-referrer``, and COOP.
- **Caching**: ``/vendor/*`` (third-party files that change only with a release) is cached for
  a year as immutable; pages, scripts and styles must be revalidated (``no-cache``: the browser
  asks with the ETag and gets a 304 when nothing changed); API answers are never stored.
- **Compression**: an answer of at least ``gzip_minimum_bytes`` is gzip-compressed when the
  client accepts it; large answers are compressed in a worker thread, not on the event loop.
  A client on the same machine (a loopback address) gets the plain answer unless
  ``gzip_loopback`` is set: its bytes cost nothing to move, and compressing them would only add
  time (about 10 ms for the largest default answer).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from html import unescape as html_unescape
from pathlib import Path

import anyio.to_thread

from server.settings import Settings

SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
COMPRESSIBLE = (b"application/json", b"text/", b"application/javascript", b"image/svg+xml")
THREAD_COMPRESS_BYTES = 64 * 1024  # compress larger bodies off the event loop
MAX_BUFFER_BYTES = 16 * 1024 * 1024  # never hold more than this to compress it


HANDLER = re.compile(r"""\son[a-z]+\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I)


def _source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def inline_script_hashes(html: str) -> list[str]:
    """CSP sources ('sha256-...') of the inline scripts and inline event handlers (such as
    ``onsubmit="return false"``) of an HTML page; handlers need 'unsafe-hashes' beside them."""
    hashes = []
    for attributes, body in SCRIPT.findall(html):
        if "src=" in attributes.replace(" ", "") or not body.strip():
            continue
        hashes.append(_source(body))
    for double, single in HANDLER.findall(html):
        hashes.append(_source(html_unescape(double or single)))
    return hashes


def content_security_policy(script_hashes: list[str]) -> str:
    hashes = sorted(set(script_hashes))
    scripts = " ".join(["'self'", *(["'unsafe-hashes'"] if hashes else []), *hashes])
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src 'self' blob:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def page_script_hashes(static_dir: Path) -> list[str]:
    hashes: list[str] = []
    for page in sorted(Path(static_dir).glob("*.html")):
        hashes += inline_script_hashes(page.read_text(encoding="utf-8"))
    return hashes


def cache_control(path: str) -> bytes:
    if path.startswith("/vendor/"):
        return b"public, max-age=31536000, immutable"
    if path.startswith("/api/"):
        return b"no-store"
    return b"no-cache"


class HeadersMiddleware:
    """Add the security and caching headers to every HTTP answer that has none of its own."""

    def __init__(self, app, csp: str):
        self.app = app
        self.fixed = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cache = cache_control(scope["path"])

        async def with_headers(message):
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(n, v) for n, v in self.fixed if n not in present]
                if b"cache-control" not in present:
                    headers.append((b"cache-control", cache))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)


def _loopback(scope) -> bool:
    client = scope.get("client")
    host = client[0] if client else ""
    return host.startswith("127.") or host in ("::1", "localhost")


def _accepts_gzip(scope) -> bool:
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            return b"gzip" in value.lower()
    return False


class CompressMiddleware:
    """Gzip an answer of at least ``minimum`` bytes when the client accepts gzip.

    The answer is buffered (API answers are a single JSON body anyway); one that already has a
    Content-Encoding, one of a type that does not compress, or one larger than 16 MB passes
    through unchanged."""

    def __init__(self, app, minimum: int, level: int, loopback: bool = False):
        self.app = app
        self.minimum = minimum
        self.level = level
        self.loopback = loopback

    async def __call__(self, scope, receive, send):
        if (
            scope["type"] != "http"
            or scope["method"] == "HEAD"
            or not _accepts_gzip(scope)
            or (not self.loopback and _loopback(scope))
        ):
            await self.app(scope, receive, send)
            return
        start: dict | None = None
        chunks: list[bytes] = []
        size = 0
        passing = False

        async def buffered(message):
            nonlocal start, size, passing
            if passing:
                await send(message)
                return
            if message["type"] == "http.response.start":
                headers = {n.lower(): v for n, v in message.get("headers", [])}
                kind = headers.get(b"content-type", b"")
                if (
                    b"content-encoding" in headers
                    or not kind.startswith(COMPRESSIBLE)
                    or kind.startswith(b"text/event-stream")  # a stream must not wait
                    or message.get("status", 200) in (204, 304)
                ):
                    passing = True
                    await send(message)
                else:
                    start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            more = message.get("more_body", False)
            if more and size <= MAX_BUFFER_BYTES:
                return
            body = b"".join(chunks)
            chunks.clear()
            if more:  # too large to hold: send it as it comes
                passing = True
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": True})
                return
            await self._finish(send, start, body)

        await self.app(scope, receive, buffered)

    async def _finish(self, send, start: dict, body: bytes) -> None:
        headers = [(n, v) for n, v in start.get("headers", []) if n.lower() != b"content-length"]
        if len(body) >= self.minimum:
            if len(body) >= THREAD_COMPRESS_BYTES:
                body = await anyio.to_thread.run_sync(self._compress, body)
            else:
                body = self._compress(body)
            headers.append((b"content-encoding", b"gzip"))
            # The compressed bytes differ from the file's: its ETag becomes a weak one.
            headers = [
                (n, b"W/" + v if n.lower() == b"etag" and not v.startswith(b"W/") else v)
                for n, v in headers
            ]
        vary = [v for n, v in headers if n.lower() == b"vary"]
        if not vary:
            headers.append((b"vary", b"Accept-Encoding"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**start, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _compress(self, body: bytes) -> bytes:
        return gzip.compress(body, compresslevel=self.level, mtime=0)


def install_headers(app, settings: Settings, extra_script_hashes: list[str] = ()) -> None:
    """Compression inside, headers outside (so that 413s and 503s get them too)."""
    app.add_middleware(
        CompressMiddleware,
        minimum=settings.gzip_minimum_bytes,
        level=settings.gzip_level,
        loopback=settings.gzip_loopback,
    )
    hashes = page_script_hashes(settings.static_dir) + list(extra_script_hashes)
    app.add_middleware(HeadersMiddleware, csp=content_security_policy(hashes))

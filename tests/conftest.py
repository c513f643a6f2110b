import os

import anyio
from hypothesis import settings

# CI machines are small and shared: no deadlines on hypothesis examples there, and the same
# examples on every run, so a landing is judged on the code, not on the draw (a counterexample
# found while developing stays as an explicit @example).
settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# anyio loads most of itself on first use. In a test whose server runs in a thread (the browser
# tests' live server), that first use could come in the server thread while the main thread
# compiles a test module; CPython 3.11 fails one of two compilations at once ("SystemError: AST
# constructor recursion depth mismatch", seen as a 500 on a static file). Load it all here, in
# the main thread, before any server starts.
for _name in dir(anyio):
    getattr(anyio, _name)

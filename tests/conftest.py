import os

from hypothesis import settings

# CI machines are small and shared: no deadlines on hypothesis examples there, and the same
# examples on every run, so a landing is judged on the code, not on the draw (a counterexample
# found while developing stays as an explicit @example).
settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

import os

from hypothesis import settings

# CI machines are small and shared: no deadlines on hypothesis examples there.
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

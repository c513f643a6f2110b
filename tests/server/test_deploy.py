"""Deployment files: Kubernetes manifests checked against the API schemas (offline, with
kubernetes-validate's bundled schemas), the compose file and the image's build context."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = sorted((ROOT / "deploy" / "k8s").glob("*.yaml"))


def _validator() -> str:
    found = shutil.which("kubernetes-validate") or str(
        Path(sys.executable).parent / "kubernetes-validate"
    )
    if not Path(found).exists():
        pytest.fail("kubernetes-validate is not installed (part of the dev extras)")
    return found


def test_manifests_match_the_kubernetes_schemas():
    result = subprocess.run(
        [_validator(), "--strict", "--quiet", *map(str, K8S)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_validator_rejects_a_broken_manifest(tmp_path):
    broken = (
        (ROOT / "deploy/k8s/deployment.yaml")
        .read_text()
        .replace("containerPort: 8000", 'containerPort: "eight"')
    )
    (tmp_path / "broken.yaml").write_text(broken)
    result = subprocess.run(
        [_validator(), "--strict", "--quiet", str(tmp_path / "broken.yaml")],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0


def _kinds() -> dict:
    return {doc["kind"]: doc for path in K8S for doc in yaml.safe_load_all(path.read_text())}


def test_the_deployment_has_probes_resources_and_the_other_objects_exist():
    kinds = _kinds()
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= set(kinds)
    container = kinds["Deployment"]["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    limits, requests = container["resources"]["limits"], container["resources"]["requests"]
    assert limits["memory"] == "1Gi" and requests["memory"] == "512Mi"
    hpa = kinds["HorizontalPodAutoscaler"]["spec"]
    assert hpa["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["minReplicas"] >= kinds["PodDisruptionBudget"]["spec"]["minAvailable"]


def test_compose_puts_the_app_behind_nginx():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert services["app"]["environment"]["WEB_CONCURRENCY"] == "2"
    assert "healthz" in " ".join(services["app"]["healthcheck"]["test"])
    volumes = " ".join(services["proxy"]["volumes"])
    assert "deploy/nginx.conf" in volumes and "./static" in volumes
    assert (ROOT / "deploy/nginx.conf").is_file()


def test_the_image_is_built_from_the_lock_file_on_a_pinned_base():
    text = (ROOT / "Dockerfile").read_text()
    assert "@sha256:" in text.split("FROM", 1)[1].splitlines()[0]
    assert "-r requirements.lock" in text
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".git", ".venv", "tests", "bench", "deploy", "requirements-dev.lock"):
        assert path in ignored
    for needed in ("requirements.lock", "pyproject.toml", "README.md", "core", "server", "static"):
        assert needed not in ignored

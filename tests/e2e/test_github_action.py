"""The GitHub Actions composite action (.github/actions/basalt) runs as the runner runs it: each `run` step of
action.yml in bash, with its `env` inputs substituted and GITHUB_OUTPUT/GITHUB_ENV/RUNNER_TEMP as files, using
the Basalt under test as `basalt-bin` (so the build step is skipped, as its `if` says)."""

import os
import pathlib
import re
import signal
import socket
import subprocess

import pytest
import requests
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
ACTION = REPO / ".github" / "actions" / "basalt"
BINARY = pathlib.Path(os.environ.get("BASALT_BIN", REPO / "build" / "src" / "basalt")).resolve()

pytestmark = pytest.mark.basalt_only


def test_composite_action_starts_basalt(tmp_path):
    if os.environ.get("BASALT_ENDPOINT"):
        pytest.skip("starts its own Basalt; BASALT_ENDPOINT is set")
    action = yaml.safe_load((ACTION / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inputs = {"port": str(port), "flags": "--in-memory -sharedDb", "basalt-bin": str(BINARY)}
    files = {name: tmp_path / name for name in ("output", "env")}
    for f in files.values():
        f.touch()
    pid = None
    try:
        for step in action["runs"]["steps"]:
            condition = step.get("if", "")
            if "inputs.basalt-bin == ''" in condition and inputs["basalt-bin"]:
                continue
            env = dict(os.environ, GITHUB_ACTION_PATH=str(ACTION), GITHUB_OUTPUT=str(files["output"]),
                       GITHUB_ENV=str(files["env"]), RUNNER_TEMP=str(tmp_path))
            for k, v in (step.get("env") or {}).items():
                env[k] = re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda m: inputs[m.group(1)], v)
            run = subprocess.run(["bash", "-c", step["run"]], env=env, capture_output=True, text=True, timeout=60)
            assert run.returncode == 0, run.stdout + run.stderr
        outputs = dict(l.split("=", 1) for l in files["output"].read_text().splitlines())
        exported = dict(l.split("=", 1) for l in files["env"].read_text().splitlines())
        pid = int(exported["BASALT_PID"])
        assert outputs["endpoint"] == "http://127.0.0.1:%d" % port == exported["AWS_ENDPOINT_URL_DYNAMODB"]
        assert requests.get(outputs["endpoint"] + "/").text.startswith("healthy")
    finally:
        if pid:
            os.kill(pid, signal.SIGTERM)

"""The production shape stays valid: docker-compose.yml and the files it builds from."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"


def test_compose_runs_bot_workers_postgres_redis_and_rasa() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert {"bot", "worker", "postgres", "redis", "rasa"} <= set(services)
    for name, service in services.items():
        build = service.get("build")
        if build:
            context = ROOT / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile = build.get("dockerfile", "Dockerfile") if isinstance(build, dict) else "Dockerfile"
            assert (context / dockerfile).exists(), f"{name}: missing {dockerfile}"
    # Accepted events live in Redis: it must persist each one before answering, and never
    # evict one to make room.
    command = services["redis"]["command"]
    assert _flag(command, "--appendonly") == "yes"
    assert _flag(command, "--appendfsync") == "always"
    assert _flag(command, "--maxmemory-policy") == "noeviction"


def _flag(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose not installed")
def test_compose_file_validates() -> None:
    env = dict(os.environ, LINE_CHANNEL_SECRET="x", LINE_CHANNEL_ACCESS_TOKEN="x", LOG_HASH_KEY="x", ENCRYPTION_KEY="x")
    result = subprocess.run(
        ["docker-compose", "-f", str(COMPOSE), "config", "-q"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr

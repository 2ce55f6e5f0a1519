"""The bot runs on a read-only root filesystem, as deploy/ runs it (readOnlyRootFilesystem).

A copy of what the Dockerfile puts in /app (NLU model trained beforehand, as the image
build does), the Python environment and the interpreter are mounted read-only in a mount
namespace of their own; the web process and a worker then start there, accept a signed
webhook and answer it through the local Messaging API. Needs root and unshare (as on the
team's machines and CI); skipped elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

from bot.dev.line_api import FakeLineApi
from nlu.model import load_or_train
from tests.conftest import POSTGRES_URL, REDIS_URL
from tests.ops.manifests import ROOT
from tests.support.line import ACCESS_TOKEN, SECRET, sign, text_event, user_id, webhook_body
from tests.support.servers import free_port
from tests.support.waiting import wait_until

# What the Dockerfile copies into the image.
IMAGE_CONTENTS = ("settings", "bot", "nlu", "flows", "handoff", "data", "migrations", "alembic.ini")


def _can_mount_read_only() -> bool:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp"],
        capture_output=True,
    )
    return probe.returncode == 0


pytestmark = pytest.mark.skipif(not _can_mount_read_only(), reason="needs root and unshare -m")


@pytest.fixture
def image_copy(tmp_path: Path) -> Path:
    app = tmp_path / "app"
    app.mkdir()
    for name in IMAGE_CONTENTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, app / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, app / name)
    load_or_train()  # the image build's `python -m nlu train` (cached in var/nlu)
    shutil.copytree(ROOT / "var" / "nlu", app / "var" / "nlu")
    return app


def _read_only(app: Path, command: str) -> list[str]:
    """``command`` in a mount namespace where the app, the venv and Python are read-only."""
    paths = [app, ROOT, Path(sys.prefix), Path(sys.base_prefix)]
    mounts = " && ".join(f"mount --bind {p} {p} && mount -o remount,bind,ro {p}" for p in paths)
    return ["unshare", "-m", "bash", "-c", f"{mounts} && cd {app} && exec {sys.executable} {command}"]


@pytest.fixture
def processes(image_copy: Path, tmp_path: Path, fake_line: tuple[FakeLineApi, str]) -> Iterator[str]:
    _fake, line_url = fake_line
    writable_tmp = tmp_path / "tmp"  # the pods' emptyDir
    writable_tmp.mkdir()
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=POSTGRES_URL, REDIS_URL=REDIS_URL, LINE_API_BASE_URL=line_url,
        LINE_CHANNEL_SECRET=SECRET, LINE_CHANNEL_ACCESS_TOKEN=ACCESS_TOKEN,
        LOG_HASH_KEY="read-only-test-hash-key", ENCRYPTION_KEY=Fernet.generate_key().decode(),
        DEV_MODE="false", HOST="127.0.0.1", PORT=str(port), IN_PROCESS_WORKERS="0",
        TMPDIR=str(writable_tmp), HOME=str(writable_tmp), PYTHONDONTWRITEBYTECODE="1",
    )
    started = [
        subprocess.Popen(_read_only(image_copy, f"-m bot {role}"), env=env, stdout=subprocess.DEVNULL)
        for role in ("serve", "worker")
    ]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=60)


async def test_web_and_worker_answer_a_resident_with_a_read_only_root(
    processes: str, fake_line: tuple[FakeLineApi, str]
) -> None:
    fake, _url = fake_line
    async with httpx.AsyncClient(base_url=processes, timeout=5) as client:

        async def ready() -> bool:
            try:
                return (await client.get("/readyz")).status_code == 200
            except httpx.TransportError:
                return False

        for _ in range(600):  # start-up loads the NLU model: slow on a busy machine
            if await ready():
                break
            await asyncio.sleep(0.1)
        resident = user_id()
        event = text_event(resident, "借金が返せなくて困っています", reply_token=fake.issue_reply_token(resident))
        body = webhook_body(event)
        response = await client.post("/callback", content=body, headers={"X-Line-Signature": sign(body)})
        assert response.status_code == 200
    await wait_until(lambda: bool(fake.messages_for(resident)), timeout=60)

"""The kill -9 drill, short (issue #14): one ``serve --no-workers`` and one ``onboard worker`` on
PostgreSQL + Redis under a steady load of signed Twilio webhooks; the worker is killed while
Twilio has accepted its sends but not yet answered, the server while turns run; both start
again. Nothing is lost, no reply goes twice, nothing is left stuck. The full drill, with two of
each behind a proxy and more faults, is ``bench/chaos``."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from bench.chaos.audit import Verdict, judge, pending_work
from bench.chaos.cluster import Cluster
from bench.chaos.load import Load
from bench.chaos.services import free_port
from tests.fakes.twilio import FakeTwilio

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
PUBLIC_URL = "https://chaos.acolhe.example"


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (the -m db pass): the drill's processes share one database")
    return database_url


def test_kill_9_of_a_worker_and_a_server_loses_nothing_and_sends_nothing_twice(
    postgres_url: str, redis_url: str, redis_prefix: str, nlu_cache_dir: Path, tmp_path: Path
) -> None:
    with FakeTwilio() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONBOARD_")}
        env.update(
            PYTHONUNBUFFERED="1",
            ONBOARD_ENVIRONMENT="test",
            ONBOARD_DATABASE_URL=postgres_url,
            ONBOARD_REDIS_URL=redis_url,
            ONBOARD_REDIS_KEY_PREFIX=redis_prefix,
            ONBOARD_PUBLIC_URL=PUBLIC_URL,
            ONBOARD_TWILIO_ACCOUNT_SID=fake.account_sid,
            ONBOARD_TWILIO_AUTH_TOKEN=fake.auth_token,
            ONBOARD_TWILIO_WHATSAPP_NUMBER="+5511900000000",
            ONBOARD_TWILIO_API_URL=fake.url,
            ONBOARD_NLU_CACHE_DIR=str(nlu_cache_dir),
            ONBOARD_DOCUMENTS_DIR=str(tmp_path / "documents"),
            ONBOARD_BRASILAPI_URL="",
            ONBOARD_OUTBOX_RETRY_BASE_S="1",
            NO_PROXY="127.0.0.1,localhost",
        )
        cluster = Cluster(tree=REPO, env=env, logs=tmp_path)
        port = free_port()
        cluster.add_serve("serve", port)
        cluster.add_worker("worker")
        fake.answer_delay_s = 0.05
        try:
            cluster.start_all()
            verdict, settled = asyncio.run(_drill(cluster, fake, port, postgres_url))
        finally:
            cluster.stop_all()
    assert verdict.messages >= 200
    assert (verdict.lost, verdict.duplicated, verdict.stuck) == (0, 0, 0), verdict.detail
    assert settled > 0  # the killed worker's accepted sends were found at Twilio, not resent


async def _drill(
    cluster: Cluster, fake: FakeTwilio, port: int, database_url: str
) -> tuple[Verdict, int]:
    # A server restart takes seconds: a patient Twilio (each attempt its own 15 s) covers it;
    # the test checks our side. bench/chaos plays the real limits.
    load = Load(
        fake=fake,
        url=f"http://127.0.0.1:{port}",
        public_url=PUBLIC_URL,
        rate=10.0,
        retries=20,  # 40 s of connection refused: a restart on a loaded machine is slow
        retry_delay_s=2.0,
        total_s=None,
    )
    load.scenario = "kill"
    async with load:
        steady = asyncio.create_task(load.run(25))
        await asyncio.sleep(6)
        fake.answer_delay_s = 1.0  # Twilio slow: sends in flight when the worker dies
        load.burst(30)
        await asyncio.sleep(1.5)
        cluster.kill9("worker")
        fake.answer_delay_s = 0.05
        cluster.start("worker")
        await asyncio.sleep(6)
        load.burst(20)
        await asyncio.sleep(0.15)
        cluster.kill9("serve")
        ended = time.monotonic()
        cluster.start("serve")
        await asyncio.to_thread(cluster.wait_ready, "serve")
        await steady
        assert await load.drained(150), "clients still waiting for replies"
        deadline = time.monotonic() + 90
        while await asyncio.to_thread(pending_work, database_url):
            assert time.monotonic() < deadline, "outbox or documents still pending"
            await asyncio.sleep(0.5)
        await asyncio.sleep(2)
        load.replies.poll()
    verdict = judge(
        scenario="kill",
        messages=load.messages,
        database_url=database_url,
        fake=fake,
        fault_end=ended,
        slow_s=2.0,
    )
    settled = sum(
        log.read_text(errors="replace").count(" had been sent (")
        for app in cluster.processes.values()
        for log in app.logs
    )
    return verdict, settled

"""`enrich-dataset --engine ray` against a real local Ray (one start for the whole session).

Two CPUs, actors of 0.5 CPU each (a whole CPU per actor leaves nothing for Ray Data's read and
repartition tasks, and the job waits forever). The tiny Marian translator runs in every actor,
so batches of articles share translation batches exactly as in the local engine.
"""
from __future__ import annotations

import io
import os
import signal
import sys

import pyarrow.parquet as pq
import pytest

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install -e \".[ray]\" (the dev extra includes it)")

from nlp.config import load_config  # noqa: E402
from nlp.dataset import enrich_dataset  # noqa: E402
from nlp.dataset.ray_engine import Enricher  # noqa: E402
from nlp.pipeline import Pipeline  # noqa: E402
from test_dataset import articles, read_parts, write_jsonl  # noqa: E402

ROWS = 200


@pytest.fixture(scope="session")
def ray_session(tmp_path_factory):
    ray.init(num_cpus=2, object_store_memory=200 * 1024 ** 2, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}})
    # Small read blocks (a few rows each, not whole batches), as a large file gives: the engine
    # must still hand every actor exactly the batches the local engine makes.
    ray.data.DataContext.get_current().target_max_block_size = 48 * 1024
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """Parquet input with ids, a few rows without text, and a title that is a number."""
    rows = articles(ROWS)
    rows[7]["content"], rows[8]["title"] = None, "2021"
    import pyarrow as pa

    path = tmp_path_factory.mktemp("ray-input") / "articles.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=37)
    return path


@pytest.fixture(scope="module")
def config(tiny_marian):
    return load_config(overrides={"summarizer.method": "extractive", "translator.model": str(tiny_marian),
                                  "dataset.batch_size": 8, "dataset.batches_per_part": 5,
                                  "dataset.actors": 2, "dataset.cpus_per_actor": 0.5})


@pytest.fixture(scope="module")
def local_rows(source, config, tmp_path_factory):
    out = tmp_path_factory.mktemp("local") / "out"
    enrich_dataset(config, str(source), str(out), pipeline=Pipeline.build(config), err=io.StringIO())
    return read_parts(out)


class RecordsBatches(Enricher):
    """The real actor, also noting the ids of each batch it gets (one line per batch, any actor)."""

    log = None

    def __call__(self, batch):
        with open(self.log, "a", encoding="utf-8") as handle:
            handle.write(" ".join(batch["id"].to_pylist()) + "\n")
        return super().__call__(batch)


def run_on_ray(config, source, output, enricher):
    """`enrich-dataset` of `source` on the Ray engine, with `enricher` as the actor class."""
    from dataclasses import replace

    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # actors import nothing from tests/
    ray_config = replace(config, dataset=replace(config.dataset, engine="ray"))
    return enrich_dataset(ray_config, str(source), str(output), err=io.StringIO(), enricher=enricher)


def test_ray_engine_gives_the_local_engines_rows(ray_session, source, config, local_rows, tmp_path):
    RecordsBatches.log = str(tmp_path / "batches.txt")
    outcome = run_on_ray(config, source, tmp_path / "out", RecordsBatches)
    rows = read_parts(tmp_path / "out")
    assert outcome.rows == ROWS and outcome.failed == 0
    batches = sorted(line.split() for line in open(RecordsBatches.log, encoding="utf-8"))
    assert batches == [[f"row-{i:04d}" for i in range(start, min(start + 8, ROWS))] for start in range(0, ROWS, 8)]
    assert [r["id"] for r in rows] == [f"row-{i:04d}" for i in range(ROWS)]
    assert rows == local_rows
    assert sum(bool(r["abstract_en"]) for r in rows) >= ROWS * 0.8


class DiesOnce(Enricher):
    """An actor process that is killed (SIGKILL) in the middle of its batch holding row-0100, once."""

    marker = None

    def __call__(self, batch):
        if "row-0100" in batch["id"].to_pylist() and not os.path.exists(self.marker):
            open(self.marker, "w").close()
            os.kill(os.getpid(), signal.SIGKILL)
        return super().__call__(batch)


def test_an_actor_killed_mid_run_still_gives_every_row(ray_session, source, config, local_rows, tmp_path):
    DiesOnce.marker = str(tmp_path / "killed-once")
    outcome = run_on_ray(config, source, tmp_path / "out.parquet", DiesOnce)
    assert os.path.exists(DiesOnce.marker), "no actor was killed"
    assert outcome.rows == ROWS
    assert pq.read_table(tmp_path / "out.parquet").to_pylist() == local_rows


def test_a_file_ray_cannot_read_fails_with_one_line(ray_session, config, tmp_path):
    from dataclasses import replace

    from nlp.errors import NlpError

    source = write_jsonl(tmp_path / "in.jsonl", articles(10) + ["{not json"])
    ray_config = replace(config, dataset=replace(config.dataset, engine="ray"))
    with pytest.raises(NlpError, match=r"in\.jsonl: the Ray job failed: ValueError: ") as failure:
        enrich_dataset(ray_config, str(source), str(tmp_path / "out"), err=io.StringIO())
    assert "\n" not in str(failure.value) and "local engine records unreadable rows" in str(failure.value)

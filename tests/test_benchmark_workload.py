"""The benchmark's equal-work accounting (benchmarks/workload.py): CTranslate2 rows that end at
their own lengths, estimated from the measured cost per decoding step by rows still decoding."""
from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from dataclasses import replace

import pytest
from model_factory import chinese_corpus
from repo_data import BENCHMARKS, load_script

from nlp.config import load_config
from nlp.runtime import convert_model, load_model


@pytest.fixture(scope="module")
def workload():
    return load_script(BENCHMARKS / "workload.py")


def test_staircase_extra_follows_each_row_for_an_affine_step_cost(workload):
    """With step(m) = a + b*m, rows at their own lengths cost a*max + b*sum; at the forced length
    f every row costs (a + b*n) * f: the difference is what the benchmark adds."""
    a, b, targets, forced = 3.0, 0.5, [4, 9, 9, 30], 13

    def step(m):
        return a + b * m

    expected = a * max(targets) + b * sum(targets) - (a + b * len(targets)) * forced
    assert workload.staircase_extra(targets, forced, step) == pytest.approx(expected)
    assert workload.staircase_extra([7, 7, 7], 7, step) == 0


def test_interpolate_is_linear_between_measured_row_counts(workload):
    points = {1: (1.0, 2.0), 4: (4.0, 8.0)}
    assert workload._interpolate(points, 2) == pytest.approx((2.0, 4.0))
    assert workload._interpolate(points, 4) == (4.0, 8.0)


def test_ctranslate2_batches_are_decoded_at_the_mean_and_corrected(workload, tiny_marian, tmp_path):
    runtime = replace(load_config().runtime, models_dir=str(tmp_path / "models"), threads=1)
    folder = shutil.copytree(tiny_marian, tmp_path / "marian")
    convert_model(str(folder), runtime)
    model = load_model(str(folder), runtime, backend="ctranslate2")
    by_length = {len(line): line for line in sorted(chinese_corpus()) if 4 <= len(line) <= 40}
    sentences = [by_length[length] for length in sorted(by_length)][:5]  # five lengths, the same every run
    forced = workload.ForcedLength(model, workload.translation_tokens)
    outputs = forced.generate(sentences, num_beams=2)
    targets = [workload.translation_tokens(s) for s in sentences]
    assert len(outputs) == len(sentences) and len(set(targets)) > 1
    assert forced.target_tokens == sum(targets)
    assert sorted(forced.step_cost.seconds) == [1, 2, 4, 5]  # the row counts measured for one batch of 5
    assert forced.calibration.seconds > 0 and forced.clock.seconds > forced.calibration.seconds
    assert forced.to_max.seconds != 0 and forced.correction.seconds != 0

    torch_model = workload.ForcedLength(load_model(str(folder), runtime, backend="transformers"),
                                        workload.translation_tokens)
    torch_model.generate(sentences, num_beams=2)
    assert torch_model.step_cost is None and torch_model.correction.seconds == 0 == torch_model.to_max.seconds


def test_with_two_workers_the_batches_are_split_and_decoded_at_once_in_order(workload, tiny_marian, tmp_path):
    runtime = replace(load_config().runtime, models_dir=str(tmp_path / "models"), threads=2, workers=2)
    folder = shutil.copytree(tiny_marian, tmp_path / "marian")
    convert_model(str(folder), runtime)
    model = load_model(str(folder), runtime, backend="ctranslate2")
    sentences = sorted({line for line in chinese_corpus() if 4 <= len(line) <= 40})[:3]
    forced = workload.ForcedLength(model, workload.translation_tokens, stand_in=lambda text: text)
    assert forced.generate(sentences, num_beams=2) == sentences  # each output where its input was
    assert [len(call["targets"]) for call in forced.calls] == [2, 1]  # one batch of 3, split as generate does
    lengths = model.count_tokens(sentences)
    assert [call["input_tokens"] for call in forced.calls] == [[lengths[i] for i in indices]
                                                               for indices, _ in model.plan(sentences, num_beams=2)]
    assert forced.target_tokens == sum(workload.translation_tokens(s) for s in sentences)


def test_repeats_report_the_median_per_task_and_oversubscription_is_invalid(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    run = load_script(BENCHMARKS / "run.py")
    runs = [{task: {"seconds": seconds + offset} for task, offset in zip(run.TASKS, (0, 10, 20))}
            | {"load": load, "cores": 2} for seconds, load in ((5.0, 1.0), (1.0, 2.9), (3.0, 1.5))]
    result = run.median_run(runs)
    assert [result[task]["seconds"] for task in run.TASKS] == [3.0, 13.0, 23.0]
    assert result["load"] == 2.9 and not run.valid(result) and run.valid(runs[0])


def test_forced_lengths_decode_exactly_the_batches_the_model_plans(workload, tiny_marian, tmp_path):
    runtime = replace(load_config().runtime, models_dir=str(tmp_path / "models"), threads=1)
    model = load_model(str(tiny_marian), runtime, backend="transformers")
    lines = sorted({line for line in chinese_corpus() if 4 <= len(line) <= 100}, key=len)
    sentences = lines[::max(1, len(lines) // 10)]
    lengths = model.count_tokens(sentences)
    plan = model.plan(sentences, num_beams=2, max_batch_tokens=64)
    assert len(plan) > 1
    forced = workload.ForcedLength(model, workload.translation_tokens)
    forced.generate(sentences, num_beams=2, max_batch_tokens=64)
    assert [call["input_tokens"] for call in forced.calls] == [[lengths[i] for i in indices] for indices, _ in plan]
    assert [call["targets"] for call in forced.calls] == [
        [workload.translation_tokens(sentences[i]) for i in indices] for indices, _ in plan]


def test_peak_memory_leaves_out_what_the_calibration_allocates():
    """In a fresh process, whose peak is its own: 300 MB touched inside `left_out` do not count,
    300 MB touched outside do."""
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, sys.argv[1])
        from workload import PeakMemory

        def touched(mb):
            block = bytearray(mb * 2**20)
            block[::4096] = b"1" * len(block[::4096])
            return block

        peak = PeakMemory()
        baseline = peak.mb()
        with peak.left_out():
            del touched(300)[:]
        left_out = peak.mb()
        held = touched(300)
        print(baseline, left_out, peak.mb())
    """)
    run = subprocess.run([sys.executable, "-c", script, str(BENCHMARKS)], capture_output=True, text=True, check=True)
    baseline, left_out, counted = map(float, run.stdout.split())
    assert left_out < baseline + 100 and counted > baseline + 250

"""Speed of the fast path against the naive baseline, on random-weight models of the published shapes.

    python benchmarks/run.py [--quick] [--threads N] [--repeats N] [--device cpu|cuda|auto] [--workdir DIR]

Builds (once, cached in the work folder) opus-mt-zh-en- and mT5-base-shaped models and their
CTranslate2 conversions, measures each variant in a fresh process on the same inputs (see
workload.py and measure.py), prints a table and, last, the line
`speedup translate=<x> summarize=<y> pipeline=<z>` (the default fast path over the naive baseline).
Not part of the test suite. Method and results: docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from measure import VARIANTS
from roofline import Call, measure_machine, minimum_seconds, shape_of
from workload import CORPUS_POSTS, MODEL_CACHE

from nlp.runtime.identity import NATIVE_BF16_FLAGS, torch_cuda_bf16
from nlp.runtime.model import thread_count

TASKS = ("translate", "summarize", "pipeline")

HERE = Path(__file__).resolve().parent
QUICK_VARIANTS = ("naive", "transformers-bf16", "default")
CPU_FLAGS = ("avx2", "avx_vnni", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8")
SIZES = {  # sentences translated, articles through the pipeline (no longer than max chars), posts re-enriched
    "quick": {"sentences": 8, "articles": 3, "max_article_chars": 400, "rerun_posts": 40},
    "full": {"sentences": 32, "articles": 4, "max_article_chars": 3000, "rerun_posts": 40},
}
TARGETS = {  # speedups over the naive baseline (equal work, one run), then absolute limits
    "quick": {"pipeline": 5.0},
    "full": {"translate": 12.0, "summarize": 8.0, "pipeline": 8.0},
    "rss_mb": 1536.0, "cli_rerun_s": 1.5,
}


def main(argv=None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    unknown = set(args.variants or ()) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown variants {', '.join(sorted(unknown))}; choose from {', '.join(VARIANTS)}")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # shapes imports torch and transformers: only now that the environment is set
    from shapes import prepared_models

    flags, gpu = cpu_flags(), gpu_name(args.device)
    print(machine_line(flags) + (f"; GPU: {gpu}" if gpu else ""), flush=True)
    native_bf16 = torch_cuda_bf16() if gpu else bool(flags & set(NATIVE_BF16_FLAGS))
    variants = args.variants or [name for name in (QUICK_VARIANTS if args.quick else VARIANTS)
                                 if name != "transformers-bf16" or native_bf16]
    if "transformers-bf16" not in variants and not args.variants:
        print(f"skipping transformers-bf16: {'the GPU' if gpu else 'this CPU'} has no native bf16, so it is emulated")
    models = prepared_models(Path(args.workdir).expanduser(), log=lambda message: print(message, flush=True))
    mode = "quick" if args.quick else "full"
    shapes = {role: shape_of(json.loads((folder / "config.json").read_text(encoding="utf-8")))
              for role, folder in models.items()}
    machine = None if gpu else measure_machine(thread_count(args.threads), [s for s in shapes.values() if s],
                                               native_bf16)
    print(f"this machine, measured now at {machine.describe()}" if machine else
          "roofline: measured for the CPU only, so not estimated on the GPU", flush=True)
    started, load_before = time.perf_counter(), os.getloadavg()
    runs = {name: [] for name in variants}
    for _ in range(args.repeats):  # interleaved, so slow phases of a shared machine hit every variant
        for name in variants:
            runs[name].append(run_variant(name, models, SIZES[mode], args))
    results = {name: median_run(variant_runs) for name, variant_runs in runs.items()}
    print(f"load average {_load(load_before)} before, {_load(os.getloadavg())} after; "
          f"{time.perf_counter() - started:.0f} s of measuring", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=2), encoding="utf-8")
    print_report(results, mode)
    if machine:
        print_roofline(results, machine, shapes)
    print_targets(results, mode)
    return 0


def median_run(runs: list[dict]) -> dict:
    """One variant's result: per task, the repeat with the median wall-clock time."""
    result = dict(runs[0])
    for task in TASKS:
        ordered = sorted(runs, key=lambda run: run[task]["seconds"])
        result[task] = ordered[(len(ordered) - 1) // 2][task]
    result["load"] = max(run["load"] for run in runs)
    return result


def run_variant(name: str, models: dict, sizes: dict, args) -> dict:
    """Measure one variant in a fresh process (so its peak RSS is its own)."""
    command = [sys.executable, str(HERE / "measure.py"), name, "--translator", str(models["translator"]),
               "--summarizer", str(models["summarizer"]), "--posts", str(args.posts), "--threads", str(args.threads),
               "--device", args.device,
               *(f"--{key.replace('_', '-')}={value}" for key, value in sizes.items()
                 if key != "rerun_posts" or name == "default")]
    print(f"measuring {name} ...", flush=True)
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE, check=False)
    if done.returncode != 0:
        sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_report(results: dict, mode: str) -> None:
    """The table: one row per task and variant, labelled with what the loaded models ran."""
    header = (f"{'task':<10} {'variant':<10} {'ran (translator / summarizer), threads':<58} {'tok/s':>7} "
              f"{'s/article':>9} {'bounds mean-max':>15} {'cpu s/art':>9} {'RSS MB':>7} {'load s':>6} {'sysload':>7}")
    print(header)
    print("-" * len(header))
    for task in TASKS:
        for result in results.values():
            part = result[task]
            articles = _articles(part)
            bounds = f"{part['at_mean']['seconds'] / articles:.2f}-{part['at_max']['seconds'] / articles:.2f}"
            print(f"{task:<10} {result['variant'][:10]:<10} {ran_label(result):<58} "
                  f"{part['target_tokens'] / part['seconds']:7.1f} {part['seconds'] / articles:9.2f} {bounds:>15} "
                  f"{part['cpu_seconds'] / articles:9.2f} {result['peak_rss_mb']:7.0f} {result['load_s']:6.1f} "
                  f"{result['load']:7.2f}{'' if valid(result) else ' !'}")


def print_roofline(results: dict, machine, shapes: dict) -> None:
    """Per model and variant: the least time per article this machine allows for the calls the
    variant made (roofline.py), and the achieved time as a multiple of it, in wall-clock time and
    in CPU time per thread (steadier on a shared machine at one thread)."""
    for role, task in (("translator", "translate"), ("summarizer", "summarize")):
        if shapes[role] is None:
            print(f"roofline {role}: no estimate for this model type")
            continue
        for result in results.values():
            part, precision = result[task], result["ran"][role].split()[-1]
            try:
                limit = minimum_seconds(shapes[role], [Call(**call) for call in part["calls"]], machine, precision)
            except KeyError:
                print(f"roofline {role} {result['variant']}: {precision} throughput not measured")
                continue
            per, cpu = 1 / _articles(part), part["cpu_seconds"] / result["threads_used"]
            print(f"roofline {role:<10} {result['variant'][:10]:<10} {result['ran'][role]:<26} least "
                  f"{limit.seconds * per:6.2f} s/article (encoder {limit.encoder * per:.2f}, output layer "
                  f"{limit.output_layer * per:.2f}; all compute {limit.compute * per:.2f}, all memory "
                  f"{limit.memory * per:.2f}); "
                  f"achieved {part['seconds'] * per:6.2f} = {part['seconds'] / limit.seconds:4.1f}x the limit "
                  f"(CPU s / threads: {cpu * per:.2f} = {cpu / limit.seconds:.1f}x)")


def _articles(part: dict) -> float:
    return part["articles"] if "articles" in part else part["sentences"] / part["sentences_per_article"]


def ran_label(result: dict) -> str:
    """What ran, read from the loaded models (backend and dtype or compute type), and how."""
    ran, workers = result["ran"], max(result["workers"].values())
    models = ran["translator"] if ran["translator"] == ran["summarizer"] else " / ".join(ran.values())
    where = "cuda" if "cuda" in result["device"].values() else f"{result['threads_used']} thr"
    return (f"{models}, {'one input per call' if result['one_per_call'] else 'batched'}, {where}"
            f"{f' ({workers} workers)' if workers > 1 else ''}")


def valid(result: dict) -> bool:
    """False when the machine ran more threads than it has cores while this variant was measured:
    its threads then waited for other work, and its times say more about the load than the code."""
    return result["load"] <= result["cores"] + 0.5


def print_targets(results: dict, mode: str) -> None:
    speedups = {task: _speedup(results, task, "seconds") for task in TASKS}
    default = results.get("default", {})
    checks = [(f"{task} >= {target:g}x naive", speedups[task], target, ">=")
              for task, target in TARGETS[mode].items()]
    checks.append(("peak RSS, both models of the default <= 1.5 GB (MB)", default.get("peak_rss_mb"),
                   TARGETS["rss_mb"], "<="))
    if "rerun" in default:
        rerun = default["rerun"]
        print(f"re-enrich of an unchanged folder: {rerun['posts']} posts in {rerun['seconds']:.3f} s "
              f"({rerun['statuses']}; first pass {rerun['first_pass']}); `nlp enrich` on it, start-up and "
              f"model loading included: {rerun['cli_seconds']:.1f} s ({' '.join(rerun['cli_summary'])})")
        checks.append((f"`nlp enrich` on {rerun['posts']} unchanged posts <= 1.5 s (s)", rerun["cli_seconds"],
                       TARGETS["cli_rerun_s"], "<="))
    for name, value, target, sense in checks:
        if value is not None:
            met = value >= target if sense == ">=" else value <= target
            print(f"target {name}: {value:.1f} {'met' if met else 'not met'}")
    invalid = [name for name, result in results.items() if not valid(result)]
    if invalid:
        print(f"RUN INVALID: load average above the {default.get('cores', '?')} cores while measuring "
              f"{', '.join(invalid)} (rows marked !): other work shared the cores; rerun on a quiet machine")
    for label, key in (("every CTranslate2 row decoded its batch's mean (the high bound)", "at_mean"),
                       ("every CTranslate2 row decoded its batch's max (the low bound)", "at_max")):
        print(f"speedup if {label}: " + " ".join(f"{task}={_format(_speedup(results, task, 'seconds', key))}"
                                                for task in TASKS))
    cpu = " ".join(f"{task}={_format(_speedup(results, task, 'cpu_seconds'))}" for task in TASKS)
    print(f"speedup in CPU time (steadier than wall-clock time on a shared machine at --threads 1): {cpu}")
    print("speedup " + " ".join(f"{task}={_format(value)}" for task, value in speedups.items()))


def gpu_name(device: str) -> str | None:
    """The CUDA GPU the variants will run on (device cuda, or auto with one present), else None."""
    import torch

    if device == "cpu" or not torch.cuda.is_available():
        if device == "cuda":
            sys.exit("--device cuda: no CUDA device is usable here")
        return None
    return torch.cuda.get_device_name(0)


def cpu_flags() -> set[str]:
    return {flag for line in Path("/proc/cpuinfo").read_text().splitlines() if line.startswith("flags")
            for flag in line.split(":", 1)[1].split()}


def machine_line(flags: set[str]) -> str:
    """Date, CPU, cores, the instruction sets that matter for int8/bf16, load and library versions."""
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("torch", "transformers", "ctranslate2"))
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {model}, {len(os.sched_getaffinity(0))} cores; "
            f"CPU flags: {' '.join(f for f in CPU_FLAGS if f in flags) or 'none of ' + ' '.join(CPU_FLAGS)}; "
            f"load average {_load(os.getloadavg())}; Python {platform.python_version()}, {versions}")


def _speedup(results: dict, task: str, clock: str, bound: str | None = None) -> float | None:
    """naive / default; with `bound`, the default's time at that bound."""
    if "naive" not in results or "default" not in results:
        return None
    default = results["default"][task][bound] if bound else results["default"][task]
    return results["naive"][task][clock] / default[clock]


def _format(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _load(averages) -> str:
    return " ".join(f"{value:.2f}" for value in averages)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="fewer sentences and articles, fewer variants (under 5 minutes on 2 cores)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="measure every variant this many times, interleaved; report the median")
    parser.add_argument("--threads", type=int, default=0, help="runtime.threads for every variant (0: all cores)")
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="cpu",
                        help="runtime.device for every variant (cuda: the GPU mode; no roofline there)")
    parser.add_argument("--workdir", default=str(MODEL_CACHE),
                        help="where the built and converted models are cached")
    parser.add_argument("--posts", default=str(CORPUS_POSTS), help="folder of posts to measure on")
    parser.add_argument("--variants", type=lambda text: text.split(","),
                        help=f"comma-separated subset of {','.join(VARIANTS)} (default: all; "
                             f"--quick: {','.join(QUICK_VARIANTS)})")
    parser.add_argument("--json", help="also write the raw results to this file")
    return parser


if __name__ == "__main__":
    sys.exit(main())

"""Speed of the fast path against the naive baseline, on random-weight models of the published shapes.

    python benchmarks/run.py [--quick] [--threads N] [--workdir DIR]

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

HERE = Path(__file__).resolve().parent
POSTS_DIR = HERE.parent / "tests" / "data" / "corpus" / "posts"
QUICK_VARIANTS = ("naive", "transformers-bf16", "ctranslate2-fp32", "default")
SIZES = {  # sentences translated, articles through the pipeline (no longer than max chars), posts re-enriched
    "quick": {"sentences": 8, "articles": 1, "max_article_chars": 600, "rerun_posts": 10},
    "full": {"sentences": 32, "articles": 2, "max_article_chars": 3000, "rerun_posts": 40},
}
TARGETS = {"translate": 8.0, "pipeline": 5.0, "rss_mb": 3072.0, "rerun_ms": 50.0}


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

    print(machine_line(), flush=True)
    models = prepared_models(Path(args.workdir).expanduser(), log=lambda message: print(message, flush=True))
    sizes = SIZES["quick" if args.quick else "full"]
    started, load_before = time.perf_counter(), os.getloadavg()
    variants = args.variants or (QUICK_VARIANTS if args.quick else VARIANTS)
    results = {name: run_variant(name, models, sizes, args) for name in variants}
    print(f"load average {_load(load_before)} before, {_load(os.getloadavg())} after; "
          f"{time.perf_counter() - started:.0f} s of measuring", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    print_report(results)
    return 0


def run_variant(name: str, models: dict, sizes: dict, args) -> dict:
    """Measure one variant in a fresh process (so its peak RSS is its own)."""
    command = [sys.executable, str(HERE / "measure.py"), name, "--translator", str(models["translator"]),
               "--summarizer", str(models["summarizer"]), "--posts", str(args.posts), "--threads", str(args.threads),
               *(f"--{key.replace('_', '-')}={value}" for key, value in sizes.items()
                 if key != "rerun_posts" or name == "default")]
    print(f"measuring {name} ...", flush=True)
    done = subprocess.run(command, capture_output=True, text=True, cwd=HERE, check=False)
    if done.returncode != 0:
        sys.exit(f"{name} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def print_report(results: dict) -> None:
    header = (f"{'task':<10} {'variant':<50} {'sent/s':>7} {'tok/s':>7} {'s/article':>9} {'cpu s/art':>9} "
              f"{'RSS MB':>7} {'load s':>6} {'sysload':>7}")
    print(header)
    print("-" * len(header))
    for task in ("translate", "summarize", "pipeline"):
        for result in results.values():
            part = result[task]
            articles = part["articles"] if "articles" in part else part["sentences"] / part["sentences_per_article"]
            rate = f"{part['sentences'] / part['seconds']:7.2f}" if "sentences" in part else f"{'':>7}"
            print(f"{task:<10} {result['label']:<50} {rate} {part['target_tokens'] / part['seconds']:7.1f} "
                  f"{part['seconds'] / articles:9.2f} {part['cpu_seconds'] / articles:9.2f} "
                  f"{result['peak_rss_mb']:7.0f} {result['load_s']:6.1f} {result['load']:7.2f}")
    for result in results.values():
        print(f"  {result['variant']}: {', '.join(f'{k} {v}' for k, v in result['backends'].items())}, "
              f"threads {result['threads']}")
    print_targets(results)


def print_targets(results: dict) -> None:
    tasks = ("translate", "summarize", "pipeline")
    speedups = {task: _speedup(results, task, "seconds") for task in tasks}
    default = results.get("default", {})
    checks = [("translation >= 8x naive", speedups["translate"], TARGETS["translate"], ">="),
              ("pipeline >= 5x naive", speedups["pipeline"], TARGETS["pipeline"], ">="),
              ("peak RSS, both models int8 <= 3 GB (MB)", default.get("peak_rss_mb"), TARGETS["rss_mb"], "<=")]
    if "rerun" in default:
        rerun = default["rerun"]
        per_post = rerun["seconds"] / rerun["posts"] * 1000
        print(f"re-enrich of an unchanged folder: {rerun['posts']} posts in {rerun['seconds']:.3f} s "
              f"({rerun['statuses']}; first pass {rerun['first_pass']}); `nlp enrich` on it, start-up and "
              f"model loading included: {rerun['cli_seconds']:.1f} s ({' '.join(rerun['cli_summary'])})")
        checks.append(("re-enrich unchanged <= 50 ms per post (ms)", per_post, TARGETS["rerun_ms"], "<="))
    for name, value, target, sense in checks:
        if value is not None:
            met = value >= target if sense == ">=" else value <= target
            print(f"target {name}: {value:.1f} {'met' if met else 'MISSED'}")
    cpu = " ".join(f"{task}={_format(_speedup(results, task, 'cpu_seconds'))}" for task in tasks)
    print(f"speedup in CPU time (steadier than wall-clock time on a shared machine at --threads 1): {cpu}")
    print("speedup " + " ".join(f"{task}={_format(value)}" for task, value in speedups.items()))


def machine_line() -> str:
    """Date, CPU, cores, the instruction sets that matter for int8/bf16, load and library versions."""
    cpuinfo = dict(line.split(":", 1) for line in Path("/proc/cpuinfo").read_text().splitlines() if ":" in line)
    cpuinfo = {key.strip(): value.strip() for key, value in cpuinfo.items()}
    flags = set(cpuinfo.get("flags", "").split())
    wanted = [f for f in ("avx2", "avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8") if f in flags]
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("torch", "transformers", "ctranslate2"))
    return (f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC; {cpuinfo.get('model name', platform.processor())}, "
            f"{len(os.sched_getaffinity(0))} cores ({' '.join(wanted)}); load average {_load(os.getloadavg())}; "
            f"Python {platform.python_version()}, {versions}")


def _speedup(results: dict, task: str, clock: str) -> float | None:
    if "naive" not in results or "default" not in results:
        return None
    return results["naive"][task][clock] / results["default"][task][clock]


def _format(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}"


def _load(averages) -> str:
    return " ".join(f"{value:.2f}" for value in averages)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer sentences and articles (under 3 minutes)")
    parser.add_argument("--threads", type=int, default=0, help="runtime.threads for every variant (0: all cores)")
    parser.add_argument("--workdir", default=str(Path(os.environ.get("XDG_CACHE_HOME", "~/.cache")) /
                                              "nlp-abstracts" / "bench"),
                        help="where the built and converted models are cached")
    parser.add_argument("--posts", default=str(POSTS_DIR), help="folder of posts to measure on")
    parser.add_argument("--variants", type=lambda text: text.split(","),
                        help=f"comma-separated subset of {','.join(VARIANTS)} (default: all; "
                             f"--quick: {','.join(QUICK_VARIANTS)})")
    parser.add_argument("--json", help="also write the raw results to this file")
    return parser


if __name__ == "__main__":
    sys.exit(main())

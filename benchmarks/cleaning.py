"""Boilerplate removal on the labelled cleaning set: line-level precision, recall, article lines lost.

    python benchmarks/cleaning.py [--config FILE] [--list]

Reads tests/data/cleaning (84 real posts from 24 sites that are not in the corpus, every body
unit labelled article/boilerplate; provenance in tests/data/PROVENANCE.md) and reports each part
separately: tuned, held_back (whole sites kept out of the first tuning) and held_back_2 (sites
labelled before the second round of changes). Boilerplate is the
positive class; "article lost" counts article units the cleaner dropped, "fragments cut" the
labelled boilerplate pieces (glued bylines, photo credits, watermarks) cut out of article units.
--list prints every missed and lost unit. Targets: recall >= 0.95, precision >= 0.95, 0 lost.
Method and figures: docs/cleaning.md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.clean_eval import load_labelled, score, verdicts_by_post  # noqa: E402
from nlp.config import load_config  # noqa: E402

CLEANING_SET = ROOT / "tests" / "data" / "cleaning"
PARTS = ("tuned", "held_back", "held_back_2")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="config file (default: configs/default.yaml)")
    parser.add_argument("--list", action="store_true", help="print every missed and lost unit")
    args = parser.parse_args(argv)
    config = load_config(args.config).clean
    posts = load_labelled(CLEANING_SET)
    verdicts = verdicts_by_post(posts, config)
    print(f"{'part':<11} {'posts':>5} {'units':>5} {'boiler':>6} {'precision':>9} {'recall':>6} "
          f"{'article lost':>12} {'fragments cut':>13}")
    for part in PARTS + ("all",):
        chosen = [post for post in posts if part in ("all", post.part)]
        result = score(chosen, config, verdicts)
        units = result.removed + result.missed + result.lost + result.kept
        print(f"{part:<11} {len(chosen):>5} {units:>5} {result.removed + result.missed:>6} "
              f"{result.precision:>9.3f} {result.recall:>6.3f} {result.lost:>12} "
              f"{result.fragments_cut:>6}/{result.fragments:<6}")
        if args.list and part != "all":
            for where in result.missed_units:
                print(f"  missed  {where}")
            for where in result.lost_units:
                print(f"  LOST    {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

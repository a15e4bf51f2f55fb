"""Build the evaluation set of real posts whose sites wrote their own abstract.

    python benchmarks/summary_set.py

Reads tests/data/summaries/MANIFEST.tsv and the posts beside it (byte-for-byte copies; provenance
in the manifest) and writes, next to them, `tuned.jsonl` and `held_out.jsonl` for `nlp evaluate`:
`text` is the post body, `title` its front-matter title, `summary_zh` the value of the front-matter
key the site filled in itself (`reference_key`: description, summary), so the reference is never
part of the input.

The split is fixed in the manifest and was decided before any scoring: r01-r24 every third row
held out; from r25 on, whole sites (`repository`) are held out, so the held-out part measures
sites the summariser was never tuned on. It also prints how far the references merely copy the
article's lead or its title (see `copies`), so the set is not mistaken for a harder one than it is.
"""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from nlp.clean import clean_article  # noqa: E402
from nlp.config import load_config  # noqa: E402
from nlp.metrics import lcs_length, rouge_units  # noqa: E402
from nlp.posts import read_post  # noqa: E402

SET = ROOT / "tests" / "data" / "summaries"
SPLITS = ("tuned", "held_out")
LEAD_SENTENCES = 2  # a reference drawn from the first two sentences is a copy of the lead
LEAD_COPY = 0.8  # from r25 on, a post whose reference is this much its lead was left out
TITLE_COPY = 0.9  # ... or this much its title


def manifest() -> list[dict]:
    with open(SET / "MANIFEST.tsv", encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file, delimiter="\t"))


def rows() -> dict[str, list[dict]]:
    """The rows of each split, in manifest order."""
    split_rows: dict[str, list[dict]] = {split: [] for split in SPLITS}
    for entry in manifest():
        post = read_post(SET / "posts" / entry["file"])
        split_rows[entry["split"]].append({
            "id": entry["file"].removesuffix(".md"), "title": str(post.data["title"]),
            "text": post.body, "summary_zh": str(post.data[entry["reference_key"]])})
    return split_rows


def copies(row: dict) -> tuple[float, float]:
    """(share of the reference that is the cleaned article's first LEAD_SENTENCES sentences, share
    that is the title), each as the longest common subsequence of ROUGE units over the length of
    the reference. 1.0 is a verbatim copy. Posts were admitted from r25 on only with a lead share
    below LEAD_COPY and a title share below TITLE_COPY (tests/test_summary_set.py checks it)."""
    article = clean_article(row["text"], row["title"], load_config().clean)
    reference = rouge_units(row["summary_zh"])
    lead = rouge_units("".join(article.sentences[:LEAD_SENTENCES]))
    title = rouge_units(row["title"])
    size = max(len(reference), 1)
    return lcs_length(reference, lead) / size, lcs_length(reference, title) / size


def main() -> None:
    for split, split_rows in rows().items():
        with open(SET / f"{split}.jsonl", "w", encoding="utf-8", newline="\n") as out:
            for row in split_rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        shares = [copies(row) for row in split_rows]
        print(f"{split}: {len(split_rows)} rows; reference mostly (>= 0.8) the lead: "
              f"{sum(lead >= 0.8 for lead, _ in shares)}, the title: {sum(title >= 0.8 for _, title in shares)}")
        for row, (lead, title) in zip(split_rows, shares):
            print(f"  {row['id']}  lead {lead:.2f}  title {title:.2f}")


if __name__ == "__main__":
    main()

"""Build the evaluation set of real posts whose sites wrote their own abstract.

    python benchmarks/summary_set.py

Reads tests/data/summaries/MANIFEST.tsv and the posts beside it (byte-for-byte copies; provenance
in the manifest) and writes, next to them, `tuned.jsonl` and `held_out.jsonl` for `nlp evaluate`:
`text` is the post body, `title` its front-matter title, `summary_zh` the value of the front-matter
key the site filled in itself (`reference_key`: description, summary). The split is fixed in the
manifest (every third row held out, decided before any tuning). It also prints how many references
merely repeat the article's lead, so the set is not mistaken for a harder one than it is.
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
from nlp.metrics import rouge_units  # noqa: E402
from nlp.posts import read_post  # noqa: E402

SET = ROOT / "tests" / "data" / "summaries"
SPLITS = ("tuned", "held_out")


def rows() -> dict[str, list[dict]]:
    """The rows of each split, in manifest order."""
    with open(SET / "MANIFEST.tsv", encoding="utf-8", newline="") as manifest:
        entries = list(csv.DictReader(manifest, delimiter="\t"))
    split_rows: dict[str, list[dict]] = {split: [] for split in SPLITS}
    for entry in entries:
        post = read_post(SET / "posts" / entry["file"])
        split_rows[entry["split"]].append({
            "id": entry["file"].removesuffix(".md"), "title": str(post.data["title"]),
            "text": post.body, "summary_zh": str(post.data[entry["reference_key"]])})
    return split_rows


def lead_copies(row: dict) -> tuple[bool, bool]:
    """(the reference is the cleaned article's first sentence, it is inside its first paragraph),
    compared as ROUGE units (characters without spaces and punctuation)."""
    article = clean_article(row["text"], row["title"], load_config().clean)
    reference = "".join(rouge_units(row["summary_zh"]))
    first_sentence = "".join(rouge_units(article.sentences[0])) if article.sentences else ""
    first_paragraph = "".join(rouge_units(article.paragraphs[0])) if article.paragraphs else ""
    return reference == first_sentence, bool(reference) and reference in first_paragraph


def main() -> None:
    for split, split_rows in rows().items():
        with open(SET / f"{split}.jsonl", "w", encoding="utf-8", newline="\n") as out:
            for row in split_rows:
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
        copies = [lead_copies(row) for row in split_rows]
        print(f"{split}: {len(split_rows)} rows; reference = first sentence: {sum(s for s, _ in copies)}; "
              f"reference inside the first paragraph: {sum(p for _, p in copies)}")


if __name__ == "__main__":
    main()

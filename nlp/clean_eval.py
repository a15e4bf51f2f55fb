"""Line-level quality of boilerplate removal on a labelled set of posts.

A labelled set is a folder with `posts/NAME.md`, `labels/NAME.tsv` and `SOURCES.tsv` (columns
file, part, ...). Each label line is one unit of the body as the cleaner reads it
(markup.body_blocks, normalised): `article` or `boilerplate`, a tab, the unit's text, and, for
article units, optional further tab-separated fragments that should be cut out of it (a byline
glued to the first sentence, a photo credit, a watermark). Posts whose file names share the part
before the last '-' come from one site or folder: the cleaner may use what repeats across them.
"""
from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from .boilerplate import Verdict, repeated_units
from .clean import judge_units, keeps
from .config import CleanConfig
from .errors import PostError
from .posts import read_post

LABELS = ("article", "boilerplate")


@dataclass(frozen=True)
class Label:
    label: str
    text: str
    fragments: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabelledPost:
    name: str
    part: str
    site: str
    body: str
    title: str | None
    labels: tuple[Label, ...]


@dataclass
class Score:
    """Counts over units; boilerplate is the positive class."""

    removed: int = 0  # boilerplate units the cleaner removed
    missed: int = 0  # boilerplate units it kept
    lost: int = 0  # article units it removed
    kept: int = 0  # article units it kept
    fragments: int = 0  # labelled fragments inside article units
    fragments_cut: int = 0
    lost_units: list[str] = field(default_factory=list)
    missed_units: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.removed / (self.removed + self.lost) if self.removed + self.lost else 1.0

    @property
    def recall(self) -> float:
        return self.removed / (self.removed + self.missed) if self.removed + self.missed else 1.0


def load_labelled(folder: str | Path) -> list[LabelledPost]:
    """The posts of a labelled set with their labels; a malformed label file is a PostError."""
    folder = Path(folder)
    with open(folder / "SOURCES.tsv", encoding="utf-8", newline="") as handle:
        parts = {row["file"]: row["part"] for row in csv.DictReader(handle, delimiter="\t")}
    posts = []
    for name, part in sorted(parts.items()):
        post = read_post(folder / "posts" / name)
        title = post.data.get("title")
        stem = Path(name).stem
        labels = _read_labels(folder / "labels" / f"{stem}.tsv")
        posts.append(LabelledPost(stem, part, stem.rsplit("-", 1)[0], post.body,
                                  None if title is None else str(title), labels))
    return posts


def verdicts_by_post(posts: list[LabelledPost], config: CleanConfig) -> dict[str, tuple[list[Verdict], str | None]]:
    """The cleaner's verdict on every unit, with each site's repeated units taken into account."""
    units_by_site = defaultdict(list)
    for post in posts:
        units_by_site[post.site].append([v.text for v in judge_units(post.body, post.title, config)[0]])
    repeated = {site: repeated_units(texts) for site, texts in units_by_site.items()}
    return {post.name: judge_units(post.body, post.title, config, repeated[post.site]) for post in posts}


def score(posts: list[LabelledPost], config: CleanConfig, verdicts=None) -> Score:
    """Compare the cleaner with the labels, unit by unit."""
    verdicts = verdicts if verdicts is not None else verdicts_by_post(posts, config)
    result = Score()
    for post in posts:
        judged, title = verdicts[post.name]
        if len(judged) != len(post.labels):
            raise PostError(post.name, f"{len(post.labels)} labels for {len(judged)} units of the body")
        for label, verdict in zip(post.labels, judged):
            kept = keeps(verdict.kept, title, config)
            where = f"{post.name}: {verdict.text[:60]}"
            if label.label == "boilerplate":
                result.removed += not kept
                result.missed += kept
                if kept:
                    result.missed_units.append(where)
            else:
                result.kept += kept
                result.lost += not kept
                if not kept:
                    result.lost_units.append(where)
                result.fragments += len(label.fragments)
                result.fragments_cut += sum(kept and fragment not in verdict.kept for fragment in label.fragments)
    return result


def _read_labels(path: Path) -> tuple[Label, ...]:
    labels = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        label, _, rest = line.partition("\t")
        if label not in LABELS or not rest:
            raise PostError(path, "expected 'article' or 'boilerplate', a tab and the unit's text", number)
        text, *fragments = rest.split("\t")
        labels.append(Label(label, text, tuple(fragments)))
    return tuple(labels)

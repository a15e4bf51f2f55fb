"""The labelled cleaning set (tests/data/cleaning) loads and is what its provenance says, and the
cleaner drops no article unit of it, nor of any corpus post or the seed."""
from __future__ import annotations

import csv
import dataclasses

import pytest
from clean_corpus import ALSO_DROPPED, BOILERPLATE, POSTS, SEED, body_and_title, corpus_path
from repo_data import CLEANING, CORPUS

from nlp.clean import judge_units, keeps, normalise
from nlp.clean_eval import load_labelled, score, verdicts_by_post
from nlp.config import load_config
from nlp.errors import PostError


@pytest.fixture(scope="module")
def config():
    return load_config().clean


@pytest.fixture(scope="module")
def posts():
    return load_labelled(CLEANING)


@pytest.fixture(scope="module")
def verdicts(posts, config):
    return verdicts_by_post(posts, config)


def test_labelled_set_has_60_posts_from_15_sites_and_holds_back_whole_sites(posts):
    assert len(posts) >= 60
    sites = {post.site: post.part for post in posts}
    assert len(sites) >= 15
    first = [post for post in posts if post.part in ("tuned", "held_back")]
    held_back = [post for post in first if post.part == "held_back"]
    assert len(held_back) * 3 == len(first)  # the first split held back a third
    second = [post for post in posts if post.part == "held_back_2"]
    assert len(second) >= 24 and len({post.site for post in second}) >= 6
    for part in ("tuned", "held_back", "held_back_2"):  # whole sites are held back
        inside = {post.site for post in posts if post.part == part}
        assert not inside & {post.site for post in posts if post.part != part}, part
    assert all(post.labels for post in posts)


def test_posts_are_the_recorded_sources_not_the_corpus():
    with open(CLEANING / "SOURCES.tsv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    corpus_paths = (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8")
    for row in rows:
        text = (CLEANING / "posts" / row["file"]).read_text(encoding="utf-8")
        assert len(text) == int(row["chars"]), row["file"]  # the copy is whole
        assert row["path"] not in corpus_paths, row["file"]


def test_every_label_line_is_a_unit_of_its_post(posts, config):
    as_written = dataclasses.replace(config, to_simplified=False)  # labels keep the post's characters
    for post in posts:
        units = [verdict.text for verdict in judge_units(post.body, post.title, as_written)[0]]
        assert units == [label.text for label in post.labels], post.name


def test_no_labelled_article_unit_is_dropped(posts, config, verdicts):
    result = score(posts, config, verdicts)
    assert result.lost == 0, result.lost_units
    assert result.fragments_cut == result.fragments  # bylines, credits, watermarks inside article units


def test_tuned_part_meets_the_targets(posts, config, verdicts):
    result = score([post for post in posts if post.part == "tuned"], config, verdicts)
    assert result.precision >= 0.95 and result.recall >= 0.95, result.missed_units


@pytest.mark.parametrize("path", [SEED] + POSTS, ids=lambda p: p.name)
def test_corpus_and_seed_lose_no_unit_with_words(path, config):
    """Every dropped unit with words is listed boilerplate of its file (or its title)."""
    listed = [normalise(" ".join(text.split())) for name, text in
              [entry for entries in BOILERPLATE.values() for entry in entries] + ALSO_DROPPED
              if corpus_path(name) == path]
    body, title = body_and_title(path)
    verdicts, title = judge_units(body, title, config)
    for verdict in verdicts:
        if not keeps(verdict.kept, title, config) and any(ch.isalpha() for ch in verdict.text) \
                and verdict.text != title:
            assert any(verdict.text.startswith(line) for line in listed), verdict.text


def test_malformed_label_file_names_file_and_line(tmp_path):
    (tmp_path / "posts").mkdir()
    (tmp_path / "labels").mkdir()
    (tmp_path / "posts" / "a-01.md").write_text("---\ntitle: t\n---\n<p>正文。</p>\n", encoding="utf-8")
    (tmp_path / "labels" / "a-01.tsv").write_text("article\t正文。\nmaybe\tx\n", encoding="utf-8")
    (tmp_path / "SOURCES.tsv").write_text("file\tpart\na-01.md\ttuned\n", encoding="utf-8")
    with pytest.raises(PostError, match=r"a-01\.tsv:2: expected 'article' or 'boilerplate'"):
        load_labelled(tmp_path)

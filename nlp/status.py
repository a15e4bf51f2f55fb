"""The words a run uses about posts: one enum for results, one for where a post's abstract stands.

Both are str enums, so they compare equal to, print as and serialise to their plain values.
"""
from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """What enriching one post did."""

    UPDATED = "updated"
    UNCHANGED = "unchanged"
    STALE = "stale"  # reviewed, but source or settings changed since: left alone without --force
    SKIPPED = "skipped"
    FAILED = "failed"


class PostState(StrEnum):
    """Where a post's abstract stands, before any model runs (what the review demo lists)."""

    NO_ABSTRACT = "no abstract"
    GENERATED = "generated"
    REVIEWED = "reviewed"
    STALE = "stale"
    SKIPPED = "skipped"
    FAILED = "failed"

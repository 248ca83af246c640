"""Kept only so that ``workflow.bench`` (outside this change) still imports: the topic
functions now live in :mod:`helpers.topics`. Delete when bench imports them from there."""

from .topics import align_refits, aligned_shares, consensus_prevalence  # noqa: F401

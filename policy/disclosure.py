"""What may be disclosed about a course shown to a worker, in one place.

A course aimed at a sensitive priority group (disability, low income, criminal justice: PIPL
sensitive personal information) tells anyone who sees it next to a worker that the worker may be
in that group. So wherever a worker's own course list leaves the counselor's desk (the app's view
of a stored worker, a push notification on a lock screen), such a course keeps its place in the
list but says nothing that confirms the group: no "aimed at a group you belong to" reason, no
title in a notification, and no R7 living allowance (which follows from low-income, dibao or
disability status).
"""

from __future__ import annotations

from collections.abc import Iterable

from catalog.vocabulary import SENSITIVE_PRIORITY_GROUPS

# The reason code that would confirm the worker's group membership.
GROUP_REASON = "TARGETS_YOUR_GROUP"


def reveals_sensitive_group(target_groups: Iterable[str]) -> bool:
    """Whether showing a course aimed at ``target_groups`` next to a worker reveals a sensitive group."""
    return not SENSITIVE_PRIORITY_GROUPS.isdisjoint(target_groups)


def disclosable_reasons(reasons: Iterable[str], target_groups: Iterable[str]) -> tuple[str, ...]:
    """The reasons that may be shown outside the counselor's desk for a course."""
    if reveals_sensitive_group(target_groups):
        return tuple(code for code in reasons if code != GROUP_REASON)
    return tuple(reasons)

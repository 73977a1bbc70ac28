"""Eligibility and subsidy rules R1–R12 of the Yancheng skills-upgrading plan, section 四(三)2.

Pure functions over the plain values of :mod:`policy.profile`; no Flask, no database.
``decide`` explains one course; ``decide_many`` answers a whole :class:`CourseTable` with numpy.
The rules, their readings and their settings are described in ``policy/RULES.md``.
"""

from policy.bulk import BulkDecision, decide_many
from policy.decision import Decision, RuleCheck, decide
from policy.rules import BLOCKING_CODES, RULE_BITS, RULE_CODES, codes_of_mask
from policy.settings import PolicySettings
from policy.table import CourseTable

__all__ = [
    "BLOCKING_CODES",
    "RULE_BITS",
    "RULE_CODES",
    "BulkDecision",
    "CourseTable",
    "Decision",
    "PolicySettings",
    "RuleCheck",
    "codes_of_mask",
    "decide",
    "decide_many",
]

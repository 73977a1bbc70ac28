"""The use cases: one plain function per thing a user does, and the composition root.

Each use case (:mod:`serving.recommendations`, :mod:`serving.eligibility`, :mod:`serving.archive`,
:mod:`serving.push`) does its own access check, loading, rules, ranking, audit and disclosure
decision; the HTTP routes only parse, call one and serialize, and the batch jobs call the same
functions. :mod:`serving.root` builds everything they share once, without Flask.
"""

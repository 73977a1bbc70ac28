"""Plan progress and training outcomes: pure functions over the training archive.

Nothing here imports Flask. :mod:`stats.archive` reads the archive out of the database into plain
rows with no personal identifiers; everything else takes and returns plain values.
"""

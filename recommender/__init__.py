"""Course recommender: features, the LightFM hybrid model, its artifact store and ranking.

Everything here takes and returns plain values (dataclasses, numpy arrays); the database loader
and the HTTP layer are built on top of it elsewhere.
"""

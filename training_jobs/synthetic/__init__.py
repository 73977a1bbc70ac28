"""A seeded synthetic Yancheng: training courses, workers and their interactions.

Used to develop and test the recommender before real logs exist. The *model never sees the rules
of the generators*; it sees only profiles, course attributes and events, and must learn the tastes.

Modules, one job each:

* :mod:`~.courses`: the occupations and a course catalog (``generate_courses``);
* :mod:`~.workers`: worker profiles (groups in proportion to the plan's program sizes, ages,
  places, certificates) and each worker's hidden favourites;
* :mod:`~.sessions`: browsing and the funnel, shared by both generators, and how the rules are
  obeyed (workers act on courses they may take; a documented 5% of sessions do not);
* :mod:`~.population`: the "tastes" generator (``generate_population``), hand-written group tastes;
* :mod:`~.latent`: a differently shaped generator (``generate_latent_population``), latent factors
  with power-law popularity and heavy users;
* :mod:`~.files`: the dataset folder (``write_dataset``/``read_dataset``).

``python -m training_jobs.synthetic --workers N --out DIR [--generator latent]`` writes a dataset.
"""

from training_jobs.synthetic.courses import OCC_BY_CODE, OCCUPATIONS, generate_courses
from training_jobs.synthetic.files import read_dataset, write_dataset
from training_jobs.synthetic.latent import generate_latent_population
from training_jobs.synthetic.population import generate_population

GENERATORS = {"tastes": generate_population, "latent": generate_latent_population}

__all__ = ["GENERATORS", "OCCUPATIONS", "OCC_BY_CODE", "generate_courses", "generate_latent_population",
           "generate_population", "read_dataset", "write_dataset"]

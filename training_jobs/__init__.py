"""Command-line jobs: synthesize data, train and evaluate the recommender."""

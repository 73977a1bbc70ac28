"""Joins storage to the domain for serving: catalog snapshots, the loaded model, and the
recommendation and eligibility services the HTTP layer calls."""

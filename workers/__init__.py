"""Worker profiles, training records and the audit trail: the only package that sees raw PII."""

"""The production stack on one machine: nginx in front of gunicorn (``python -m deploy.stack``)."""

"""Who may call the service: API keys, their roles and the job center a counselor works for."""

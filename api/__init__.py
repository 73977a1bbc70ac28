"""The HTTP edge: parse, call the domain, serialize. Nothing here knows a rule."""

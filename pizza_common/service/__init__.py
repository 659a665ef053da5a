"""The plumbing of a Flask service behind a sidecar: the app factory, the server, /healthz, the Host
check, traces, settings."""

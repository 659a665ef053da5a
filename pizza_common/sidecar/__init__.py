"""Dapr access through the app's sidecar: the gateway (state, pub/sub, invocation) and state written at
its ETag."""

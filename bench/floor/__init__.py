"""The bench's floor: the real pizza workflow on stand-in activities, behind its own sidecar."""

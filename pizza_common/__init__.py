"""Contract, configuration and Dapr access shared by every pizza service."""

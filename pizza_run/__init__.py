"""Run the suite: the Dapr CLI's run-file rules, its stand-in, make run's start and stop, the supervisor."""

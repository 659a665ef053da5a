"""Run the suite: the Dapr CLI's run-file rules, a stand-in for `dapr run -f`, and the data folder."""

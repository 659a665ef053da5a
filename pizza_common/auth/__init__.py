"""Who may call: the sidecar's and the app's tokens, the staff's credential and their one-time sign-in
links."""

"""The signed-in session: sign-in state, automatic Idle, and routing conversations to their windows."""

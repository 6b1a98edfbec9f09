"""The conversation window: one per conversation, outliving the session that started it."""

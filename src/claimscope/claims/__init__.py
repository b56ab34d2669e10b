"""Claims: sentence features, and the ranking of sentences that state something checkable."""

"""Domain tests: given events, when a command, then events or a refusal; plus the services."""

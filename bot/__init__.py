"""The LINE edge of tsunagu: webhook, durable intake, workers, outgoing messages, pages."""

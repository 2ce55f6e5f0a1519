"""Prometheus metrics for the event pipeline, exported at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS_RECEIVED = Counter("tsunagu_events_received_total", "Webhook events received")
EVENTS_DEDUPLICATED = Counter(
    "tsunagu_events_deduplicated_total", "Webhook events dropped as redeliveries"
)
EVENTS_PROCESSED = Counter(
    "tsunagu_events_processed_total", "Events handled by a worker", ["event_type"]
)
EVENTS_FAILED = Counter("tsunagu_events_failed_total", "Events whose handling raised")
EVENTS_RECLAIMED = Counter(
    "tsunagu_events_reclaimed_total", "Pending events taken over from a silent worker"
)
WEBHOOK_SIGNATURE_INVALID = Counter(
    "tsunagu_webhook_signature_invalid_total", "Webhook calls refused for their signature"
)
ACK_LATENCY = Histogram(
    "tsunagu_webhook_ack_seconds",
    "Time from receiving a webhook call to answering it",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2),
)
HANDLE_LATENCY = Histogram(
    "tsunagu_event_handle_seconds",
    "Time a worker spends handling one event",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

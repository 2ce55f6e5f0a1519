"""Prometheus metrics for the event pipeline, exported at /metrics."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_RECEIVED = Counter("tsunagu_events_received_total", "Webhook events received")
EVENTS_DEDUPLICATED = Counter(
    "tsunagu_events_deduplicated_total", "Webhook events dropped as redeliveries"
)
EVENTS_PROCESSED = Counter(
    "tsunagu_events_processed_total", "Events handled by a worker", ["event_type"]
)
EVENTS_FAILED = Counter(
    "tsunagu_events_failed_total", "Handling attempts that raised", ["cause"]  # infrastructure, bug
)
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
DEAD_LETTERS_MADE = Counter(
    "tsunagu_dead_letters_total", "Dead letters made (events that kept failing, messages LINE refused)",
    ["kind", "reason"],
)
DEAD_LETTERS = Gauge("tsunagu_dead_letters_waiting", "Dead letters waiting for staff (python -m bot dead-letters)")
OUTBOX_WAITING = Gauge("tsunagu_outbox_residents_waiting", "Residents with an answer not yet delivered")
DELIVERIES = Counter(
    "tsunagu_deliveries_total", "Outbox message parts delivered, by how", ["how"]  # reply, push, resolved
)
DELIVERY_RETRIES = Counter(
    "tsunagu_delivery_retries_total", "Delivery attempts that failed transiently", ["status"]
)
DELIVERY_LATENCY = Histogram(
    "tsunagu_delivery_seconds",
    "Time from the LINE event (or the enqueue) to the answer's delivery",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600),
)
DANGER_ALERTS = Counter(
    "tsunagu_danger_alerts_total", "Staff alerted: a danger answer could not be delivered or handled"
)
LAST_RESORT_ANSWERS = Counter(
    "tsunagu_last_resort_answers_total", "Emergency lines sent from the catalogue when handling failed"
)

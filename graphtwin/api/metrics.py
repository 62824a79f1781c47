"""Prometheus metrics of the API, in a registry of its own (served at /metrics)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

HTTP_REQUESTS = Counter(
    "graphtwin_http_requests_total",
    "HTTP requests by route and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
HTTP_SECONDS = Histogram(
    "graphtwin_http_request_seconds",
    "HTTP request latency by route.",
    ["route"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
OPERATIONS = Counter(
    "graphtwin_graphql_operations_total",
    "GraphQL operations by type (query, mutation) and outcome (ok, invalid, refused, "
    "forbidden, error).",
    ["type", "outcome"],
    registry=REGISTRY,
)
OPERATION_SECONDS = Histogram(
    "graphtwin_graphql_operation_seconds",
    "GraphQL operation execution time by type.",
    ["type"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
NEO4J_UP = Gauge(
    "graphtwin_neo4j_up", "1 when the last health check reached Neo4j.", registry=REGISTRY
)
AUTH_FAILURES = Counter(
    "graphtwin_auth_failures_total",
    "Requests refused for a missing, malformed, unknown or revoked API key.",
    registry=REGISTRY,
)

"""Per-point forecasts with intervals, backtests, and early warnings before a threshold is
crossed (docs/prediction.md). A middle layer: it reads the store and the history, never the API
or the CLI."""

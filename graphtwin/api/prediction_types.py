"""GraphQL types of forecasts: a point's forecast with its intervals and the model behind it."""

from __future__ import annotations

import strawberry

from graphtwin.api.scalars import DateTime


@strawberry.type(description="One step of a forecast: the mean and its 80% and 95% intervals.")
class ForecastValue:
    time: DateTime
    mean: float | None
    lower80: float | None
    upper80: float | None
    lower95: float | None
    upper95: float | None


@strawberry.type(description="What the history a forecast was made from held (NaN and gaps "
                 "counted, never hidden).")  # fmt: skip
class ForecastHistory:
    samples: int = strawberry.field(description="Finite values that went onto the grid.")
    nan_count: int = strawberry.field(description="Values dropped as NaN or infinite.")
    gap_count: int = strawberry.field(description="Gaps too long to fill, left out.")
    gap_steps: int = strawberry.field(description="Grid steps in those gaps.")
    filled_steps: int = strawberry.field(description="Grid steps filled by interpolation.")


@strawberry.type(
    description="A point's forecast (docs/prediction.md), or why there is none: `status` ok, "
    "or insufficient_history with `message` saying how much history there is and how much is "
    "needed (and no values)."
)
class Forecast:
    status: str = strawberry.field(description="ok or insufficient_history.")
    message: str | None
    model_id: str | None
    family: str | None = strawberry.field(description="The model family (per point kind).")
    kind: str | None = strawberry.field(description="What the point measures, for forecasting.")
    trained_from: DateTime | None = strawberry.field(description="Start of the training window.")
    trained_to: DateTime | None = strawberry.field(description="End of the training window.")
    samples: int | None = strawberry.field(description="Values the model was trained on.")
    backtest_mase: float | None = strawberry.field(
        description="The model's backtest MASE against the seasonal naive forecast (one day "
        "earlier); below 1 beats it."
    )
    refit: str | None = strawberry.field(
        description="Why the model was fitted for this answer (null: the stored model)."
    )
    issued_at: DateTime | None
    history: ForecastHistory
    values: list[ForecastValue] = strawberry.field(description="The forecast, step by step.")

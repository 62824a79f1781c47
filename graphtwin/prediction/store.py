"""Forecast models in the graph: one `(:ForecastModel)` per point that `MODELS` it.

A stored model keeps the record the prediction package wrote (`FittedModel.to_record()`, as
JSON text) and the metadata people query: model id, family, kind, training window, samples,
backtest MASE, when it was fitted and when it is due for a refit (`refit_after`). A refit
replaces the point's model (unique `ForecastModel.point`, migration 0009).

>>> with TwinStore.open(settings) as store:  # doctest: +SKIP
...     save_models(store, fitted, fitted_at=now, refit_after_s=86_400)
...     load_models(store, ["urn:office:zone-1-temp"])["urn:office:zone-1-temp"].model.model_id
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from graphtwin.prediction.forecast import FittedModel
from graphtwin.store import TwinStore


@dataclass(frozen=True, slots=True)
class PointInfo:
    """A twin entity as a forecast needs it: is it a live point, and what is it a point of."""

    twin_id: str
    is_point: bool
    kind: str | None = None
    brick_class: str | None = None
    unit: str | None = None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class StoredModel:
    """A point's stored model, with when it was fitted and when it is due for a refit."""

    point: str
    model: FittedModel
    fitted_at: datetime
    refit_after: datetime


def point_from_row(row: Mapping[str, Any]) -> PointInfo:
    return PointInfo(
        twin_id=row["twin_id"],
        is_point=bool(row["is_point"]),
        kind=row["kind"],
        brick_class=row["brick_class"],
        unit=row["unit"],
        name=row["name"],
    )


def stored_from_row(row: Mapping[str, Any]) -> StoredModel:
    """A `prediction/models_read` row as a stored model (the API reads rows itself)."""
    return StoredModel(
        point=row["point"],
        model=FittedModel.from_record(json.loads(row["record"])),
        fitted_at=_time(row["fitted_at"]),
        refit_after=_time(row["refit_after"]),
    )


def points(store: TwinStore, ids: Iterable[str]) -> dict[str, PointInfo]:
    """The entities `ids` the twin holds, by twin_id (an unknown id is missing)."""
    rows = store.read("prediction/points", ids=sorted(set(ids)))
    return {r["twin_id"]: point_from_row(r) for r in rows}


def points_under(store: TwinStore, root: str | None) -> list[PointInfo]:
    """The live points of the twin (`root` None), or of the part `--root` selects everywhere
    (`TwinStore.scope`: what the root contains, its parts and points, what is located in it),
    in twin_id order. An unknown root is a TwinNotFoundError."""
    if root is None:
        return [point_from_row(r) for r in store.read("prediction/points_all")]
    found = points(store, store.scope(root=root) or set())
    return [info for _, info in sorted(found.items()) if info.is_point]


def load_models(store: TwinStore, ids: Iterable[str]) -> dict[str, StoredModel]:
    """The stored models of the points `ids`, by point (a point with none is missing)."""
    rows = store.read("prediction/models_read", ids=sorted(set(ids)))
    return {r["point"]: stored_from_row(r) for r in rows}


def save_models(
    store: TwinStore,
    models: Sequence[tuple[str, FittedModel]],
    *,
    fitted_at: datetime,
    refit_after_s: float,
) -> int:
    """Store (point, model) pairs, replacing each point's model; returns how many were
    written (a point retired meanwhile is skipped)."""
    if not models:
        return 0
    refit_after = fitted_at + timedelta(seconds=refit_after_s)
    rows = [model_row(point, m, fitted_at, refit_after) for point, m in models]
    return int(store.write("prediction/models_write", rows=rows)[0]["written"])


def model_row(
    point: str, model: FittedModel, fitted_at: datetime, refit_after: datetime
) -> dict[str, Any]:
    mase = model.mase
    return {
        "point": point,
        "model_id": model.model_id,
        "family": str(model.family),
        "kind": str(model.kind),
        "record": json.dumps(model.to_record(), sort_keys=True),
        "samples": int(model.samples),
        "mase": None if mase is None else float(mase),
        "trained_from": model.trained_from.isoformat(),
        "trained_to": model.trained_to.isoformat(),
        "fitted_at": fitted_at.isoformat(),
        "refit_after": refit_after.isoformat(),
    }


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

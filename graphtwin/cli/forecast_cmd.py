"""`graphtwin forecast TWIN_ID`, `forecast fit`, `forecast backtest` and `forecast watch`:
per-point forecasts with intervals, their stored models, their scores, and early warnings.

`graphtwin forecast TWIN_ID` is short for `graphtwin forecast point TWIN_ID` (a twin id that is
also a subcommand's name needs the long form). The prediction code (numpy, pandas, the models)
loads only when a command runs, so `graphtwin --version` stays fast.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from graphtwin.cli.ctrl_c import ctrl_c_stops
from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err, error_json, fail, out, print_json
from graphtwin.config import load_settings
from graphtwin.errors import GraphTwinError, InputError
from graphtwin.telemetry.history import open_history


class _PointByDefault(TyperGroup):
    """`forecast TWIN_ID` runs `forecast point TWIN_ID`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["point", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=_PointByDefault,
    help="Per-point forecasts with 80% and 95% intervals, their models, backtests and early "
    "warnings (`graphtwin forecast TWIN_ID` forecasts one point).",
    no_args_is_help=True,
)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]
Root = Annotated[
    str | None,
    typer.Option(
        "--root",
        help="Only the points under this twin_id (default: every point).",
        show_default=False,
    ),
]
History = Annotated[
    Path | None,
    typer.Option(
        "--history",
        help="The history store the models are fitted on (default: the API's pipeline "
        "history, TELEMETRY_DIR/history; `graphtwin sync` writes where its bindings say).",
        file_okay=False,
    ),
]


def _duration(name: str, default: str) -> Any:
    return typer.Option(name, help=f"e.g. 6h, 90m, 2d or PT6H (default {default}).")


@app.command("point")
@guarded
def point(
    twin_id: Annotated[str, typer.Argument(help="The point's twin_id.", show_default=False)],
    horizon: Annotated[str, _duration("--horizon", "24h")] = "24h",
    step: Annotated[str, _duration("--step", "15m")] = "15m",
    as_json: JsonFlag = False,
    history: History = None,
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="Issue the forecast at this past time (ISO 8601; no offset: UTC) from the "
            "history up to it, as the twin would have then (a recorded run, a replay); the model "
            "fitted for it is not stored.",
        ),
    ] = None,
) -> None:
    """Forecast one point: mean with 80% and 95% intervals per step, the model (id, family,
    training window, backtest MASE); a point with too little history is told so."""
    try:
        from graphtwin.prediction.forecast_point import forecast_json, forecast_point
        from graphtwin.store import TwinStore
        from graphtwin.store.asof import parse_time

        settings = load_settings()
        ahead, every = _parse_duration(horizon, "--horizon"), _parse_duration(step, "--step")
        issued = None if at is None else parse_time(at, field="--at")
        if issued is not None and issued > datetime.now(UTC):
            raise InputError(f"{at} is in the future: --at replays a past time", entity="--at")
        with TwinStore.open(settings) as store:
            answer = forecast_point(store, open_history(settings, history), settings, twin_id,
                                    horizon=ahead, step=every, now=issued,
                                    keep=issued is None)  # fmt: skip
        result = forecast_json(answer)
    except GraphTwinError as exc:
        raise _failed(exc, as_json) from exc
    _show(result, as_json, _print_forecast)


@app.command("fit")
@guarded
def fit(
    root: Root = None,
    force: Annotated[bool, typer.Option("--force", help="Refit every model, fresh or not.")] = (
        False
    ),
    as_json: JsonFlag = False,
    history: History = None,
) -> None:
    """Fit and store the forecast model of every point under the root: a model is refit when
    it is older than its schedule or its error grew (docs/prediction.md), else kept."""
    try:
        from graphtwin.prediction.fit_models import fit_models
        from graphtwin.prediction.forecast_point import model_json
        from graphtwin.store import TwinStore

        settings = load_settings()
        with TwinStore.open(settings) as store:
            run = fit_models(store, open_history(settings, history), settings, root=root,
                             force=force)  # fmt: skip
    except GraphTwinError as exc:
        raise _failed(exc, as_json) from exc
    result = {
        "root": root,
        "fitted_at": run.fitted_at.isoformat(),
        "points": len(run.states),
        "refit": len(run.refit),
        "kept": len(run.kept),
        "insufficient_history": len(run.short),
        "stored": run.stored,
        "models": [
            {"twin_id": s.point, "model": model_json(s), "message": s.shortfall} for s in run.states
        ],
    }
    if as_json:
        print_json(result)
        return
    out.print(
        f"{result['points']} point(s): {result['refit']} fitted and stored, {result['kept']} "
        f"kept (fresh), {result['insufficient_history']} with too little history"
    )
    for s in run.short:
        out.print(f"  {s.point}: {s.shortfall}", markup=False)


@app.command("backtest")
@guarded
def backtest(
    start: Annotated[
        str, typer.Option("--from", help="First forecast origin (ISO 8601).", show_default=False)
    ],
    end: Annotated[
        str, typer.Option("--to", help="End of the scored period (ISO 8601).", show_default=False)
    ],
    root: Root = None,
    as_json: JsonFlag = False,
    history: History = None,
) -> None:
    """Score rolling-origin forecasts between --from and --to against what happened: MASE
    against the seasonal naive forecast (one day earlier) at 1 h and 24 h ahead, and the
    coverage of each interval, per point and overall."""
    try:
        from graphtwin.prediction.backtest_points import backtest_points
        from graphtwin.store import TwinStore

        settings = load_settings()
        first, last = _parse_time(start, "--from"), _parse_time(end, "--to")
        if last <= first:
            raise InputError(f"--to {last.isoformat()} is not after --from {first.isoformat()}",
                             entity="--to")  # fmt: skip
        with TwinStore.open(settings) as store:
            report = backtest_points(store, open_history(settings, history), settings,
                                     root=root, start=first, end=last)  # fmt: skip
    except GraphTwinError as exc:
        raise _failed(exc, as_json) from exc
    _show(report, as_json, _print_backtest)


@app.command("watch")
@guarded
@ctrl_c_stops()
def watch(
    config: Annotated[
        Path,
        typer.Option(
            "--config",
            "-c",
            help="The bindings file whose threshold rules are "
            "watched (as `graphtwin sync` reads it).",
            exists=True,
            dir_okay=False,
        ),
    ],
    root: Root = None,
    every: Annotated[str, _duration("--every", "15m")] = "15m",
    horizon: Annotated[str, _duration("--horizon", "2h")] = "2h",
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Early warning: forecast every point with a threshold rule and open a `predicted` drift
    issue where the forecast crosses within the horizon (expected time, probability); resolve
    it when a later forecast no longer crosses. Runs every --every until Ctrl-C, or --once."""
    try:
        from graphtwin.audit import AuditKeySource, AuditLog
        from graphtwin.prediction.early_warning import early_warning
        from graphtwin.prediction.forecast_point import check_request
        from graphtwin.prediction.fresh_model import FIT_STEP
        from graphtwin.prediction.watched_points import watched_points
        from graphtwin.store import TwinStore
        from graphtwin.telemetry.alerts import post_alert
        from graphtwin.telemetry.bindings import read_bindings
        from graphtwin.telemetry.history import HistoryStore

        settings = load_settings()
        ahead, period = _parse_duration(horizon, "--horizon"), _parse_duration(every, "--every")
        check_request(ahead, FIT_STEP, settings)
        spec = read_bindings(config)
        history = HistoryStore(spec.history.dir, retention_days=None)
        with (
            TwinStore.open(settings) as store,
            AuditLog(spec.audit_log, key=AuditKeySource.of(settings)) as audit,
        ):
            watched = watched_points(store, spec, str(config), root=root)
            while True:
                run = early_warning(store, history, settings, watched, horizon=ahead,
                                    audit=audit)  # fmt: skip
                for url, body in run.alerts:
                    asyncio.run(post_alert(url, body))
                result = _watch_json(run, len(watched), ahead)
                if as_json:
                    print_json(result)
                else:
                    _print_watch(result)
                if once:
                    return
                time.sleep(period.total_seconds())
    except KeyboardInterrupt:
        err.print("stopped")
    except GraphTwinError as exc:
        raise _failed(exc, as_json) from exc


def _watch_json(run: Any, watched: int, horizon: timedelta) -> dict[str, Any]:
    return {
        "at": run.fits.fitted_at.isoformat(),
        "watched": watched,
        "refit": len(run.fits.refit),
        "insufficient_history": len(run.fits.short),
        "warnings": [
            {"twin_id": w.twin_id, "severity": str(w.severity), **w.evidence(horizon)}
            for w in run.warnings
        ],
        "opened": run.opened,
        "changed": run.changed,
        "resolved": run.resolved,
    }


def _print_watch(result: dict[str, Any]) -> None:
    out.print(
        f"{result['at']}: {result['watched']} point(s) watched, {len(result['warnings'])} "
        f"forecast to cross; issues opened {result['opened']}, changed {result['changed']}, "
        f"resolved {result['resolved']}"
    )
    for w in result["warnings"]:
        out.print(f"  {w['twin_id']}: {w['severity']} bound {w['bound']} around "
                  f"{w['expected_at']} (p={w['probability']:.2f})", markup=False)  # fmt: skip


def _print_forecast(result: dict[str, Any]) -> None:
    from rich.table import Table

    if result["status"] != "ok":
        out.print(f"{result['twin_id']}: no forecast ({result['status']}): {result['message']}",
                  markup=False)  # fmt: skip
        return
    model = result["model"]
    mase = model["backtest_mase"]
    out.print(
        f"{result['twin_id']}: model {model['model_id']} ({model['family']}, {model['kind']}), "
        f"trained {model['trained_from']} .. {model['trained_to']} on {model['samples']} "
        f"samples, backtest MASE {'n/a' if mase is None else f'{mase:.2f}'}",
        markup=False,
    )
    table = Table("time", "mean", "80% low", "80% high", "95% low", "95% high")
    for p in result["points"]:
        table.add_row(p["time"], *(_fmt(p[k]) for k in ("mean", "lo80", "hi80", "lo95", "hi95")))
    out.print(table)


def _print_backtest(report: dict[str, Any]) -> None:
    from rich.table import Table

    overall = report["overall"]
    out.print(
        f"{report['points']} point(s) scored from {report['from']} to {report['to']}; overall "
        f"MASE 1h {_fmt(overall.get('mase_1h'))}, 24h {_fmt(overall.get('mase_24h'))}; coverage "
        f"80% {_fmt(overall.get('coverage_80'))}, 90% {_fmt(overall.get('coverage_90'))}, 95% "
        f"{_fmt(overall.get('coverage_95'))}"
    )
    table = Table("point", "MASE 1h", "MASE 24h", "cov 80", "cov 90", "cov 95", "note")
    for p in report["per_point"]:
        table.add_row(
            p["twin_id"],
            *(
                _fmt(p.get(k))
                for k in ("mase_1h", "mase_24h", "coverage_80", "coverage_90", "coverage_95")
            ),
            p.get("message") or "",
        )
    out.print(table)


def _show(result: dict[str, Any], as_json: bool, printer: Callable[[dict[str, Any]], None]) -> None:
    if as_json:
        print_json(result)
    else:
        printer(result)


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _parse_duration(text: str, option: str) -> timedelta:
    from graphtwin.virtual.faults.spec import parse_duration

    try:
        found = parse_duration(text)
    except ValueError as exc:
        raise InputError(str(exc), entity=option) from exc
    if found <= timedelta(0):
        raise InputError(f"{text!r} is not a positive duration", entity=option)
    return found


def _parse_time(text: str, option: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{text!r} is not an ISO 8601 time", entity=option) from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _failed(exc: GraphTwinError, as_json: bool) -> typer.Exit:
    if as_json:
        print_json(error_json(exc))
        return typer.Exit(exc.exit_code)
    return typer.Exit(fail(exc))

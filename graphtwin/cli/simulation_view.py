"""How the CLI prints a what-if run: the side-by-side comparison of inaction and the actions,
their topology impact and their first violations; and the zone models of `graphtwin calibrate`.

It prints the JSON form of a run (`graphtwin.simulation.records.result_json` for a run just
made, `record_json` for a recorded one), so a fresh run and `graphtwin simulation show` read
the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.table import Table

from graphtwin.cli.output import out


def print_run(run: Mapping[str, Any], *, recorded: bool) -> None:
    """The comparison table, then per variant its impact and first violation."""
    out.print(
        f"[bold]{_escape(run['scenario'])}[/]: {_duration(float(run['horizon_s']))} from "
        f"{run['start']} in steps of {_duration(float(run['step_s']))}; run "
        f"{_escape(run['run_id'])}" + ("" if recorded else " (not recorded)")
    )
    ranks = {r["name"]: r for r in run["ranking"]}
    table = Table(
        "variant",
        "violation h",
        "zones affected",
        "energy kWh",
        "cost",
        "CO2 kg",
        "band K",
        "rank",
        "because",
        title="Action against inaction",
    )
    for o in sorted(run["outcomes"], key=lambda o: ranks.get(o["name"], {}).get("rank", 1e9)):
        rank = ranks.get(o["name"])
        table.add_row(
            _escape(o["name"]),
            f"{o['violation_hours']:.2f}",
            str(len(o["zones_affected"])),
            f"{o['energy_kwh']:.1f}",
            f"{o['cost']:.2f}",
            f"{o['co2_kg']:.1f}",
            _number(o["band_width_k"], "{:.2f}"),
            str(rank["rank"]) if rank else "-",
            _escape(rank["because"]) if rank else "",
        )
    out.print(table)
    impact = Table("variant", "removed", "loses supply", "partly (redundant feed)",
                   title="Topology impact")  # fmt: skip
    for o in run["outcomes"]:
        i = o["impact"]
        impact.add_row(_escape(o["name"]), _ids(i["removed"]), _ids(i["lost"]), _ids(i["partly"]))
    out.print(impact)
    first = Table("variant", "time to it", "duration", "severity", "node", "constraint",
                  "because", title="First violation")  # fmt: skip
    start = datetime.fromisoformat(run["start"])
    for o in run["outcomes"]:
        v = o["first_violation"]
        if v is None:
            first.add_row(_escape(o["name"]), "none within the horizon", "", "", "", "", "")
            continue
        side = "above max" if v["bound"] == "max" else "below min"
        limit = f"{side} {v['limit']:g}{' ' + v['unit'] if v['unit'] else ''}"
        when = f" when {v['when']}" + (" (assumed)" if v["condition_assumed"] else "")
        first.add_row(
            _escape(o["name"]),
            _duration((datetime.fromisoformat(v["first_at"]) - start).total_seconds()),
            _duration(v["duration_s"]),
            v["severity"],
            _escape(f"{v['node']} {v['property']}"),
            _escape(f"{', '.join(v['constraint_ids'])}: {limit}" + (when if v["when"] else "")),
            _escape(v["because"]),
        )
    out.print(first)
    priors = [m["zone"] for m in run["models"] if not m["calibrated"]]
    if priors:
        out.print(
            f"[yellow]{len(priors)} zone(s) simulated from geometry priors, not calibrated "
            f"(wide band):[/] {_ids(priors)}"
        )
    for warning in run.get("warnings") or ():
        out.print(f"[yellow]warning:[/] {_escape(warning)}")


def print_models(models: Sequence[Mapping[str, Any]]) -> None:
    """One row per zone: calibrated or priors, the fit's RMSE, samples and interval."""
    table = Table("zone", "model", "RMSE K", "samples", "fitted from", "fitted to", "stale",
                  title="Zone models")  # fmt: skip
    for m in models:
        table.add_row(
            _escape(m["zone"]),
            "calibrated" if m["calibrated"] else "[yellow]priors[/]",
            _number(m["rmse_k"], "{:.3f}"),
            str(m["samples"]),
            m["fitted_from"] or "-",
            m["fitted_to"] or "-",
            "[red]stale[/]" if m["stale"] else "no",
        )
    out.print(table)
    calibrated = sum(1 for m in models if m["calibrated"])
    out.print(f"{calibrated} of {len(models)} zone(s) calibrated from history")


def _number(value: float | None, fmt: str) -> str:
    return "-" if value is None else fmt.format(value)


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _ids(ids: Sequence[str]) -> str:
    return _escape(", ".join(ids)) if ids else "-"


def _escape(text: str) -> str:
    return str(text).replace("[", "\\[")

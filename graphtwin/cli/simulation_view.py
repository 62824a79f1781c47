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
    """The comparison table, then why each variant ranks where it does, the topology impact
    and each variant's first violation, as lines that read in an 80-column terminal (the
    long twin ids and "because" chains would crush a table's columns)."""
    out.print(
        f"[bold]{_escape(run['scenario'])}[/]: {_duration(float(run['horizon_s']))} from "
        f"{run['start']} in steps of {_duration(float(run['step_s']))}; run "
        f"{_escape(run['run_id'])}" + ("" if recorded else " (not recorded)")
    )
    ranks = {r["name"]: r for r in run["ranking"]}
    outcomes = sorted(run["outcomes"], key=lambda o: ranks.get(o["name"], {}).get("rank", 1e9))
    table = Table(
        "rank",
        "variant",
        "violation h",
        "zones",
        "kWh",
        "cost",
        "kg CO2",
        "band K",
        title="Action against inaction",
        caption="band K: the widest 90 % band of a zone's temperature",
    )
    for o in outcomes:
        rank = ranks.get(o["name"])
        table.add_row(
            str(rank["rank"]) if rank else "-",
            _escape(o["name"]),
            f"{o['violation_hours']:.2f}",
            str(len(o["zones_affected"])),
            f"{o['energy_kwh']:.1f}",
            f"{o['cost']:.2f}",
            f"{o['co2_kg']:.1f}",
            _number(o["band_width_k"], "{:.2f}"),
        )
    out.print(table)
    out.print("[bold]Because[/]")
    for o in outcomes:
        rank = ranks.get(o["name"])
        if rank:
            out.print(f"  {rank['rank']}. {_escape(o['name'])}: {_escape(rank['because'])}")
    _print_impact(run["outcomes"])
    _print_first_violations(run["outcomes"], datetime.fromisoformat(run["start"]))
    priors = [m["zone"] for m in run["models"] if not m["calibrated"]]
    if priors:
        out.print(
            f"[yellow]{len(priors)} zone(s) simulated from geometry priors, not calibrated "
            f"(wide band):[/] {_ids(priors)}"
        )
    for warning in run.get("warnings") or ():
        out.print(f"[yellow]warning:[/] {_escape(warning)}")


def _print_impact(outcomes: Sequence[Mapping[str, Any]]) -> None:
    """What each variant removes and who loses supply; once when every variant agrees."""
    out.print("[bold]Topology impact[/]")
    impacts = [(o["name"], o["impact"]) for o in outcomes]
    if len({repr(sorted(i.items())) for _, i in impacts}) == 1:
        impacts = [("every variant", impacts[0][1])]
    for name, i in impacts:
        out.print(
            f"  {_escape(name)}: {len(i['removed'])} removed, {len(i['lost'])} lose supply, "
            f"{len(i['partly'])} partly (a redundant feed)"
        )
        for label, key in (("removed", "removed"), ("lose supply", "lost"), ("partly", "partly")):
            if i[key]:
                out.print(f"    {label}: {_ids(i[key])}")


def _print_first_violations(outcomes: Sequence[Mapping[str, Any]], start: datetime) -> None:
    """Each variant's first violation; once when every variant has the same one."""
    out.print("[bold]First violation[/]")
    firsts = [(o["name"], o["first_violation"]) for o in outcomes]
    if len(firsts) > 1 and len({repr(v) for _, v in firsts}) == 1:
        firsts = [("every variant", firsts[0][1])]
    for name, v in firsts:
        if v is None:
            out.print(f"  {_escape(name)}: none within the horizon")
            continue
        side = "above max" if v["bound"] == "max" else "below min"
        limit = f"{side} {v['limit']:g}{' ' + v['unit'] if v['unit'] else ''}"
        when = f" when {v['when']}" + (" (assumed)" if v["condition_assumed"] else "")
        after = _duration((datetime.fromisoformat(v["first_at"]) - start).total_seconds())
        out.print(
            f"  {_escape(name)}: after {after}, for {_duration(v['duration_s'])}, "
            f"{v['severity']}: {_escape(v['node'])} {_escape(v['property'])} "
            f"{_escape(', '.join(v['constraint_ids']))} {limit}{when if v['when'] else ''}"
        )
        out.print(f"    because {_escape(v['because'])}")


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

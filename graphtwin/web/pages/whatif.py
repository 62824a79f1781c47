"""What-if: choose what happens and the actions to compare, run the scenario, then see inaction
against each action (trajectories with bands, time to violation, energy, cost, CO2, the ranked
table with its because) and accept one of them with a note.

Running needs the simulate permission and accepting the decide permission (operator, admin):
a viewer sees the runs but neither form, and a forged POST is refused (403) by the page and
again by the GraphQL mutation. A target field suggests equipment (and, for an action, zones and
spaces) as it is typed (`/whatif/targets`, a search): the form never lists a large building's
thousands of them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from graphtwin.api.roles import Permission
from graphtwin.web.csrf import CsrfChecked
from graphtwin.web.errors import WebActionError
from graphtwin.web.graphql import graphql
from graphtwin.web.session import SignedIn
from graphtwin.web.templates import FRAGMENT, render
from graphtwin.web.whatif_chart import zone_charts
from graphtwin.web.whatif_form import ACTIONS, HORIZONS, INTERVENTIONS, MAX_ACTIONS, scenario_input

router = APIRouter()

SUGGESTIONS = 20
"""Targets a field suggests per kind as one is typed (the best matches)."""


@router.get("/whatif", response_class=HTMLResponse)
async def whatif(
    request: Request, session: SignedIn, trip: str | None = None, target: str | None = None
) -> HTMLResponse:
    """The form (prefilled: `?trip=<equipment>` trips it, `?target=<id>` names it) and the
    latest runs."""
    data = await graphql(request, "whatif_form")
    return render(
        request,
        "whatif.html",
        title="What-if",
        runs=data["simulationRuns"],
        suggestions=SUGGESTIONS,
        prefill={"type": "trip" if trip else "", "target": trip or target or ""},
        interventions=INTERVENTIONS,
        actions=ACTIONS,
        horizons=HORIZONS,
        action_rows=range(MAX_ACTIONS),
    )


@router.get("/whatif/targets", response_class=HTMLResponse, tags=[FRAGMENT])
async def targets(request: Request, session: SignedIn, places: bool = False) -> HTMLResponse:
    """A target field's suggestions as it is typed (an htmx fragment: its datalist's options):
    the equipment, and with `places` the zones and spaces, whose name or twin_id has words
    starting with the text. htmx sends the field under its own name (`intervention_target`,
    `action_0_target`, ...); no text, no suggestion."""
    text = next((v for k, v in request.query_params.items() if k.endswith("_target")), "")
    if not text.strip():
        return render(request, "whatif_targets.html", options=[])
    data = await graphql(
        request, "whatif_targets", text=text.strip(), first=SUGGESTIONS, places=places
    )
    options = [*data["equipment"], *data.get("zones", []), *data.get("spaces", [])]
    return render(request, "whatif_targets.html", options=options)


@router.post("/whatif/run")
async def run(request: Request, session: CsrfChecked) -> RedirectResponse:
    """Run the scenario of the form; 303 to the recorded run."""
    session.require(Permission.SIMULATE, "run a what-if")
    form = await request.form()
    variables = scenario_input({k: v for k, v in form.items() if isinstance(v, str)})
    data = await graphql(request, "whatif_simulate", s=variables)
    return RedirectResponse(f"/whatif/runs/{data['simulate']['runId']}", status_code=303)


@router.get("/whatif/runs/{run_id}", response_class=HTMLResponse)
async def whatif_run(request: Request, run_id: str, session: SignedIn) -> HTMLResponse:
    data = await graphql(request, "whatif_run", id=run_id)
    found = data["simulationRun"]
    if found is None:
        raise WebActionError(f"what-if run {run_id}", "no recorded run has this id", status=404)
    return render(
        request,
        "whatif_run.html",
        title=f"What-if: {found['scenario']['name']}",
        run=found,
        table=_table(found),
        charts=zone_charts(found),
        accepted={d["action"]: d for d in data["decisions"]},
    )


@router.post("/whatif/runs/{run_id}/accept")
async def accept(
    request: Request,
    run_id: str,
    session: CsrfChecked,
    action: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> RedirectResponse:
    """Accept one action with its note (required: the mutation refuses an empty one); 303 to
    the decision log."""
    session.require(Permission.DECIDE, "accept an action")
    await graphql(request, "whatif_accept", run=run_id, action=action, note=note)
    return RedirectResponse("/decisions", status_code=303)


def _table(run: dict[str, Any]) -> list[dict[str, Any]]:
    """The variants in ranking order, each with its figures, its time to the first violation
    (from the simulated start) and its because line."""
    outcomes = {o["name"]: o for o in run["outcomes"]}
    start = datetime.fromisoformat(run["start"])
    rows = []
    for ranked in run["ranking"]:
        outcome = outcomes[ranked["name"]]
        first = outcome["firstViolation"]
        rows.append(
            {
                **outcome,
                "rank": ranked["rank"],
                "because": ranked["because"],
                "to_violation_min": (
                    (datetime.fromisoformat(first["firstAt"]) - start).total_seconds() / 60
                    if first
                    else None
                ),
            }
        )
    return rows

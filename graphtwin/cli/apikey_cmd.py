"""`graphtwin apikey create|list|revoke`: the keys that open the API, stored hashed."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer
from rich.table import Table

from graphtwin.api.apikeys import ApiKeyStore, NewApiKey
from graphtwin.api.roles import Role
from graphtwin.audit import ChangeAudit
from graphtwin.cli.guard import guarded
from graphtwin.cli.output import err, out, print_json
from graphtwin.config import Settings, load_settings
from graphtwin.store import TwinStore, resolve_target
from graphtwin.store.connection import open_async_driver

app = typer.Typer(help="API keys of the GraphQL API (shown once, stored hashed).")


async def _with_keys(settings: Settings, action: str, *args: object) -> object:
    TwinStore.migrate_schema(settings)  # the API key constraint
    target = resolve_target(settings)
    driver = await open_async_driver(target)
    try:
        keys = ApiKeyStore(driver, target.database)
        return await getattr(keys, action)(*args)
    finally:
        await driver.close()


def create_key(role: Role, name: str) -> NewApiKey:
    """Create a key, audited (also used by `graphtwin demo`)."""
    settings = load_settings()
    audit = ChangeAudit.for_cli(settings)
    audit.check()
    created = asyncio.run(_with_keys(settings, "create", role, name))
    assert isinstance(created, NewApiKey)
    audit.apikey_created(created.key_id, created.name, created.role.value)
    return created


@app.command()
@guarded
def create(
    role: Annotated[Role, typer.Option(help="What the key may do.", show_default=False)],
    name: Annotated[str, typer.Option(help="Who or what uses it.")] = "unnamed",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Create an API key; the key is printed once and cannot be shown again."""
    created = create_key(role, name)
    if as_json:
        print_json({"key_id": created.key_id, "name": name, "role": role.value,
                    "key": created.token})  # fmt: skip
        return
    err.print(f"API key {created.key_id} ({role.value}, {name}); keep it, it is not stored:")
    out.print(created.token)


@app.command("list")
@guarded
def list_keys(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List API keys (never their secrets)."""
    keys = asyncio.run(_with_keys(load_settings(), "list"))
    assert isinstance(keys, list)
    if as_json:
        print_json(keys)
        return
    table = Table("key id", "name", "role", "created", "revoked")
    for k in keys:
        table.add_row(k["key_id"], k["name"], k["role"], k["created_at"], k["revoked_at"] or "")
    out.print(table)


@app.command()
@guarded
def revoke(key_id: Annotated[str, typer.Argument(help="The key id (gt_<id>_...).")]) -> None:
    """Revoke an API key (servers stop accepting it within 30 s); audited."""
    settings = load_settings()
    audit = ChangeAudit.for_cli(settings)
    audit.check()
    if not asyncio.run(_with_keys(settings, "revoke", key_id)):
        err.print(f"no API key {key_id!r}")
        raise typer.Exit(1)
    audit.apikey_revoked(key_id)
    out.print(f"revoked {key_id}")

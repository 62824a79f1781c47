"""Which Neo4j to talk to, and a driver for it.

With `NEO4J_URI` set that server is used unchanged; otherwise the local instance graphtwin manages
(its remembered Bolt port and generated password, read as its manager left them: see
`local_endpoint`; the store knows nothing else of the manager). Every driver graphtwin opens is
opened here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import neo4j
from neo4j.exceptions import AuthError, ServiceUnavailable

import graphtwin
from graphtwin.config import Settings
from graphtwin.errors import AuthenticationFailedError, StoreUnavailableError
from graphtwin.store.local_endpoint import USER, LocalEndpoint


@dataclass(frozen=True, slots=True)
class Neo4jTarget:
    uri: str
    user: str
    password: str | None
    database: str
    external: bool
    password_file: Path | None = None

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.user, self.password) if self.password is not None else None


def resolve_target(settings: Settings) -> Neo4jTarget:
    """The server every command should use, from the environment or the local instance."""
    if settings.neo4j_uri:
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
        return Neo4jTarget(
            uri=settings.neo4j_uri,
            user=settings.neo4j_user,
            password=password,
            database=settings.neo4j_database,
            external=True,
        )
    instance = LocalEndpoint(settings.local_instance_dir)
    port = instance.bolt_port()
    if port is None:
        raise StoreUnavailableError(
            "no Neo4j to connect to: NEO4J_URI is not set and the local server was never "
            "started; run `graphtwin neo4j start`"
        )
    return Neo4jTarget(
        uri=f"bolt://127.0.0.1:{port}",
        user=USER,
        password=instance.password(),
        database="neo4j",
        external=False,
        password_file=instance.password_file,
    )


def open_driver(target: Neo4jTarget, *, verify: bool = True) -> neo4j.Driver:
    """A driver for `target`; with `verify`, fail now with a clear message if it is unreachable."""
    driver = neo4j.GraphDatabase.driver(
        target.uri,
        auth=target.auth,
        user_agent=f"graphtwin/{graphtwin.__version__}",
        # Schema hints ("label does not exist yet") are noise for an import tool.
        notifications_min_severity="OFF",
    )
    if verify:
        try:
            driver.verify_connectivity()
        except AuthError as exc:
            driver.close()
            raise AuthenticationFailedError(
                f"Neo4j at {target.uri} refused the credentials of user {target.user!r}: "
                f"{exc.message}"
            ) from exc
        except (ServiceUnavailable, OSError) as exc:
            driver.close()
            hint = "" if target.external else " (start it with `graphtwin neo4j start`)"
            raise StoreUnavailableError(f"cannot reach Neo4j at {target.uri}{hint}") from exc
    return driver


async def open_async_driver(target: Neo4jTarget, *, verify: bool = True) -> neo4j.AsyncDriver:
    """An asyncio driver for `target` (the API, other async code), checked like `open_driver`."""
    driver = neo4j.AsyncGraphDatabase.driver(
        target.uri,
        auth=target.auth,
        user_agent=f"graphtwin/{graphtwin.__version__}",
        notifications_min_severity="OFF",
    )
    if verify:
        try:
            await driver.verify_connectivity()
        except AuthError as exc:
            await driver.close()
            raise AuthenticationFailedError(
                f"Neo4j at {target.uri} refused the credentials of user {target.user!r}: "
                f"{exc.message}"
            ) from exc
        except (ServiceUnavailable, OSError) as exc:
            await driver.close()
            hint = "" if target.external else " (start it with `graphtwin neo4j start`)"
            raise StoreUnavailableError(f"cannot reach Neo4j at {target.uri}{hint}") from exc
    return driver

"""``create_app()``: the FastAPI application factory (``chipwatch serve`` runs it)."""

from __future__ import annotations

from fastapi import FastAPI

from chipwatch import __version__, service
from chipwatch.api import (
    attestation_routes,
    audit_routes,
    custody_routes,
    fee_routes,
    hold_routes,
    licence_routes,
    match_routes,
    problems,
    routes,
    screening_routes,
    shipment_routes,
)
from chipwatch.compute import page as compute_page
from chipwatch.compute import routes as compute_routes
from chipwatch.store import Database


def create_app(database: Database | None = None) -> FastAPI:
    app = FastAPI(
        title="chipwatch",
        version=__version__,
        description=(
            "Export control for AI accelerators: classify chips from their specs and decide "
            "orders under the rulebook in force on their date, with reasons and citations. "
            "Not legal advice."
        ),
    )
    if database is not None:
        app.state.database = database
    problems.install(app)
    app.include_router(routes.router)
    app.include_router(audit_routes.router)
    app.include_router(licence_routes.router)
    app.include_router(shipment_routes.router)
    app.include_router(fee_routes.router)
    app.include_router(screening_routes.router)
    app.include_router(match_routes.router)
    app.include_router(attestation_routes.router)
    app.include_router(custody_routes.router)
    app.include_router(hold_routes.router)
    app.include_router(compute_routes.router)
    app.include_router(compute_page.router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        cw = service.default()
        return {"status": "ok", "rulebook": cw.rulebook.digest, "catalog": cw.catalog.digest}

    return app

"""The provider-facing callback endpoint. No login: the provider proves itself with its signature. Starting a
payment is the payable owner's route (orders, family doctor), which knows what is paid for and by whom."""
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from healthhub.core.db import DbSession, utcnow
from healthhub.payments import service

router = APIRouter(prefix="/api/v1/payments", tags=["payments"])


async def raw_body(request: Request) -> bytes:
    # The signature covers the exact bytes, so they are read here (awaited, no database work) and the
    # handler itself stays a plain def that runs in the threadpool, off the event loop.
    return await request.body()


@router.post("/callbacks/{provider}", summary="Signed asynchronous payment notification from a provider",
             responses={401: {"description": "bad signature"}, 400: {"description": "stale or malformed"}})
def payment_callback(provider: str, request: Request, db: DbSession, body: Annotated[bytes, Depends(raw_body)]) -> dict:
    outcome = service.handle_callback(db, provider_name=provider, body=body, headers=request.headers, now=utcnow())
    # 200 for duplicates and stale events too: they are handled, the provider must stop retrying.
    return {"received": True, "outcome": outcome}

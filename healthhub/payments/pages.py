"""The sandbox provider's hosted pay page: it stands in for a real provider's page, so it has no HealthHub
login and is a plain form (see permissions.py)."""
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from healthhub.core.db import DbSession
from healthhub.core.templating import render
from healthhub.payments.sandbox import sandbox

router = APIRouter(include_in_schema=False)


@router.get("/pay/sandbox/{intent_id}")
def sandbox_pay_page(intent_id: str, request: Request, db: DbSession):
    return render(request, "payments/sandbox_pay.html", {"intent": sandbox.get_intent(db, intent_id)})


@router.post("/pay/sandbox/{intent_id}")
def sandbox_pay_submit(intent_id: str, db: DbSession, action: Annotated[str, Form()]):
    intent = sandbox.payer_decides(db, intent_id=intent_id, pay=action == "pay")
    return RedirectResponse(f"{intent.return_url}?paid={'1' if action == 'pay' else '0'}", status_code=303)

"""The logs of a whole journey hold no ID number, mobile or chat text (issue 8, item 5).

The app runs in a thread of this process at DEBUG level with JSON logs, so everything its root handler
writes is captured: a patient adds a family member with an ID number, chats in a consultation, adds
an address with a mobile and orders; requests that fail validation carry PII in their input, and
forced errors (a database integrity error and a pydantic error, both quoting PII) end in 500s. The
captured text is then scanned for those values and for anything shaped like a mobile or ID number.
"""
import io
import logging
import re
import secrets
import sqlite3
import threading
import time
from datetime import date

import httpx
import pytest
import uvicorn
from pydantic import BaseModel
from sqlalchemy import text

from healthhub.app import create_app
from healthhub.core.config import get_settings
from healthhub.core.db import Database, DbSession
from healthhub.core.identity_numbers import make_resident_id, mask_mobile
from tests.browser.conftest import DEMO_PASSWORD, free_port, login, seeded_database
from tests.browser.consult_flow import start_and_chat

pytestmark = pytest.mark.browser

RUN = secrets.token_hex(3)  # unique chat texts, so a hit can only come from this journey
ID_NUMBER = make_resident_id("110105", date(1990, 5, 17), secrets.randbelow(1000), female=False)
MOBILE = f"139{secrets.randbelow(10 ** 8):08d}"
MEMBER_NAME, RECIPIENT = "欧阳晓明", "司马青"
COMPLAINT = f"复诊{RUN}：最近夜里胸闷，血压145/95"
DOCTOR_SAYS = f"胸闷持续多久了？{RUN}"
PATIENT_SAYS = f"大约两周，爬楼时更明显{RUN}"
SECRETS = (ID_NUMBER, MOBILE, MEMBER_NAME, RECIPIENT, COMPLAINT, DOCTOR_SAYS, PATIENT_SAYS)
# Anything shaped like a mobile or a resident ID, standing alone (request ids are 32 hex characters).
PII_SHAPES = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d{9}|\d{17}[\dXx])(?![0-9A-Za-z])")


class _Needs(BaseModel):
    required: int


def _add_forced_error_routes(app) -> None:
    @app.post("/api/v1/forced/integrity-error")
    def integrity_error(db: DbSession):
        # NOT NULL columns left out: the database refuses, and its error quotes the parameters.
        db.execute(text("INSERT INTO users (username, display_name, mobile) VALUES (:id_number, :chat, :mobile)"),
                   {"id_number": ID_NUMBER, "chat": PATIENT_SAYS, "mobile": MOBILE})

    @app.post("/api/v1/forced/pydantic-error")
    def pydantic_error():
        # A pydantic error raised inside a handler is a 500; its message quotes the whole input.
        _Needs.model_validate({"id_number": ID_NUMBER, "mobile": MOBILE, "note": DOCTOR_SAYS})


@pytest.fixture(scope="module")
def captured_logs() -> io.StringIO:
    return io.StringIO()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> str:
    return seeded_database(tmp_path_factory.mktemp("logscan"))["HEALTHHUB_DATABASE_URL"]


@pytest.fixture(scope="module")
def live_server(seeded, captured_logs):
    """Overrides the session's server for this module: ours runs in-process so its logs can be read."""
    settings = get_settings().model_copy(update={"log_level": "DEBUG", "log_json": True, "run_jobs": False})
    app = create_app(settings, Database(seeded))
    _add_forced_error_routes(app)
    [handler] = logging.getLogger().handlers  # the one configure_logging installed
    handler.setStream(captured_logs)
    port = free_port()
    # Access logs on (the CLI turns them off): the configured levels must keep them quiet anyway.
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=True))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "in-process server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=15)


def _journey(new_page, base_url: str) -> None:
    patient, doctor = new_page(), new_page()
    for page in (patient, doctor):
        page.set_default_timeout(30_000)  # a long journey on a busy machine; a leak never depends on speed
    login(patient, "demo_patient")
    login(doctor, "demo_doctor")
    start_and_chat(patient, doctor, patient_option={"index": 2}, complaint=COMPLAINT, department="全科",
                   doctor_says=DOCTOR_SAYS, patient_says=PATIENT_SAYS)

    patient.goto("/records")
    form = patient.locator("#patient-form")
    form.locator("select[name=relationship]").select_option("兄弟姐妹")
    form.locator("input[name=name]").fill(MEMBER_NAME)
    form.locator("input[name=id_number]").fill(ID_NUMBER[:-1] + ("0" if ID_NUMBER[-1] != "0" else "1"))
    form.locator("button[type=submit]").click()  # a wrong check digit: refused, with the number in the input
    form.locator("[data-field-errors] li").first.wait_for()
    form.locator("input[name=id_number]").fill(ID_NUMBER)
    form.locator("button[type=submit]").click()
    patient.get_by_test_id("family-member").filter(has_text=MEMBER_NAME).wait_for()

    patient.goto("/shop?q=布洛芬")
    patient.get_by_test_id("otc-section").get_by_test_id("result-item").filter(has_text="布洛芬").first \
        .get_by_role("link").first.click()
    patient.get_by_test_id("add-to-cart").click()
    patient.get_by_test_id("cart-message").wait_for()
    patient.goto("/checkout")
    patient.locator("summary", has_text="新增收货地址").click()
    address = patient.locator("#address-form")
    for field, value in {"recipient": RECIPIENT, "mobile": MOBILE, "region": "北京市 朝阳区",
                         "detail": "建国路88号", "city_adcode": "110105"}.items():
        address.locator(f"input[name={field}]").fill(value)
    address.locator("button[type=submit]").click()
    option = patient.locator("#address option", has_text=mask_mobile(MOBILE))
    option.wait_for(state="attached")
    patient.select_option("#address", value=option.get_attribute("value"))
    patient.get_by_test_id("planned-shipment").first.wait_for()
    patient.get_by_test_id("place-order").click()
    patient.wait_for_url(re.compile(r"/orders/[0-9a-f]{32}$"))

    with httpx.Client(base_url=base_url, timeout=10) as api:
        token = api.post("/api/v1/auth/token", json={"username": "demo_patient", "password": DEMO_PASSWORD})
        auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
        refused = [
            api.post("/api/v1/hospital/patients", headers=auth,
                     json={"relationship": "兄弟姐妹" * 9, "name": MEMBER_NAME, "id_number": ID_NUMBER}),
            api.post("/api/v1/addresses", headers=auth, json={"recipient": RECIPIENT * 20, "mobile": MOBILE,
                                                              "region": "北京市 朝阳区", "detail": "建国路88号",
                                                              "city_adcode": "110105"}),
            api.post("/api/v1/auth/token", json={"username": MOBILE, "password": ID_NUMBER}),
        ]
        forced = [api.post("/api/v1/forced/integrity-error"), api.post("/api/v1/forced/pydantic-error")]
    assert [r.status_code for r in refused] == [422, 422, 401]
    assert [r.status_code for r in forced] == [500, 500]


def test_a_journey_with_errors_logs_no_pii(new_page, live_server, seeded, captured_logs):
    _journey(new_page, live_server)
    logs = captured_logs.getvalue()
    assert '"status": 201' in logs and "IntegrityError" in logs and "ValidationError" in logs  # it did log
    leaked = [value for value in SECRETS if value in logs] + PII_SHAPES.findall(logs)
    assert leaked == [], f"personal data in the logs: {leaked}"

    # Every stored copy of the ID number and the mobile is encrypted (or masked) as well.
    with sqlite3.connect(seeded.removeprefix("sqlite:///")) as connection:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        stored = {table: " ".join(map(str, connection.execute(f'SELECT * FROM "{table}"').fetchall()))
                  for table in tables}
    in_clear = [table for table, content in stored.items() if ID_NUMBER in content or MOBILE in content]
    assert in_clear == [], f"ID number or mobile stored in clear in {in_clear}"

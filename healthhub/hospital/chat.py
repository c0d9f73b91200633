"""Real-time chat delivery over Server-Sent Events.

Messages are written by POST and persisted; each open stream polls the database with its own
short transactions, so delivery works across server processes. The browser's EventSource
reconnects by itself and resumes from `Last-Event-ID`, so nothing is lost on a dropped link.
"""
import asyncio
import json
from collections.abc import AsyncIterator

from anyio import to_thread
from fastapi import Request

from healthhub.core.db import Database
from healthhub.core.public_ids import as_json, encode
from healthhub.hospital.service import consultation_row
from healthhub.hospital.service_chat import message_view, messages_after

POLL_SECONDS = 0.7
HEARTBEAT_POLLS = 20
MAX_STREAM_POLLS = 900  # ~10 minutes, then the browser reconnects (and re-checks permission)
CLOSED = ("completed", "terminated", "cancelled")


def _event(name: str, data: dict, event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n"


def _poll(database: Database, consultation_id: int, user_id: int, after_id: int) -> tuple[list, str, int | None]:
    with database.session_scope() as session:
        messages = [message_view(m) for m in messages_after(session, consultation_id=consultation_id,
                                                            user_id=user_id, after_id=after_id)]
        consultation = consultation_row(session, consultation_id=consultation_id)
        return messages, consultation.status, consultation.doctor_id


async def stream_events(request: Request, *, consultation_id: int, user_id: int, after_id: int) -> AsyncIterator[str]:
    database: Database = request.app.state.database
    last_state = None
    for polls in range(MAX_STREAM_POLLS):
        if await request.is_disconnected():
            return
        messages, status, doctor_id = await to_thread.run_sync(_poll, database, consultation_id, user_id, after_id)
        for message in messages:
            after_id = message.id
            # The event id is the public id: the browser sends it back as Last-Event-ID on reconnect.
            yield _event("message", as_json(message), encode(message.id))
        if (status, doctor_id) != last_state:
            last_state = (status, doctor_id)
            yield _event("status", {"status": status, "doctor_id": encode(doctor_id) if doctor_id else None})
        if status in CLOSED:
            return
        if polls % HEARTBEAT_POLLS == HEARTBEAT_POLLS - 1:
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_SECONDS)

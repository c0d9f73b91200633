"""IDT-11 / DP-03: medical data under a statutory retention period (outpatient records 15 years, chat
3 years) is never deleted. A deletion request seals it instead (`sealed_at`); sealed rows vanish from
normal views and are read only by an administrator who states a reason (audited).

A table joins by mixing `Retained` into its mapped class, whichever domain owns it. The ORM guard below
refuses any delete of a retained row, whether through `session.delete` or a bulk `DELETE` statement.
"""
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session

from healthhub.core.errors import AppError


class Retained:
    """Marks medical data under a statutory retention period: sealed, never deleted."""

    sealed_at: Mapped[datetime | None]


class RetentionViolation(AppError):
    status, code, title = 409, "retention-no-delete", "病历须依法保存"


_NO_DELETE = "病历和问诊记录依法保存（门诊病历≥15年、聊天记录≥3年），只能封存不能删除 / medical records are kept " \
             "(IDT-11) and can only be sealed, never deleted"


@event.listens_for(Session, "before_flush")
def _refuse_deletes(session, _context, _instances) -> None:
    if any(isinstance(obj, Retained) for obj in session.deleted):
        raise RetentionViolation(_NO_DELETE)


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_deletes(state) -> None:
    if state.is_delete and state.bind_mapper is not None and issubclass(state.bind_mapper.class_, Retained):
        raise RetentionViolation(_NO_DELETE)

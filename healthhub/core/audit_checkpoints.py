"""Signed checkpoints: the audit chain anchored outside the database (IDT-12, DP-04).

The threat: someone with write access to the database disables the append-only trigger, edits an
entry and re-hashes every later entry of its partition and the head; the chain then verifies again.
A checkpoint is an SM2 signature, with the platform key (kept under `key_dir` or in the environment,
never in the database), over every partition head. It is stored in `audit_checkpoints` and, what
counts, appended as one JSON line to `Settings.audit_anchor_file` and logged. `verify_checkpoints`
compares the table with the signed heads: a rewritten partition no longer hashes to what was signed.

Each checkpoint names the digest of the one before it, so one valid signature vouches for every
earlier checkpoint it links to; only checkpoints outside that chain (another node's file, a forged
line) cost a signature check each.
"""
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Integer, String, Text, and_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from healthhub.core import signing
from healthhub.core.audit import GENESIS_HASH, AuditEntry, AuditHead, ChainProblem
from healthhub.core.config import Settings, get_settings
from healthhub.core.db import Base, utcnow
from healthhub.core.jobs import PeriodicJob
from healthhub.core.keys import installation_key

log = logging.getLogger("healthhub.audit")


class AuditCheckpoint(Base):
    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime]
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    document: Mapped[str] = mapped_column(Text)  # the canonical JSON that was signed
    signature: Mapped[str] = mapped_column(String(128))


@dataclass(frozen=True)
class SignedCheckpoint:
    # {"at": ISO time, "prev": digest of the previous checkpoint, "heads": {partition: {"seq", "position", "hash"}}}
    document: dict[str, Any]
    signature: str

    @cached_property
    def canonical(self) -> str:
        return signing.canonical_form(self.document)

    @cached_property
    def digest(self) -> str:
        return signing.content_digest(self.canonical)

    def anchor_line(self) -> str:
        return signing.canonical_form({"digest": self.digest, "document": self.document, "signature": self.signature})


def platform_keypair(settings: Settings) -> tuple[str, str]:
    """(private hex, public hex): HEALTHHUB_PLATFORM_SM2_KEY, else this installation's own key."""
    stored = settings.platform_sm2_key or installation_key(
        settings.key_dir, "platform_sm2.key", lambda: ":".join(signing.generate_keypair()))
    private_hex, _, public_hex = stored.partition(":")
    return private_hex, public_hex


def _current_heads(session: Session) -> dict[str, dict[str, Any]]:
    rows = session.execute(
        select(AuditHead.partition, AuditHead.last_position, AuditHead.last_hash, AuditEntry.seq)
        .outerjoin(AuditEntry, and_(AuditEntry.partition == AuditHead.partition,
                                    AuditEntry.position == AuditHead.last_position))
        .where(AuditHead.last_position > 0))
    return {partition: {"seq": seq, "position": position, "hash": last_hash}
            for partition, position, last_hash, seq in rows}


def write_checkpoint(session: Session, *, keypair: tuple[str, str], anchor_file: Path,
                     now: datetime | None = None) -> SignedCheckpoint | None:
    """Signs the current partition heads, stores them and appends them to the anchor file;
    None when nothing was written since the last checkpoint."""
    # One SELECT: a consistent snapshot of committed heads, taken without locking any writer out.
    heads = _current_heads(session)
    last = session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).scalar_one_or_none()
    if not heads or (last is not None and json.loads(last.document)["heads"] == heads):
        return None
    now = now or utcnow()
    document = {"at": now.isoformat(), "prev": last.digest if last else GENESIS_HASH, "heads": heads}
    private_hex, public_hex = keypair
    checkpoint = SignedCheckpoint(document, signing.sign(private_hex, public_hex, signing.canonical_form(document)))
    session.add(AuditCheckpoint(created_at=now, digest=checkpoint.digest, document=checkpoint.canonical,
                                signature=checkpoint.signature))
    session.flush()
    anchor_file.parent.mkdir(parents=True, exist_ok=True)
    with anchor_file.open("a", encoding="utf-8") as anchor:
        anchor.write(checkpoint.anchor_line() + "\n")
    log.info("audit checkpoint %s over %d partition(s) appended to %s", checkpoint.digest, len(heads), anchor_file)
    return checkpoint


def _checkpoint_job(session: Session, now: datetime) -> int:
    settings = get_settings()
    written = write_checkpoint(session, keypair=platform_keypair(settings), anchor_file=settings.audit_anchor_file,
                               now=now)
    return 1 if written else 0


CHECKPOINT_JOB = PeriodicJob("audit.checkpoint", timedelta(minutes=5), _checkpoint_job,
                             "sign the audit partition heads and append them to the anchor file")


@dataclass
class CheckpointReport:
    external: int = 0  # authentic checkpoints read from the anchor file
    problems: list[ChainProblem] = field(default_factory=list)


def _parse(document: Any, signature: Any) -> SignedCheckpoint:
    """Raises ValueError for anything that is not a well-formed checkpoint (a rewritten row, a mangled line)."""
    heads = document.get("heads") if isinstance(document, dict) else None
    well_formed = (isinstance(heads, dict) and isinstance(signature, str) and isinstance(document.get("at"), str)
                   and all(isinstance(head, dict) and isinstance(head.get("position"), int)
                           and isinstance(head.get("hash"), str) for head in heads.values()))
    if not well_formed:
        raise ValueError("not a checkpoint")
    return SignedCheckpoint(document, signature)


def _read_anchor(anchor_file: Path, report: CheckpointReport) -> list[SignedCheckpoint]:
    if not anchor_file.exists():
        return []
    checkpoints = []
    with anchor_file.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            try:
                stored = json.loads(line)
                checkpoints.append(_parse(stored.get("document"), stored.get("signature")))
            except (ValueError, AttributeError):
                report.problems.append(ChainProblem(f"{anchor_file.name} line {number}", "not a checkpoint"))
    return checkpoints


def _read_table(session: Session, report: CheckpointReport) -> list[SignedCheckpoint]:
    checkpoints = []
    for row in session.execute(select(AuditCheckpoint).order_by(AuditCheckpoint.id)).scalars():
        try:
            checkpoints.append(_parse(json.loads(row.document), row.signature))
        except ValueError:
            report.problems.append(ChainProblem(f"checkpoint row {row.id}", "not a checkpoint"))
    return checkpoints


def _authentic(checkpoints: list[SignedCheckpoint], public_hex: str,
               report: CheckpointReport) -> list[SignedCheckpoint]:
    vouched: set[str] = set()
    authentic = []
    for checkpoint in reversed(checkpoints):  # the newest vouch for the older ones they link to
        if checkpoint.digest in vouched or signing.verify(public_hex, checkpoint.signature, checkpoint.canonical):
            authentic.append(checkpoint)
            vouched.add(str(checkpoint.document.get("prev")))
        else:
            report.problems.append(ChainProblem(f"checkpoint {checkpoint.digest[:16]}",
                                                "signature does not verify with the platform public key"))
    return authentic


def _entry_at(session: Session, partition: str, position: int) -> tuple[int, str] | None:
    row = session.execute(select(AuditEntry.seq, AuditEntry.entry_hash)
                          .where(AuditEntry.partition == partition, AuditEntry.position == position)).first()
    return (row.seq, row.entry_hash) if row else None


def _check_partition(session: Session, partition: str, signed: dict[int, tuple[str, str]]) -> ChainProblem | None:
    """`signed`: position -> (hash, signing time). A verified chain is authentic up to the newest
    signed position that still matches, and rewritten after it, so a binary search finds the boundary."""
    positions = sorted(signed)

    def matches(position: int) -> bool:
        found = _entry_at(session, partition, position)
        return found is not None and found[1] == signed[position][0]

    if matches(positions[-1]):
        return None
    low, high = 0, len(positions) - 1  # positions[high] does not match
    while low < high:
        middle = (low + high) // 2
        if matches(positions[middle]):
            low = middle + 1
        else:
            high = middle
    first_bad = positions[low]
    last_good = positions[low - 1] if low else 0
    first_entry, bad_entry = _entry_at(session, partition, last_good + 1), _entry_at(session, partition, first_bad)
    where = f"entry {bad_entry[0]}" if bad_entry else f"partition {partition} position {first_bad}"
    span = f"entries {first_entry[0]}..{bad_entry[0]}" if first_entry and bad_entry else "entries"
    return ChainProblem(where, f"partition {partition} was rewritten: {span} (positions {last_good + 1}..{first_bad}) "
                               f"no longer match the checkpoint signed at {signed[first_bad][1]}")


def verify_checkpoints(session: Session, *, public_hex: str, anchor_file: Path) -> CheckpointReport:
    """Checks the entries against every authentic checkpoint from the anchor file and the table.
    Run `audit.verify_chain` too: a checkpoint vouches for a partition only through its chain."""
    report = CheckpointReport()
    external = _authentic(_read_anchor(anchor_file, report), public_hex, report)
    report.external = len(external)
    stored = _read_table(session, report)
    signed: dict[str, dict[int, tuple[str, str]]] = {}
    for checkpoint in [*external, *_authentic(stored, public_hex, report)]:
        for partition, head in checkpoint.document["heads"].items():
            signed.setdefault(partition, {})[head["position"]] = (head["hash"], checkpoint.document["at"])
    for partition in sorted(signed):
        if problem := _check_partition(session, partition, signed[partition]):
            report.problems.append(problem)
    return report

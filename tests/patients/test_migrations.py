"""The patients branch takes over the registry's tables as they are, and fills the family-doctor contract
cover in from the contracts that already run (so a covered patient stays admitted after the upgrade)."""
import json
import sqlite3

from alembic import command
from alembic.script import ScriptDirectory

from healthhub.core.migrations import alembic_config

BRANCH_START, COVER = "dc5cbffef709", "c3e04da5003c"
NOW = "2026-12-01 00:00:00.000000+00:00"


def test_the_cover_is_filled_in_from_running_contracts(tmp_path):
    path = tmp_path / "before_cover.db"
    config = alembic_config(f"sqlite:///{path}")
    for head in ScriptDirectory.from_config(config).get_heads():
        command.upgrade(config, BRANCH_START if head == COVER else head)
    with sqlite3.connect(path) as raw:
        for account in (10, 11):
            raw.execute("INSERT INTO users (id, username, display_name, role, password_hash, is_active, created_at, "
                        "updated_at) VALUES (?, ?, '患者', 'patient', 'x', 1, ?, ?)",
                        (account, f"user-{account}", NOW, NOW))
        raw.execute("INSERT INTO fd_packages (id, code, name, description, price_cents, period_days, "
                    "included_consultations, response_minutes, members_covered, active, created_at, updated_at) "
                    "VALUES (1, 'fd', '家庭版', '', 100, 30, 2, 30, 5, 1, ?, ?)", (NOW, NOW))
        for patient_id, account in ((1, 10), (2, 10), (3, 10), (4, 11)):
            raw.execute("INSERT INTO hospital_patients (id, account_user_id, relationship, name, id_number, "
                        "id_number_index, sex, birth_date, pregnant, lactating, allergies, conditions, created_at, "
                        "updated_at) VALUES (?, ?, '本人', '张三', 'x', ?, 'M', '1980-01-01', 0, 0, '[]', '[]', ?, ?)",
                        (patient_id, account, f"index-{patient_id}", NOW, NOW))
        for status, members, ends_at in (("ACTIVE", [1, 2], "2099-01-01 00:00:00.000000+00:00"),
                                         ("ACTIVE", [1], "2099-06-01 00:00:00.000000+00:00"),
                                         ("EXPIRED", [3], "2026-11-01 00:00:00.000000+00:00"),
                                         ("PENDING_PAYMENT", [3], None),
                                         ("ACTIVE", [4], "2099-01-01 00:00:00.000000+00:00")):  # 4: another account
            raw.execute("INSERT INTO fd_subscriptions (account_user_id, package_id, status, member_patient_ids, "
                        "starts_at, ends_at, consultations_total, consultations_used, created_at, updated_at) "
                        "VALUES (10, 1, ?, ?, ?, ?, 3, 0, ?, ?)", (status, json.dumps(members), NOW, ends_at, NOW, NOW))
    command.upgrade(config, "heads")
    with sqlite3.connect(path) as raw:
        cover = dict(raw.execute("SELECT id, family_contract_until FROM hospital_patients").fetchall())
    assert {k: v and v[:10] for k, v in cover.items()} == {1: "2099-06-01", 2: "2099-01-01", 3: None, 4: None}

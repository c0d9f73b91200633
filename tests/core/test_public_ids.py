"""Public ids (core/public_ids.py): what clients see instead of sequential keys."""
import pytest
from pydantic import BaseModel

from healthhub.core import public_ids
from healthhub.core.config import Settings, get_settings
from healthhub.core.public_ids import PublicId


def test_every_key_round_trips_and_nothing_else_decodes():
    for key in (1, 2, 3, 999, 2**31 - 1, 2**63 - 1):
        token = public_ids.encode(key)
        assert len(token) == 32 and token == token.lower() and public_ids.decode(token) == key
    for garbage in ("1", "", "0" * 32, "g" * 32, public_ids.encode(7).upper(), public_ids.encode(7)[:-1] + "0", None, 7):
        assert public_ids.decode(garbage) is None


def test_neighbouring_keys_give_unrelated_ids():
    tokens = [public_ids.encode(key) for key in range(1, 201)]
    assert len(set(tokens)) == 200
    # A block cipher: consecutive keys share no more leading characters than chance would give.
    assert max(len(_common_prefix(a, b)) for a, b in zip(tokens, tokens[1:])) <= 3
    assert tokens != sorted(tokens)


def _common_prefix(a: str, b: str) -> str:
    length = 0
    while length < len(a) and a[length] == b[length]:
        length += 1
    return a[:length]


def test_each_installation_has_its_own_ids(tmp_path, monkeypatch):
    mine = public_ids.encode(42)
    other = Settings(key_dir=tmp_path)
    assert other.public_id_key != get_settings().public_id_key
    monkeypatch.setattr(public_ids, "_key", lambda: other.public_id_key)
    assert public_ids.encode(42) != mine and public_ids.decode(mine) is None


def test_schemas_show_keys_as_public_ids():
    class Out(BaseModel):
        id: PublicId
        parent_id: PublicId | None = None

    shown = Out(id=5, parent_id=None).model_dump(mode="json")
    assert shown == {"id": public_ids.encode(5), "parent_id": None}
    assert Out.model_json_schema()["properties"]["id"]["pattern"] == public_ids.PUBLIC_ID_PATTERN


@pytest.mark.parametrize("template", ['<a href="/orders/{{ order_id|public_id }}">'])
def test_pages_write_public_ids(template):
    from healthhub.core.templating import environment  # noqa: PLC0415

    assert environment.from_string(template).render(order_id=5) == f'<a href="/orders/{public_ids.encode(5)}">'


def test_frozen_views_become_json_with_public_ids():
    from dataclasses import dataclass  # noqa: PLC0415

    @dataclass(frozen=True)
    class View:
        id: PublicId
        name: str

    assert public_ids.as_json(View(id=9, name="张三")) == {"id": public_ids.encode(9), "name": "张三"}

"""`healthhub review` through a real process: exit codes, stdout/stderr, JSONL order."""
import json
import os
import subprocess
import sys
from pathlib import Path

from tests.review.engine.conftest import item

ROOT = Path(__file__).resolve().parents[3]


DOSING = {"阿奇霉素": {"dose": 500, "times": 1, "days": 3}, "头孢呋辛": {"dose": 250, "times": 2}}


def _request(drug: str, **extra) -> dict:
    return {"patient": {"age_years": 34, "sex": "F", "weight_kg": 60, "allergies": ["青霉素"]},
            "diagnoses": ["J02.9"], "items": [item(drug, **DOSING.get(drug, {}))], **extra}


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HEALTHHUB_LOG_JSON": "false"}
    return subprocess.run([sys.executable, "-m", "healthhub", "review", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_review_file_prints_the_response(tmp_path):
    path = tmp_path / "rx.json"
    path.write_text(json.dumps(_request("阿莫西林"), ensure_ascii=False), encoding="utf-8")
    result = _cli(str(path))
    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout)
    assert response["verdict"] == "reject" and response["kb_version"]
    assert [f["rule"] for f in response["findings"]] == ["LEGAL-NOT-CHECKED", "ALLERGY-CLASS",
                                                         "CONTRAINDICATION-NOT-CHECKED"]


def test_invalid_request_exits_2_with_a_problem(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"patient": {"age_years": 200, "sex": "X"}, "items": []}), encoding="utf-8")
    result = _cli(str(path))
    assert result.returncode == 2 and result.stdout == ""
    body = json.loads(result.stderr)
    assert body["status"] == 422 and body["code"] == "validation-error"
    assert {e["field"] for e in body["errors"]} >= {"patient.age_years", "patient.sex", "items"}
    missing = _cli(str(tmp_path / "nope.json"))
    assert missing.returncode == 2 and json.loads(missing.stderr)["code"] == "unreadable-file"


def test_jsonl_keeps_order_and_reports_bad_lines(tmp_path):
    lines = [json.dumps(_request("阿奇霉素"), ensure_ascii=False), "{not json",
             json.dumps(_request("西地那非", extra_field=1)), json.dumps(_request("阿莫西林"), ensure_ascii=False)]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = _cli("--jsonl", str(path))
    assert result.returncode == 2
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(out) == 4
    assert out[0]["verdict"] == "pass" and out[3]["verdict"] == "reject"
    assert out[1]["code"] == "invalid-json" and out[1]["line"] == 2
    assert out[2]["code"] == "validation-error" and out[2]["line"] == 3
    assert [json.loads(line)["line"] for line in result.stderr.splitlines()] == [2, 3]


def test_jsonl_all_good_exits_0(tmp_path):
    path = tmp_path / "ok.jsonl"
    path.write_text("\n".join(json.dumps(_request(d), ensure_ascii=False) for d in ("阿奇霉素", "头孢呋辛")) + "\n",
                    encoding="utf-8")
    result = _cli("--jsonl", str(path))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["verdict"] for line in result.stdout.splitlines()] == ["pass", "review"]

"""Bad rows are refused whole and named in the report; the importers never half-import a row."""
import pytest
from typer.testing import CliRunner

from healthhub.cli import app
from healthhub.knowledge import curated, shared
from healthhub.knowledge.facts import IcdRange, parse_icd_list
from healthhub.knowledge.kb import KnowledgeBase

DRUG_HEADER = ("key,name_zh,name_en,atc_codes,aliases,trade_names,rx_class,special_class,online_sale_banned,"
               "ban_reason,cold_chain,insurance_category,antimicrobial,source\n")


def _kb_with_drugs(tmp_path, rows: str) -> KnowledgeBase:
    (tmp_path / "drugs.csv").write_text(DRUG_HEADER + rows, encoding="utf-8")
    kb = KnowledgeBase()
    curated.load_reference_tables(kb)
    curated.load_drugs(kb, tmp_path)
    kb.finish_indexes()
    return kb


def test_bad_drug_rows_are_rejected_with_reasons(tmp_path):
    kb = _kb_with_drugs(tmp_path, "\n".join([
        "amoxicillin,阿莫西林,amoxicillin,J01CA04,,,rx,,,,,A,yes,中国药典2020年版",
        "badatc,坏编码,badatc,J1CA04,,,rx,,,,,,,中国药典2020年版",
        "nosource,无来源,nosource,J01CA01,,,rx,,,,,,,",
        "dup,阿莫西林,duplicate,J01CA02,,,rx,,,,,,,中国药典2020年版",
        "badclass,坏类别,badclass,N02AA01,,,rx,narcotics,,,,,,中国药典2020年版",
        "noreason,无理由,noreason,C01AA05,,,rx,,yes,,,,,药品网络销售禁止清单（第一版）",
    ]) + "\n")
    assert [d.key for d in kb.drugs()] == ["amoxicillin"]
    reasons = {r.line: r.reason for r in kb.report.rejected}
    assert "bad ATC code" in reasons[3]
    assert "missing source" in reasons[4]
    assert "already belongs" in reasons[5]
    assert "special_class" in reasons[6]
    assert "ban_reason" in reasons[7]
    assert kb.resolve("坏编码") is None  # nothing of a refused row is indexed


def test_clinical_rows_naming_unknown_drugs_or_bad_codes_are_refused(tmp_path):
    kb = _kb_with_drugs(tmp_path, "simvastatin,辛伐他汀,simvastatin,C10AA01,,,rx,,,,,A,,中国药典2020年版\n"
                                  "clarithromycin,克拉霉素,clarithromycin,J01FA09,,,rx,,,,,A,yes,中国药典2020年版\n")
    (tmp_path / "ddi_curated.csv").write_text(
        "drug_a,drug_b,severity,mechanism_zh,mechanism_en,source\n"
        "clarithromycin,simvastatin,contraindicated,升高浓度,raised exposure,FDA label Zocor\n"
        "clarithromycin,nodrug,major,x,x,FDA\n"
        "clarithromycin,simvastatin,fatal,x,x,FDA\n"
        "clarithromycin,simvastatin,major,x,x,\n", encoding="utf-8")
    (tmp_path / "groups.csv").write_text("group,name_zh,name_en,members,duplicate_check,source\n", encoding="utf-8")
    curated.load_groups(kb, tmp_path)
    curated.load_curated_interactions(kb, tmp_path)
    simva, clari = kb.resolve("辛伐他汀").key, kb.resolve("克拉霉素").key
    assert kb.interaction(simva, clari).severity == "contraindicated"
    reasons = [r.reason for r in kb.report.rejected if r.table == "ddi_curated.csv"]
    assert any("unknown drug 'nodrug'" in r for r in reasons)
    assert any("severity" in r for r in reasons)
    assert any("missing source" in r for r in reasons)


def test_shared_importers_report_bad_rows(tmp_path):
    (tmp_path / "atc").mkdir()
    (tmp_path / "atc" / "who_atc_ddd_2026-01-01.csv").write_text(
        "atc_code,atc_name,ddd,uom,adm_r,note\nN02BE01,paracetamol,3,g,O,NA\nXX9,broken,NA,NA,NA,NA\n",
        encoding="utf-8")
    (tmp_path / "ddinter").mkdir()
    (tmp_path / "ddinter" / "ddinter_downloads_code_N.csv").write_text(
        "DDInterID_A,Drug_A,DDInterID_B,Drug_B,Level\nDDInter1,Paracetamol,DDInter2,Warfarin,Moderate\n"
        "DDInter1,Paracetamol,DDInter3,Imatinib,Deadly\n", encoding="utf-8")
    kb = KnowledgeBase()
    shared.import_atc(kb, tmp_path)
    covered = shared.import_ddinter(kb, tmp_path)
    assert kb.interaction("paracetamol", "warfarin").severity == "moderate"
    assert covered == {"paracetamol", "warfarin"}
    tables = kb.report.rejected_by_table()
    assert tables == {"atc/who_atc_ddd_2026-01-01.csv": 1, "ddinter/ddinter_downloads_code_N.csv": 1}
    assert kb.resolve("imatinib") is None  # the refused row created no drug


def test_icd_ranges():
    ulcer = IcdRange.parse("K25-K28")
    assert ulcer.matches("K26.9") and ulcer.matches("K25") and not ulcer.matches("K29.7")
    assert IcdRange.parse("N39.0").matches("N39.000") and not IcdRange.parse("N39.0").matches("N39.9")
    assert IcdRange.parse("C").matches("C50.9")
    assert [str(r) for r in parse_icd_list("I10-I15;O10")] == ["I10-I15", "O10"]
    for bad in ("B08.?", "K28-K25", "K2-K28", "10"):
        with pytest.raises(ValueError):
            IcdRange.parse(bad)


def test_kb_report_command_prints_counts_and_rejections(without_shared_data):
    result = CliRunner().invoke(app, ["kb", "report"])
    assert result.exit_code == 0, result.output
    assert f"knowledge base version {without_shared_data.version}" in result.output
    assert "drugs.csv" in result.output and "rows rejected: 0" in result.output
    assert "curated tables only" in result.output

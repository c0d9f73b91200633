"""Review, prescribing and the catalogue refuse the same drugs: one classification from the knowledge base,
compound preparations included (氨酚羟考酮, 氨酚曲马多: issue 10)."""
import pytest

from healthhub.catalog.rules import GivenFacts, classify
from healthhub.core.public_ids import encode
from healthhub.knowledge.service import get_knowledge_base
from healthhub.prescriptions.prescribing import to_draft
from healthhub.prescriptions.rules import idt09_special_management
from healthhub.prescriptions.schemas import PrescriptionIn
from tests.review.engine.conftest import item, make_request

CONTROLLED = ["氨酚羟考酮", "氨酚曲马多", "复方磷酸可待因", "复方福尔可定", "羟考酮", "曲马多", "地西泮"]
ORDINARY = ["酚麻美敏", "对乙酰氨基酚", "德谷胰岛素利拉鲁肽"]


def prescribing_refuses(name: str) -> bool:
    data = PrescriptionIn(consultation_id=encode(1), diagnoses=[{"code": "R52", "name": "疼痛"}],
                          items=[{"name": name, "dose": "1", "unit": "片", "frequency": "tid", "route": "口服",
                                  "days": 3, "quantity": 1}])
    return bool(idt09_special_management(to_draft(data)[0]))


def catalogue_sellable(product_name: str) -> bool:
    facts, form = get_knowledge_base().resolve_product_name(product_name)
    return classify(product_name, facts, form, GivenFacts()).sellable_online


def review_rules(run, name: str, route: str = "oral") -> dict[str, str]:
    _verdict, rules, _response = run(make_request([item(name, dose=1, times=1, route=route)], diagnoses=("R52",)))
    return rules


@pytest.mark.parametrize("name", CONTROLLED)
def test_controlled_drugs_are_refused_everywhere(run, name):
    assert review_rules(run, name)["BANNED-SPECIAL"] == "block"
    assert prescribing_refuses(name)
    assert not catalogue_sellable(f"{name}片")


@pytest.mark.parametrize("name", ORDINARY)
def test_drugs_without_a_special_ingredient_are_prescribable(run, name):
    assert "BANNED-SPECIAL" not in review_rules(run, name, route="sc" if "胰岛素" in name else "oral")
    assert not prescribing_refuses(name)


def test_ephedrine_compounds_are_prescribable_but_not_sold_online(run):
    assert review_rules(run, "酚麻美敏")["BANNED-ONLINE-SALE"] == "block"
    assert not catalogue_sellable("酚麻美敏片")


def test_glucose_lowering_injections_are_the_exception_everywhere(run):
    rules = review_rules(run, "德谷胰岛素利拉鲁肽", route="sc")
    assert not {"BANNED-INJECTION", "BANNED-ONLINE-SALE", "BANNED-SPECIAL"} & set(rules)
    assert catalogue_sellable("德谷胰岛素利拉鲁肽注射液") and catalogue_sellable("门冬胰岛素30注射液")
    assert review_rules(run, "布洛芬", route="iv")["BANNED-INJECTION"] == "block"
    assert not catalogue_sellable("布洛芬注射液")

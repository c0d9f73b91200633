"""API shapes of the catalogue. Money is integer cents."""
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from healthhub.catalog.rules import APPROVAL_NUMBER
from healthhub.core.inputs import BodyId
from healthhub.core.public_ids import PublicId

RxClass = Literal["rx", "otc_a", "otc_b", "none"]


class ProductCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    kind: Literal["drug", "health"] = "drug"
    generic_name: str = Field(min_length=2, max_length=128, description="通用名（非药品：商品名称）")
    brand_name: str | None = Field(None, max_length=64)
    english_name: str | None = Field(None, max_length=200)
    atc_code: str | None = Field(None, pattern=r"^[A-Z]\d{2}[A-Z]{0,2}\d{0,2}$")
    dosage_form: str | None = Field(None, max_length=32)
    strength: str | None = Field(None, max_length=64)
    package: str | None = Field(None, max_length=64, examples=["0.3g*24粒"])
    approval_number: str | None = Field(None, max_length=32, examples=["国药准字H10900089"])
    manufacturer: str = Field(min_length=2, max_length=128)
    rx_class: RxClass | None = Field(None, description="省略时按药品知识库判断 / from the knowledge base when omitted")
    insurance_category: Literal["A", "B"] | None = None
    cold_chain: bool | None = None
    category: str = Field(min_length=2, max_length=32)
    list_price_cents: int = Field(gt=0, le=100_000_000)
    description: str | None = Field(None, max_length=2000)
    insert_text: str | None = Field(None, max_length=8000)

    @field_validator("approval_number")
    @classmethod
    def _approval(cls, value: str | None) -> str | None:
        if value and not APPROVAL_NUMBER.match(value):
            raise ValueError("批准文号格式应为“国药准字”+H/Z/S+8位数字 / must look like 国药准字H12345678")
        return value or None


class ProductUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    brand_name: str | None = Field(None, max_length=64)
    english_name: str | None = Field(None, max_length=200)
    strength: str | None = Field(None, max_length=64)
    package: str | None = Field(None, max_length=64)
    approval_number: str | None = Field(None, max_length=32)
    list_price_cents: int | None = Field(None, gt=0, le=100_000_000)
    category: str | None = Field(None, min_length=2, max_length=32)
    description: str | None = Field(None, max_length=2000)
    insert_text: str | None = Field(None, max_length=8000)
    status: Literal["active", "inactive"] | None = None

    _approval = field_validator("approval_number")(ProductCreate._approval.__func__)


class ProductSummary(BaseModel):
    id: PublicId
    name: str
    generic_name: str
    brand_name: str | None
    manufacturer: str
    package: str | None
    rx_class: RxClass
    rx: bool
    insurance_category: str | None
    category: str
    price_cents: int | None
    sellable_online: bool
    not_sellable_reason: str | None = None


class ProductDetail(ProductSummary):
    kind: str
    english_name: str | None
    atc_code: str | None
    dosage_form: str | None
    strength: str | None
    approval_number: str | None
    special_class: str | None
    cold_chain: bool
    knowledge_key: str | None
    description: str | None
    insert_text: str | None = Field(description="说明书；处方药在处方审核通过前不提供 (OD-03)")
    insert_hidden_reason: str | None
    rx_notice: str | None
    status: str
    rx_prescription_id: PublicId | None = Field(None, description="处方药：可凭此张已审核处方购买（加入购物车时带上）")
    rx_prescription_number: str | None = None
    rx_max_quantity: int | None = Field(None, description="该处方允许购买的盒数 / packages the prescription allows")


class SearchPage(BaseModel):
    items: list[ProductSummary]
    total: int
    page: int
    size: int
    fuzzy: bool = Field(description="只找到近似结果（可能有错别字）/ only near misses matched")


class SkuCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    product_id: BodyId
    sku_code: str = Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z._-]+$")
    price_cents: int = Field(gt=0, le=100_000_000)
    store_location_id: BodyId | None = None


class SkuUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    price_cents: int | None = Field(None, gt=0, le=100_000_000)
    status: Literal["active", "inactive"] | None = None
    store_location_id: BodyId | None = None


class SkuOut(BaseModel):
    id: PublicId
    product_id: PublicId
    product_name: str
    merchant_id: PublicId
    store_location_id: PublicId | None
    sku_code: str
    price_cents: int
    status: str


class ImportReportOut(BaseModel):
    counts: dict
    problems: list[dict]

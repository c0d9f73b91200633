"""ICD-10 codes as patients' conditions, records and doctors' diagnoses carry them (the national clinical
edition extends the subcategory, e.g. J06.900)."""
import re

from healthhub.core.error_codes import ErrorCode
from healthhub.core.errors import RuleViolation

_ICD10 = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,7})?$")


def normalize_icd10(raw: str) -> str:
    code = raw.strip().upper()
    if not _ICD10.match(code):
        raise RuleViolation(f"ICD-10 编码格式不正确：{raw!r}（例如 I10、E11.9、J06.900）/ not an ICD-10 code",
                            code=ErrorCode.BAD_ICD10)
    return code

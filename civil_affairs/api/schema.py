"""What the OpenAPI schema says beyond what drf-spectacular infers (SPEC §3): every status code an endpoint
can answer, with the error shapes, and the patterns of ID numbers and months.

A postprocessing hook, so each app's views stay thin: the kernel's conventions hold for every endpoint.
"""

from __future__ import annotations

from typing import Any

ID_NUMBER_PATTERN = r"^[0-9]{17}[0-9Xx]$"
# Lists and write responses mask the middle eight digits (SPEC §2.2).
ID_NUMBER_SHOWN_PATTERN = r"^[0-9]{6}([0-9]{8}|\*{8})[0-9]{3}[0-9X]$"
MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"

FIELD_ERRORS = {
    "type": "object",
    "description": "Invalid input: messages by field (or non_field_errors), and `rule` naming the rule that refused.",
    "properties": {"rule": {"type": "string"}},
    # A message list per field; a nested object for a nested field (e.g. one household member's row).
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {}}, {"type": "string"}, {"type": "object"}]
    },
}
DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}

ERRORS = {
    "400": ("FieldErrors", "Invalid input, or a named rule refused it (nothing was changed)."),
    "401": ("Detail", "No valid credentials."),
    "403": ("Detail", "The caller's role or line of work may not do this."),
    "404": ("Detail", "Unknown, or outside the caller's jurisdiction or lines of work."),
    "409": ("Detail", "Not allowed from the record's current state, or already done."),
    "413": ("Detail", "The request body is larger than 1 MB."),
    "429": ("Detail", "Too many attempts: locked out for a while."),
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _codes(path: str, method: str) -> list[str]:
    codes = ["400", "401", "403"]
    if "{" in path or method != "post":
        codes.append("404")
    if method in ("post", "put", "patch", "delete"):
        codes += ["409", "413"]
    if path.endswith("/auth/token/"):
        codes = ["400", "401", "413", "429"] if method == "post" else ["401"]
    return codes


def _patterns(schema: dict[str, Any], request: bool) -> None:
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict) or prop.get("type") != "string":
            continue
        if name == "id_number" or name.endswith("_id_number"):
            prop["pattern"] = ID_NUMBER_PATTERN if request else ID_NUMBER_SHOWN_PATTERN
        elif name == "month":
            prop["pattern"] = MONTH_PATTERN


def declare_conventions(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    schemas.setdefault("Detail", DETAIL)
    for name, schema in schemas.items():
        _patterns(schema, request=name.endswith("Request"))
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for parameter in operation.get("parameters", []):
                if parameter.get("name") == "month" and parameter.get("schema", {}).get("type") == "string":
                    parameter["schema"].setdefault("pattern", MONTH_PATTERN)
            for code in _codes(path, method):
                if code in operation["responses"]:
                    continue
                component, description = ERRORS[code]
                operation["responses"][code] = {
                    "description": description,
                    "content": {"application/json": {"schema": _ref(component)}},
                }
    return result

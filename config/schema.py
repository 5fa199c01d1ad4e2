"""OpenAPI schema generation (drf-spectacular), kept apart from `config.api` because DRF imports
that module while drf-spectacular is still importing DRF."""

from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django_scopes import scope
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema


class ScopedSchemaGenerator(SchemaGenerator):
    """Builds the schema inside an empty tenant scope: views are introspected for their models,
    and any query the introspection makes sees no centre's data."""

    def get_schema(self, *args: Any, **kwargs: Any):
        with scope(centre=[]):
            return super().get_schema(*args, **kwargs)


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, with the formats made true to what the API sends:
    - an optional e-mail address, URL or choice (a blank model field) may be the empty string;
    - a time of day is a wall-clock time without an offset ("19:00"), where JSON Schema's
      `time` format would demand one."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        result = super()._map_serializer_field(field, direction, bypass_extensions)
        if result.get("format") == "time":
            result = {k: v for k, v in result.items() if k != "format"}
            result["pattern"] = WALL_CLOCK_TIME
        if may_be_blank(field):
            field_format = result.get("format")
            if field_format in {"email", "uri"}:
                result = {key: value for key, value in result.items() if key != "format"}
                result["anyOf"] = [{"format": field_format}, {"maxLength": 0}]
            elif "enum" in result and "" not in result["enum"]:
                result = {**result, "enum": [*result["enum"], ""]}
        return result


WALL_CLOCK_TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$"


def may_be_blank(field) -> bool:
    """The field accepts "", or reads a model field that may hold it (DRF drops `allow_blank`
    from read-only fields)."""
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
    if not field.read_only or model is None or "." in (field.source or ""):
        return False
    try:
        return getattr(model._meta.get_field(field.source), "blank", False)
    except FieldDoesNotExist:  # a property or a method
        return False


ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error of the API has this form.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer", "description": "The HTTP status, repeated."},
                "code": {"type": "string", "description": "A stable code, such as `invalid` or `conflict`."},
                "message": {"type": "string", "description": "A sentence for people, in the request's language."},
                "fields": {
                    "type": "object",
                    "description": "For invalid data: the messages for each field that was wrong.",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                },
            },
        }
    },
}

ERRORS = {
    "400": "The request is invalid: its data, or a filter or page in the query. `fields` names what was wrong.",
    "401": "No valid credentials were sent.",
    "403": "The credentials are valid, but this user may not do this.",
    "404": "No such object for this user, or no such page of a list.",
    "409": "The request clashes with the current state, such as a booked room or a step already taken.",
    "415": "The body's media type is not accepted; send JSON.",
    "429": "Too many attempts from this client; wait before trying again.",
}


def document_errors(result: dict, generator, request, public: bool) -> dict:
    """drf-spectacular hook: name the errors each operation can answer with, in the API's one
    error format (`config.api.exception_handler`), so that clients and the fuzz tests know every
    status an operation may return."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for component in result["components"]["schemas"].values():
        for prop in component.get("properties", {}).values():
            # drf-spectacular adds a model field's format again after `AutoSchema` made it optional.
            if any(choice.get("format") == prop.get("format") for choice in prop.get("anyOf", [])):
                del prop["format"]
    throttled = {
        (path, method.lower())
        for path, _regex, method, view in generator.endpoints
        if getattr(view.cls, "throttle_classes", None) or getattr(view.cls, "rate_limited", False)
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            codes = ["400", "404"]
            if "requestBody" in operation:
                codes.append("415")
            if any(requirement for requirement in operation.get("security", [{}])):
                codes += ["401", "403"]
            if method != "get":
                codes.append("409")
            if (path, method) in throttled:
                codes.append("429")
            responses = operation.setdefault("responses", {})
            for code in sorted(codes):
                responses.setdefault(
                    code,
                    {
                        "description": ERRORS[code],
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
    return result

"""OpenAPI schema generation (drf-spectacular), kept apart from `config.api` because DRF imports
that module while drf-spectacular is still importing DRF."""

from typing import Any

from drf_spectacular.generators import SchemaGenerator

from centres.scoping import centre_scope


class ScopedSchemaGenerator(SchemaGenerator):
    """Builds the schema inside an empty tenant scope: views are introspected for their models,
    and any query the introspection makes sees no centre's data."""

    def get_schema(self, *args: Any, **kwargs: Any):
        with centre_scope([]):
            return super().get_schema(*args, **kwargs)

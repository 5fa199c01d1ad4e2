"""gunicorn's logger for Kontakt (`logger_class` in platform/gunicorn.conf.py): its access and
error logs carry no secret, whatever `access_log_format` an operator picks."""

from gunicorn import glogging

from config.log_filters import MaskSecretsFilter, mask_secrets

# Atoms that are credentials as a whole: an API token, a session or CSRF cookie, basic auth.
CREDENTIAL_ATOMS = frozenset(
    {
        "{authorization}i",
        "{cookie}i",
        "{x-csrftoken}i",
        "{proxy-authorization}i",
        "{set-cookie}o",
        "{http_authorization}e",
        "{http_cookie}e",
        "{http_x_csrftoken}e",
        "{http_proxy_authorization}e",
    }
)
# Query strings are left out: links put paths there URL-encoded (`?next=%2Fm%2F...`), where the
# route patterns cannot see them.
QUERY_ATOMS = frozenset({"q", "{query_string}e"})


def _without_query(value: str) -> str:
    path, _separator, rest = value.partition("?")
    # The request line "GET /path?query HTTP/1.1" keeps its protocol.
    return path + (" " + rest.rsplit(" ", 1)[1] if " " in rest else "")


class SecretMaskingLogger(glogging.Logger):
    """Every atom of an access line is masked (`/m/***/`), credentials and query strings are
    left out, and every handler of the access and error logs carries the mask filter (the error
    log names request paths: "Error handling request /m/...")."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                if not any(isinstance(existing, MaskSecretsFilter) for existing in handler.filters):
                    handler.addFilter(MaskSecretsFilter())

    def atoms(self, resp, req, environ, request_time) -> dict:
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if key in CREDENTIAL_ATOMS or key in QUERY_ATOMS:
                atoms[key] = "-"
            elif isinstance(value, str):
                if key in ("r", "{raw_uri}e"):
                    value = _without_query(value)
                atoms[key] = mask_secrets(value)
        return atoms

"""The API's renderers: JSON, and DRF's browsable API with the one exception it needs from the
Content Security Policy. Kept apart from `config.api`, which imports DRF's views: DRF reads its
renderer classes while it is still importing them."""

from rest_framework import renderers


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML pages for the API. Their templates set styles inline (style attributes on the
    toolbar, a <style> block for highlighting when Pygments is installed), so these pages allow
    inline styles, like the API docs; scripts stay this site's own files. Answers in JSON keep
    the strict policy."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        html = super().render(data, accepted_media_type, renderer_context)
        response = (renderer_context or {}).get("response")
        if response is not None:
            # What django-csp's @csp_update sets on a view's response, read by its middleware.
            response._csp_update = {"style-src": ["'unsafe-inline'"]}
        return html

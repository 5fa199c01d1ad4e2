"""What imports hold of people: the uploaded files (registered with centres' retention in
`ImportsConfig.ready`). A file lives from its upload to its import, and a day at most: the daily
retention run deletes older ones. The column mappings hold headings only."""

from datetime import timedelta

from centres.services.retention import RetentionRun, retention_steps_register
from imports.models import ImportUpload

KEPT = timedelta(days=1)


def uploads_retention(run: RetentionRun) -> None:
    old = ImportUpload.objects.filter(centre=run.centre, created_at__lt=run.now - KEPT)
    run.removed.import_files += old.delete()[0]


def register() -> None:
    retention_steps_register(app="imports", order=90, bulk=uploads_retention)

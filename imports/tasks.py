"""Celery task of the imports: a large file checked or imported by a worker."""

from celery import shared_task

from centres.scoping import all_centres_scope, centre_scope
from imports.models import ImportUpload
from imports.services import upload_run


@shared_task(name="imports.run_upload", acks_late=True)
def run_upload(upload_id: int) -> None:
    """Run a queued file once (`upload_run` claims it). A run cut short (a worker that died) is
    rolled back whole; the page offers to start it again after a while."""
    with all_centres_scope():
        upload = ImportUpload.objects.filter(pk=upload_id).select_related("centre", "run_by").first()
    if upload is None:
        return
    with centre_scope(upload.centre_id):
        upload_run(upload)

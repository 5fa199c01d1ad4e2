"""Celery tasks of the volunteers app: thin wrappers that call a service. Each works across
centres, so each opens that scope itself."""

from celery import shared_task

from centres.scoping import all_centres_scope
from volunteers.services.accounts import portal_login_link_send
from volunteers.services.phase_out import phase_out_notify_due
from volunteers.services.recruitment import recruitment_run


@shared_task(name="volunteers.notify_phase_outs_due")
def notify_phase_outs_due() -> int:
    """Daily: tell coordinators which groups are ready for their starters to phase out."""
    with all_centres_scope():
        return phase_out_notify_due()


@shared_task(name="volunteers.recruit")
def recruit() -> dict[str, int]:
    """Daily: raise and resolve recruitment needs, and ask matching volunteers where a group waits."""
    with all_centres_scope():
        return recruitment_run()


@shared_task(name="volunteers.send_portal_login_link")
def send_portal_login_link(volunteer_id: int | None) -> None:
    """Only for tasks queued before login links went through a `MailRequest`, still in the
    broker at a deploy: mail a volunteer their portal login link (None: nothing to do)."""
    with all_centres_scope():
        portal_login_link_send(volunteer_id=volunteer_id)

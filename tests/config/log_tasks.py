"""Tasks that a test's worker loads (`--include`) to show what its log lines carry. Never loaded
in production: they take a link, which real tasks never do."""

from celery import shared_task
from celery.utils.log import get_task_logger

logger = get_task_logger(__name__)


@shared_task(name="tests.echo_link")
def echo_link(link: str) -> str:
    logger.info("task logger says %s", link)
    return link


@shared_task(name="tests.fail_with_link")
def fail_with_link(link: str) -> None:
    raise ValueError("cannot open " + link)

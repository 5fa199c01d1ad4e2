"""factory_boy factories. They write through the unscoped managers, as set-up code may."""

from contextlib import contextmanager

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from centres.models import Centre, ConsentRecord, Person, StaffRole
from centres.scoping import all_centres_scope
from tests.scopes import every


class UnscopedFactory(factory.django.DjangoModelFactory):
    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return every(model_class)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@staff.example.org")
    password = factory.django.Password("correct-horse-battery")


class CentreFactory(UnscopedFactory):
    class Meta:
        model = Centre

    name = factory.Sequence(lambda n: f"Contact point {n}")
    slug = factory.Sequence(lambda n: f"centre-{n}")
    time_zone = "Europe/Berlin"
    default_language = "de"
    city = "Hannover"


class StaffRoleFactory(UnscopedFactory):
    class Meta:
        model = StaffRole

    centre = factory.SubFactory(CentreFactory)
    user = factory.SubFactory(UserFactory, is_staff=True)
    role = StaffRole.Role.COORDINATOR


class PersonFactory(UnscopedFactory):
    class Meta:
        model = Person

    centre = factory.SubFactory(CentreFactory)
    display_name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.net")
    language = factory.LazyAttribute(lambda person: person.centre.default_language)


class ConsentFactory(UnscopedFactory):
    class Meta:
        model = ConsentRecord

    person = factory.SubFactory(PersonFactory)
    centre = factory.LazyAttribute(lambda consent: consent.person.centre)
    purpose = ConsentRecord.Purpose.HEALTH_DATA
    text_version = "2026-01"
    source = ConsentRecord.Source.WEB_FORM
    given_at = factory.LazyFunction(timezone.now)


# --- meetings ----------------------------------------------------------------------------------

from meetings.models import Group, Location, Membership, Room, Topic  # noqa: E402


class TopicFactory(UnscopedFactory):
    class Meta:
        model = Topic

    centre = factory.SubFactory(CentreFactory)
    name = factory.Sequence(lambda n: f"Topic {n}")


class LocationFactory(UnscopedFactory):
    class Meta:
        model = Location

    centre = factory.SubFactory(CentreFactory)
    name = factory.Sequence(lambda n: f"House {n}")
    street = "Limmerstraße 12"
    postal_code = "30451"
    city = "Hannover"


class RoomFactory(UnscopedFactory):
    class Meta:
        model = Room

    location = factory.SubFactory(LocationFactory)
    centre = factory.LazyAttribute(lambda room: room.location.centre)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 10


class GroupFactory(UnscopedFactory):
    class Meta:
        model = Group

    centre = factory.SubFactory(CentreFactory)
    topic = factory.LazyAttribute(lambda group: TopicFactory(centre=group.centre))
    name = factory.Sequence(lambda n: f"Group {n}")
    languages = factory.LazyAttribute(lambda group: [group.centre.default_language])
    status = Group.Status.STARTING


class MembershipFactory(UnscopedFactory):
    class Meta:
        model = Membership

    group = factory.SubFactory(GroupFactory)
    centre = factory.LazyAttribute(lambda membership: membership.group.centre)
    person = factory.LazyAttribute(lambda membership: PersonFactory(centre=membership.group.centre))
    joined_on = factory.LazyFunction(timezone.localdate)


def queue_mail(centre, recipient="alma@example.net", obj="test-1", language="de", *, kind="system", **more):
    """One small mail queued through the outbox (`notifications.services.mail_queue`): a change
    notice's template with nothing in it, so each test sets only what it is about."""
    from notifications.services.outbox import mail_queue

    context = {"meetings": [], "all_cancelled": True, "discreet": False, "centre": centre}
    with all_centres_scope():  # as set-up code queues it
        return mail_queue(
            centre=centre,
            kind=kind,
            obj=obj,
            recipient=recipient,
            language=language,
            template="meetings/mail/change_notice",
            context=context,
            **more,
        )


def queue_text(centre, phone="0171 2345678", obj="test-1", *, text="Treffen fällt aus: https://__manage_url__"):
    """One text queued through the outbox, to a person who agreed to texts at `phone` (made here):
    the row as reminders and notices store it. Returns the row."""
    from centres.models import ConsentRecord
    from centres.phones import centre_region, sms_number
    from notifications.models import MailContent, OutgoingMail
    from notifications.services.outbox import NewMail, idempotency_key, mails_queue_bulk, sms_sender_for

    person = PersonFactory(centre=centre, email="", phone=phone)
    ConsentFactory(person=person, purpose=ConsentRecord.Purpose.SMS)
    number = sms_number(phone, region=centre_region(centre))
    with all_centres_scope():  # as set-up code queues it
        content = MailContent.objects.create(
            centre=centre, language="de", from_email=sms_sender_for(centre), subject="", body_text=text
        )
        key = idempotency_key("change", obj, number)
        mails_queue_bulk(
            [
                NewMail(
                    centre_id=centre.pk,
                    kind=OutgoingMail.Kind.CHANGE_NOTICE,
                    key=key,
                    person_id=person.pk,
                    recipient=number,
                    language="de",
                    content_id=content.pk,
                    merge_data={"manage_url": f"https://kontakt.example/m/{obj}/"},
                    channel=OutgoingMail.Channel.SMS,
                )
            ]
        )
        return OutgoingMail.objects.get(idempotency_key=key)


def handle_mail_requests() -> int:
    """Do what the worker does with the requests public pages stored (`MailRequest`: sign-ups,
    subscriptions, login links, password resets): decide each, writing its outbox rows. Returns
    how many were handled."""
    from notifications.models import MailRequest
    from notifications.tasks import handle_mail_request

    ids = list(every(MailRequest).order_by("pk").values_list("pk", flat=True))
    return sum(handle_mail_request(request_id) for request_id in ids)  # the task's body, run here


@contextmanager
def eager_tasks():
    """Run Celery tasks in the calling thread while the block lasts, as a worker would."""
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


def reminders_job() -> int:
    """The periodic reminder job as beat and the workers run it: one task per centre with a
    meeting close enough (`meetings.tasks.queue_due_reminders` queues them), each task's body run
    here. Returns how many reminders were stored."""
    from centres.scoping import all_centres_scope
    from meetings.services.reminders import reminder_centres_due
    from meetings.tasks import queue_centre_reminders

    with all_centres_scope():
        centre_ids = reminder_centres_due()
    return sum(queue_centre_reminders(centre_id) for centre_id in centre_ids)

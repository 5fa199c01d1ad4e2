"""Intake and placement: enquiries (public or recorded by a coordinator), the intake queue, the
intake conversation, placement into a group, waiting lists, founding a group from one, and the
retention of finished enquiries. Every write is described per function and audited."""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Min, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centres.models import LANGUAGE_CHOICES, AuditLogEntry, Centre, ConsentRecord, Person, StaffRole
from centres.retention import UNCONFIRMED_KEPT
from centres.services.audit import audit_record
from centres.services.consents import consent_record
from centres.services.people import person_create
from config.errors import ConflictError, DomainError
from config.signed_links import signed_payload
from meetings.booking import check_within_planning_range
from meetings.intake.matching import LIVE_GROUP_STATUSES
from meetings.intake.models import Enquiry, EnquiryNote
from meetings.models import Group, Location, Meeting, Membership, Room, Topic
from meetings.services.calendar_links import membership_calendar_link
from meetings.services.groups import group_create, membership_add
from meetings.services.meetings import meeting_cancel, one_off_create
from notifications.member_links import member_url
from notifications.models import MailContent, OutgoingMail
from notifications.services import mail_queue
from volunteers.recruitment import recruitment_needs_refresh

CONSENT_TEXT_VERSION = "health-data-2026-11"
E = Enquiry.Status
FINISHED = {E.PLACED, E.REFERRED, E.WITHDRAWN, E.CLOSED}
# Placing and waiting have their own services; scheduling the conversation too.
TRANSITIONS = {
    E.NEW: {E.CONTACTED, E.REFERRED, E.WITHDRAWN, E.CLOSED},
    E.CONTACTED: {E.REFERRED, E.WITHDRAWN, E.CLOSED},
    E.CONVERSATION_SCHEDULED: {E.CONTACTED, E.CONVERSATION_HELD, E.WITHDRAWN, E.CLOSED},
    E.CONVERSATION_HELD: {E.REFERRED, E.WITHDRAWN, E.CLOSED},
    E.WAITING: {E.REFERRED, E.WITHDRAWN, E.CLOSED},
    E.PLACED: set(),
    E.REFERRED: {E.CLOSED},
    E.WITHDRAWN: set(),
    E.CLOSED: set(),
}
CONVERSATION_MINUTES = 45
AWAITING_MESSAGE = gettext_lazy(
    "This enquiry came with an e-mail address the centre already knew and waits until that address confirms "
    "it: until then it belongs to no one and cannot be worked on."
)
SCHEDULABLE = (E.NEW, E.CONTACTED, E.CONVERSATION_SCHEDULED)


# --- enquiries ------------------------------------------------------------------------------------


def _check_wishes(
    centre: Centre, *, language: str, topics: list[Topic], age_band: str, weekdays: list[int], location
) -> None:
    if language not in dict(LANGUAGE_CHOICES):
        raise DomainError(_("Choose one of the offered languages."), field="language")
    if any(topic.centre_id != centre.pk or not topic.is_offered for topic in topics):
        raise DomainError(_("Choose topics this contact point offers."), field="topics")
    if age_band not in Group.AgeBand.values:
        raise DomainError(_("Choose one of the age bands."), field="age_band")
    if any(not isinstance(day, int) or not 0 <= day <= 6 for day in weekdays):
        raise DomainError(_("Weekdays are numbered 0 (Monday) to 6 (Sunday)."), field="weekdays")
    if location is not None and location.centre_id != centre.pk:
        raise DomainError(_("Choose a place of this contact point."), field="location")


@transaction.atomic
def enquiry_submit(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    name: str,
    email: str = "",
    phone: str = "",
    language: str,
    topics: list[Topic] = (),
    age_band: str = "",
    weekdays: list[int] = (),
    daytime: bool = False,
    evening: bool = False,
    location: Location | None = None,
    is_relative: bool = False,
    message: str = "",
    channel: str = Enquiry.Channel.WEB,
    consent: bool,
) -> Enquiry:
    """Someone asks for a group: through the public form (`actor` None) or on the phone, by mail
    or in person, recorded by a coordinator. Needs an address or a phone number and the consent to
    process health-related data, which is recorded with its text version. A known address is
    reused without changing the person's details. On the public form a known address proves
    nothing about who sent it: the enquiry then belongs to no one and changes nothing the person
    consented to until the address confirms it (`enquiry_confirm`). The public answer is the same
    either way. Writes the person (if new), the consent, the enquiry, an audit entry and, for an
    address, a neutral acknowledgement (or the request to confirm)."""
    email, phone, name = email.strip().lower(), phone.strip(), name.strip()
    if not name:
        raise DomainError(_("Give a name or a pseudonym."), field="name")
    if not email and not phone:
        raise DomainError(_("Give an e-mail address or a phone number, so that we can reach you."), field="email")
    if not consent:
        raise DomainError(_("We can only take the enquiry with this consent."), field="consent")
    if channel not in Enquiry.Channel.values:
        raise DomainError(_("Unknown channel."), field="channel")
    _check_wishes(centre, language=language, topics=topics, age_band=age_band, weekdays=weekdays, location=location)
    wishes = {
        "channel": channel,
        "language": language,
        "age_band": age_band,
        "weekdays": sorted(set(weekdays)),
        "daytime": daytime,
        "evening": evening,
        "location": location,
        "is_relative": is_relative,
        "message": message.strip(),
    }
    person = Person.all_centres.filter(centre=centre, email__iexact=email).first() if email else None
    person_created = person is None
    if person is None:
        try:
            with transaction.atomic():
                person = person_create(
                    actor=actor, centre=centre, display_name=name[:120], email=email, phone=phone, language=language
                )
        except (IntegrityError, DomainError):
            # The same new address sent twice at the same moment: the other request made the person.
            person = Person.all_centres.filter(centre=centre, email__iexact=email).first() if email else None
            if person is None:
                raise
            person_created = False
    if actor is None and not person_created:
        return _enquiry_hold(centre=centre, known=person, topics=topics, wishes=wishes)
    consent = consent_record(
        actor=actor,
        person=person,
        purpose=ConsentRecord.Purpose.HEALTH_DATA,
        text_version=CONSENT_TEXT_VERSION,
        source={
            Enquiry.Channel.WEB: ConsentRecord.Source.WEB_FORM,
            Enquiry.Channel.EMAIL: ConsentRecord.Source.EMAIL,
            Enquiry.Channel.PHONE: ConsentRecord.Source.PHONE,
            Enquiry.Channel.IN_PERSON: ConsentRecord.Source.IN_PERSON,
        }[channel],
    )
    enquiry = _enquiry_store(
        actor=actor,
        centre=centre,
        topics=topics,
        wishes=wishes,
        person=person,
        person_created=person_created,
        consent=consent,
    )
    if email and actor is None:
        mail_queue(
            centre=centre,
            kind=OutgoingMail.Kind.SYSTEM,
            obj=f"enquiry-received-{enquiry.pk}",
            recipient=email,
            language=language,
            template="enquiry_received",
            context={"centre": centre},
            person=person,
        )
    return enquiry


def _enquiry_store(*, actor, centre: Centre, topics: list[Topic], wishes: dict, **owner) -> Enquiry:
    now = timezone.now()
    enquiry = Enquiry.all_centres.create(centre=centre, created_at=now, status_changed_at=now, **wishes, **owner)
    enquiry.topics.set(topics)
    audit_record(actor=actor, centre=centre, action=AuditLogEntry.Action.CREATE, obj=enquiry)
    return enquiry


# --- an enquiry from a known address waits for that address -----------------------------------------

CONFIRM_SALT, CONFIRM_MAX_AGE = "kontakt.enquiry.confirm", 7 * 24 * 3600


def _enquiry_hold(*, centre: Centre, known: Person, topics: list[Topic], wishes: dict) -> Enquiry:
    """The public form with an address the centre knew: anyone can type anyone's address, so the
    enquiry is stored for no one (staff see it, marked as waiting) and the address is asked to
    confirm it. The consent ticked on the form is recorded only then, for the person it is then
    known to come from. The link is as secret as a login link: the mail is sensitive."""
    enquiry = _enquiry_store(actor=None, centre=centre, topics=topics, wishes=wishes, awaiting_confirmation=True)
    token = signing.dumps({"e": enquiry.pk, "p": known.pk, "v": CONSENT_TEXT_VERSION}, salt=CONFIRM_SALT)
    mail_queue(
        centre=centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"enquiry-confirm-{enquiry.pk}",
        recipient=known.email,
        language=known.language or wishes["language"],
        template="enquiry_confirm",
        context={
            "centre": centre,
            "confirm_url": settings.SITE_URL.rstrip("/") + reverse("enquiry-confirm", args=[token]),
            "days": UNCONFIRMED_KEPT.days,
        },
        person=known,
        sensitive=True,
    )
    return enquiry


def enquiry_confirmation_token_valid(token: str) -> bool:
    return signed_payload(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE) is not None


@transaction.atomic
def enquiry_confirm(*, token: str) -> Enquiry | None:
    """The link from the mail `_enquiry_hold` sent: the address showed that the enquiry came from
    its owner, so it becomes theirs, with their consent to process health-related data recorded
    now (ticked on the web form, in the text version shown there, and confirmed by the link). A
    second click changes nothing.
    None for a forged or expired link, or when the enquiry or the person is gone. Writes the
    enquiry, the consent and audit entries."""
    try:
        payload = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return None
    enquiry = (
        Enquiry.all_centres.select_for_update(of=("self",))
        .select_related("centre")
        .filter(pk=payload.get("e"), anonymised_at__isnull=True)
        .first()
    )
    if enquiry is None or not enquiry.awaiting_confirmation:
        return enquiry if enquiry is not None and enquiry.person_id == payload.get("p") else None
    # An erased person leaves no row, or a shell without an address.
    person = Person.all_centres.filter(centre=enquiry.centre, pk=payload.get("p")).exclude(email="").first()
    if person is None:
        return None
    enquiry.consent = consent_record(
        actor=None,
        person=person,
        purpose=ConsentRecord.Purpose.HEALTH_DATA,
        text_version=payload.get("v") or CONSENT_TEXT_VERSION,
        source=ConsentRecord.Source.CONFIRMATION_LINK,
    )
    enquiry.person, enquiry.awaiting_confirmation = person, False
    enquiry.save(update_fields=["person", "consent", "awaiting_confirmation"])
    audit_record(
        actor=None,
        centre=enquiry.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=enquiry,
        changed_fields=["person", "consent", "awaiting_confirmation"],
    )
    return enquiry


def enquiries_unconfirmed_delete(*, now: datetime | None = None) -> int:
    """Periodic: enquiries whose address never confirmed them go after UNCONFIRMED_KEPT, with
    the mails that asked (they tie the address to the enquiry). Returns how many went."""
    now = now or timezone.now()
    done = 0
    for enquiry_id in Enquiry.all_centres.filter(
        awaiting_confirmation=True, created_at__lt=now - UNCONFIRMED_KEPT
    ).values_list("pk", flat=True):
        with transaction.atomic():
            # Under the lock: a confirmation clicked meanwhile keeps the enquiry.
            enquiry = (
                Enquiry.all_centres.select_for_update(of=("self",))
                .select_related("centre")
                .filter(pk=enquiry_id, awaiting_confirmation=True)
                .first()
            )
            if enquiry is None:
                continue
            audit_record(actor=None, centre=enquiry.centre, action=AuditLogEntry.Action.DELETE, obj=enquiry)
            requests = OutgoingMail.all_centres.filter(
                idempotency_key__startswith=f"{OutgoingMail.Kind.SYSTEM}:enquiry-confirm-{enquiry.pk}:"
            )
            content_ids = list(requests.values_list("content_id", flat=True))
            requests.delete()
            MailContent.all_centres.filter(pk__in=content_ids, mails__isnull=True).delete()
            enquiry.delete()
            done += 1
    return done


def _set_status(enquiry: Enquiry, status: str, *, actor, fields: list[str] = ()) -> Enquiry:
    enquiry.status, enquiry.status_changed_at = status, timezone.now()
    changed = ["status", "status_changed_at", *fields]
    if status in FINISHED and enquiry.finished_at is None:
        # Referred, then closed: the retention period still runs from the first outcome.
        enquiry.finished_at = enquiry.status_changed_at
        changed.append("finished_at")
    enquiry.save(update_fields=changed)
    audit_record(
        actor=actor, centre=enquiry.centre, action=AuditLogEntry.Action.UPDATE, obj=enquiry, changed_fields=changed
    )
    return enquiry


def _locked(enquiry: Enquiry) -> Enquiry:
    enquiry = Enquiry.all_centres.select_for_update(of=("self",)).select_related("centre", "person").get(pk=enquiry.pk)
    if enquiry.anonymised_at:
        raise ConflictError(_("This enquiry is anonymised."))
    if enquiry.awaiting_confirmation:
        raise ConflictError(str(AWAITING_MESSAGE))
    return enquiry


def _cancel_conversation_booking(enquiry: Enquiry, *, actor) -> None:
    meeting = enquiry.conversation_meeting
    if meeting and meeting.status == Meeting.Status.SCHEDULED and meeting.ends_at > timezone.now():
        meeting_cancel(actor=actor, meeting=meeting)


@transaction.atomic
def enquiry_transition(*, actor: AbstractBaseUser | None, enquiry: Enquiry, to: str, referred_to: str = "") -> Enquiry:
    """Move an enquiry along the intake queue (see TRANSITIONS). Referring needs where to; a
    conversation not held any more (back to contacted, withdrawn, closed) frees its room.
    Writes the enquiry and an audit entry."""
    enquiry = _locked(enquiry)
    if to not in E.values:
        raise DomainError(_("Unknown status."), field="to")
    if to not in TRANSITIONS.get(enquiry.status, set()):
        raise ConflictError(
            _("An enquiry cannot go from “%(from)s” to “%(to)s”.")
            % {"from": Enquiry.Status(enquiry.status).label, "to": Enquiry.Status(to).label if to in E.values else to}
        )
    fields = []
    if to == E.REFERRED:
        if not referred_to.strip():
            raise DomainError(_("Say where the person was referred to."), field="referred_to")
        enquiry.referred_to = referred_to.strip()[:200]
        fields.append("referred_to")
    if enquiry.status == E.CONVERSATION_SCHEDULED and to != E.CONVERSATION_HELD:
        _cancel_conversation_booking(enquiry, actor=actor)
        if to == E.CONTACTED:
            enquiry.conversation_kind, enquiry.conversation_at, enquiry.conversation_meeting = "", None, None
            fields += ["conversation_kind", "conversation_at", "conversation_meeting"]
    return _set_status(enquiry, to, actor=actor, fields=fields)


@transaction.atomic
def enquiry_note_add(*, actor: AbstractBaseUser | None, enquiry: Enquiry, text: str) -> EnquiryNote:
    """A staff note on the enquiry. Writes the note and an audit entry (never the text)."""
    enquiry = _locked(enquiry)
    if not text.strip():
        raise DomainError(_("Write the note first."), field="text")
    note = EnquiryNote.all_centres.create(centre=enquiry.centre, enquiry=enquiry, author=actor, text=text.strip())
    audit_record(actor=actor, centre=enquiry.centre, action=AuditLogEntry.Action.CREATE, obj=note)
    return note


@transaction.atomic
def enquiry_conversation_schedule(
    *,
    actor: AbstractBaseUser | None,
    enquiry: Enquiry,
    kind: str,
    starts_at: datetime,
    minutes: int = CONVERSATION_MINUTES,
    room: Room | None = None,
) -> Enquiry:
    """Schedule (or move) the intake conversation: by phone at a time, or in person in a room,
    booked like any meeting so it cannot clash. The booking's title is neutral and names nobody.
    A booking made before is cancelled. Writes the enquiry, the booking and audit entries."""
    enquiry = _locked(enquiry)
    if enquiry.status not in SCHEDULABLE:
        raise ConflictError(_("The intake conversation is scheduled before the outcome, not after."))
    if kind not in Enquiry.ConversationKind.values:
        raise DomainError(_("Choose by phone or in person."), field="kind")
    if not 15 <= minutes <= 180:
        raise DomainError(_("A conversation takes between 15 and 180 minutes."), field="minutes")
    check_within_planning_range(starts_at.date(), field="starts_at")
    if kind == Enquiry.ConversationKind.IN_PERSON and starts_at < timezone.now():
        # A phone call may be recorded afterwards; a room cannot be booked in the past.
        raise DomainError(_("A conversation in a room cannot be booked in the past."), field="starts_at")
    # The old booking goes first, so the conversation can move to an overlapping slot in the
    # same room; if the new booking fails, the transaction brings the old one back.
    _cancel_conversation_booking(enquiry, actor=actor)
    booking = None
    if kind == Enquiry.ConversationKind.IN_PERSON:
        if room is None:
            raise DomainError(_("Choose the room for the conversation."), field="room")
        if room.centre_id != enquiry.centre_id:
            raise DomainError(_("The room belongs to another centre."), field="room")
        with translation.override(enquiry.centre.default_language):
            title = _("Intake conversation")
        booking = one_off_create(
            actor=actor,
            centre=enquiry.centre,
            room=room,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
        )
    enquiry.conversation_kind, enquiry.conversation_at, enquiry.conversation_meeting = kind, starts_at, booking
    return _set_status(
        enquiry,
        E.CONVERSATION_SCHEDULED,
        actor=actor,
        fields=["conversation_kind", "conversation_at", "conversation_meeting"],
    )


@transaction.atomic
def enquiry_wait(*, actor: AbstractBaseUser | None, enquiry: Enquiry, topic: Topic | None = None) -> Enquiry:
    """After the conversation no group fits: the person waits for a group on `topic` (the
    enquiry's only topic if not given) in their language. Writes the enquiry and an audit entry."""
    enquiry = _locked(enquiry)
    if enquiry.status != E.CONVERSATION_HELD:
        raise ConflictError(_("An enquiry goes onto a waiting list after the intake conversation."))
    if topic is None:
        topics = list(enquiry.topics.all())
        if len(topics) != 1:
            raise DomainError(_("Say which topic the person waits for."), field="topic")
        topic = topics[0]
    if topic.centre_id != enquiry.centre_id:
        raise DomainError(_("Choose a topic of this contact point."), field="topic")
    enquiry.waiting_topic, enquiry.waiting_since = topic, timezone.localdate()
    return _set_status(enquiry, E.WAITING, actor=actor, fields=["waiting_topic", "waiting_since"])


# --- placement ------------------------------------------------------------------------------------


def free_places(group: Group) -> int:
    taken = Membership.all_centres.filter(group=group, left_on__isnull=True).count()
    return max(0, group.max_size - taken)


@transaction.atomic
def enquiry_place(
    *, actor: AbstractBaseUser | None, enquiry: Enquiry, group: Group, override: bool = False
) -> Membership:
    """Place the person into `group`: the membership starts, so reminders follow, and a welcome
    mail brings their member page and calendar link. The group row is locked, so two coordinators
    placing two people into the last place at once cannot both succeed; a full group or one closed
    to newcomers takes someone only with `override`, which the audit log records. Writes the
    membership, the enquiry, audit entries and the welcome mail."""
    enquiry = _locked(enquiry)
    group = Group.all_centres.select_for_update(of=("self",)).select_related("centre").get(pk=group.pk)
    if group.centre_id != enquiry.centre_id:
        raise DomainError(_("This group belongs to another centre."), field="group")
    if enquiry.status not in (E.CONVERSATION_HELD, E.WAITING):
        raise ConflictError(_("A person is placed after the intake conversation."))
    if enquiry.person is None:
        raise ConflictError(_("This enquiry has no person any more."))
    if group.status not in LIVE_GROUP_STATUSES:
        raise ConflictError(_("This group does not take anyone at the moment."))
    if not free_places(group) and not override:
        raise ConflictError(_("The group is full. A coordinator can place someone over its size with override."))
    if not group.accepts_newcomers and not override:
        raise ConflictError(_("The group takes no newcomers. A coordinator can override this."))
    role = Membership.Role.RELATIVE if enquiry.is_relative else Membership.Role.MEMBER
    membership = membership_add(actor=actor, group=group, person=enquiry.person, role=role)
    if override:
        audit_record(
            actor=actor,
            centre=group.centre,
            action=AuditLogEntry.Action.UPDATE,
            obj=membership,
            changed_fields=["placed_with_override"],
        )
    enquiry.placed_group = group
    _set_status(enquiry, E.PLACED, actor=actor, fields=["placed_group"])
    _welcome(membership, group, enquiry.person, actor=actor)
    return membership


def _welcome(membership: Membership, group: Group, person: Person, *, actor) -> None:
    if not person.email:
        return
    # The welcome is about this one group: its feed link shows this group only.
    token = membership_calendar_link(actor=actor, membership=membership)
    first = (
        Meeting.all_centres.filter(group=group, status=Meeting.Status.SCHEDULED, starts_at__gte=timezone.now())
        .select_related("room__location")
        .order_by("starts_at")
        .first()
    )
    mail_queue(
        centre=group.centre,
        kind=OutgoingMail.Kind.SYSTEM,
        obj=f"welcome-{membership.pk}",
        recipient=person.email,
        language=person.language or group.centre.default_language,
        template="group_welcome",
        context={
            "centre": group.centre,
            "group": group,
            "first": first,
            "member_url": member_url(purpose="manage", membership_id=membership.pk),
            "calendar_url": settings.SITE_URL.rstrip("/") + reverse("person-feed", args=[token.token]),
        },
        person=person,
    )


# --- waiting lists and founding -------------------------------------------------------------------


@transaction.atomic
def group_found(
    *,
    actor: AbstractBaseUser | None,
    centre: Centre,
    topic: Topic,
    language: str,
    name: str,
    enquiries: list[Enquiry] | None = None,
) -> Group:
    """Found a new group from a waiting list: the group starts `forming` in that language, the
    people waiting (all, or the given ones) are placed into it and invited by mail, and a
    recruitment need for its starters is raised. Writes the group, memberships, enquiries, mails,
    audit entries and the need."""
    waiting = Enquiry.all_centres.select_for_update(of=("self",)).filter(
        centre=centre, status=E.WAITING, waiting_topic=topic, language=language
    )
    if enquiries is not None:
        waiting = waiting.filter(pk__in=[enquiry.pk for enquiry in enquiries])
    waiting = list(waiting.order_by("waiting_since", "pk"))
    if enquiries is not None and len(waiting) != len(enquiries):
        raise DomainError(_("Only people on this waiting list can found its group."), field="enquiries")
    if len({enquiry.person_id for enquiry in waiting}) < 2:
        raise ConflictError(_("A group needs at least two people waiting."))
    group = group_create(
        actor=actor,
        centre=centre,
        name=name,
        topic=topic,
        languages=[language],
        max_size=max(12, len(waiting)),
    )
    placed_people = set()
    for enquiry in waiting:
        if enquiry.person_id in placed_people:
            # The same person enquired twice: one membership, both enquiries placed.
            enquiry.placed_group = group
            _set_status(enquiry, E.PLACED, actor=actor, fields=["placed_group"])
            continue
        enquiry_place(actor=actor, enquiry=enquiry, group=group)
        placed_people.add(enquiry.person_id)
    recruitment_needs_refresh(centre=centre)
    return group


def waiting_lists(centre_ids: list[int]) -> list[dict]:
    """The people waiting, counted per centre, topic and language, with the longest wait and
    whether the list is long enough to found a group (the centre's `founding_group_size`). One
    query, counts only."""
    rows = (
        Enquiry.all_centres.filter(centre_id__in=centre_ids, status=E.WAITING, anonymised_at__isnull=True)
        .values("centre_id", "centre__slug", "waiting_topic_id", "waiting_topic__name", "language")
        .annotate(
            waiting=Count("person", distinct=True), since=Min("waiting_since"), needed=F("centre__founding_group_size")
        )
        .order_by("centre_id", "waiting_topic__name", "language")
    )
    return [{**row, "ready_to_found": row["waiting"] >= row["needed"]} for row in rows]


def founding_suggestions(centre_ids: list[int]) -> list[dict]:
    """Waiting lists long enough to found a group."""
    return [row for row in waiting_lists(centre_ids) if row["ready_to_found"]]


def founding_suggestions_notify(*, today: date | None = None) -> int:
    """Daily: tell each centre's coordinators which waiting lists could found a group, once a day
    each (idempotent). The mail names topics and counts, never people. Returns mails queued."""
    today = today or timezone.localdate()
    by_centre: dict[int, list[dict]] = {}
    for row in founding_suggestions(list(Centre.all_centres.values_list("pk", flat=True))):
        by_centre.setdefault(row["centre_id"], []).append(row)
    queued = 0
    for centre in Centre.all_centres.filter(pk__in=by_centre):
        for role in StaffRole.all_centres.filter(centre=centre, user__is_active=True).select_related("user"):
            if not role.user.email:
                continue
            mail = mail_queue(
                centre=centre,
                kind=OutgoingMail.Kind.SYSTEM,
                obj=f"found-a-group-{centre.pk}-{today:%Y%m%d}",
                recipient=role.user.email,
                language=centre.default_language,
                template="found_a_group",
                context={"centre": centre, "lists": by_centre[centre.pk]},
            )
            queued += mail is not None
    return queued


# --- retention ------------------------------------------------------------------------------------


def _months_ago(moment: datetime, months: int) -> datetime:
    return moment - timedelta(days=round(months * 30.44))


@transaction.atomic
def enquiry_anonymise(*, actor: AbstractBaseUser | None, enquiry: Enquiry, delete_lone_person: bool = True) -> Enquiry:
    """Remove everything personal from a finished enquiry: the link to the person (deleted too
    if the enquiry was all the centre knew of them), the free text, wishes that could identify,
    the referral and the notes. Channel, topics, dates and outcome remain for the counts.
    Writes the enquiry, deletes notes (and perhaps the person), and an audit entry."""
    enquiry = Enquiry.all_centres.select_for_update(of=("self",)).select_related("centre").get(pk=enquiry.pk)
    if enquiry.anonymised_at:
        return enquiry
    person_id, person_created, consent_id = enquiry.person_id, enquiry.person_created, enquiry.consent_id
    EnquiryNote.all_centres.filter(enquiry=enquiry).delete()
    # The acknowledgement (or the request to confirm) tied the address to this enquiry; its
    # consent record, to the moment.
    acknowledgements = OutgoingMail.all_centres.filter(
        Q(idempotency_key__startswith=f"{OutgoingMail.Kind.SYSTEM}:enquiry-received-{enquiry.pk}:")
        | Q(idempotency_key__startswith=f"{OutgoingMail.Kind.SYSTEM}:enquiry-confirm-{enquiry.pk}:")
    )
    content_ids = list(acknowledgements.values_list("content_id", flat=True))
    acknowledgements.delete()
    MailContent.all_centres.filter(pk__in=content_ids, mails__isnull=True).delete()
    if consent_id:
        ConsentRecord.all_centres.filter(pk=consent_id).delete()
    enquiry.person, enquiry.person_created, enquiry.consent = None, False, None
    enquiry.message = enquiry.referred_to = enquiry.age_band = ""
    enquiry.location, enquiry.weekdays, enquiry.is_relative, enquiry.daytime, enquiry.evening = (
        None,
        [],
        False,
        False,
        False,
    )
    enquiry.conversation_kind, enquiry.conversation_at, enquiry.conversation_meeting = "", None, None
    enquiry.waiting_topic, enquiry.waiting_since = None, None
    # Dates only to the month, which is all the counts need.
    month = timezone.localtime(enquiry.created_at).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    enquiry.created_at = enquiry.status_changed_at = month
    enquiry.anonymised_at = timezone.now()
    enquiry.save()
    audit_record(
        actor=actor,
        centre=enquiry.centre,
        action=AuditLogEntry.Action.UPDATE,
        obj=enquiry,
        changed_fields=["anonymised_at"],
    )
    if person_id is not None and person_created and delete_lone_person:
        _delete_if_only_an_enquirer(actor, person_id)
    return enquiry


def _delete_if_only_an_enquirer(actor: AbstractBaseUser | None, person_id: int) -> None:
    from centres.privacy import person_erase, still_known

    person = Person.all_centres.filter(pk=person_id).exclude(still_known()).first()
    if person is not None:
        person_erase(actor=actor, person=person)  # everything else they left: mail, lockouts


def enquiries_anonymise_due(*, now: datetime | None = None) -> int:
    """Periodic: anonymise referred, closed and withdrawn enquiries finished longer ago than their centre's
    retention period. Returns how many were anonymised; a second run finds none."""
    now = now or timezone.now()
    done = 0
    for centre in Centre.all_centres.all():
        due = Enquiry.all_centres.filter(
            Q(status=E.CLOSED) | Q(status=E.WITHDRAWN) | Q(status=E.REFERRED),
            centre=centre,
            anonymised_at__isnull=True,
            finished_at__lt=_months_ago(now, centre.enquiry_retention_months),
        ).values_list("pk", flat=True)
        for enquiry_id in list(due):
            enquiry_anonymise(actor=None, enquiry=Enquiry(pk=enquiry_id))
            done += 1
    return done

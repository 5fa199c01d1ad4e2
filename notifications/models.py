"""The e-mail outbox, suppressed addresses and ESP webhook events.

Every e-mail of the platform is first a row here (`OutgoingMail`); Celery workers send rows, never
"fire and forget". A row's idempotency key is unique per (kind, object, recipient), so queuing the
same mail twice stores it once, and a row leaves `queued` only through a locked state change, so it
is handed to the ESP at most once even when tasks run twice.
"""

from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from centres.models import LANGUAGE_CHOICES, Centre, Person
from config.validators import validate_single_line


class OutgoingMail(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SUPPRESSED = "suppressed", _("Suppressed")

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Meeting reminder")
        CHANGE_NOTICE = "change_notice", _("Meeting change notice")
        NEWSLETTER = "newsletter", _("Newsletter")
        NEWSLETTER_CONFIRMATION = "newsletter_confirmation", _("Newsletter confirmation")
        ABSENCE = "absence", _("Absence notice")
        EVALUATION = "evaluation", _("Group evaluation")
        SYSTEM = "system", _("System message")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message (SMS)")

    class Delivery(models.TextChoices):
        UNKNOWN = "", _("Not reported")
        DELIVERED = "delivered", _("Delivered")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    # No centre: a mail of the platform itself (a password reset for an account that need not
    # belong to any centre). No centre's staff ever see it.
    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("centre")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # A text message is a row like a mail: the same key, claim, retries and suppression. Its
    # content's text is the message, its sender the SMS sender ID, its recipient a number (E.164).
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL, db_default=Channel.EMAIL
    )
    sensitive = models.BooleanField(
        _("sensitive"),
        default=False,
        db_default=False,  # the bulk inserts name their columns; a new one must not break them
        help_text=_(
            "It holds a link that acts for its recipient (a login, a password reset, a confirmation): "
            "staff see only its kind, status and times."
        ),
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("person")
    )
    recipient = models.CharField(
        _("recipient"), max_length=254, help_text=_("An e-mail address or, for a text, a number.")
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    content = models.ForeignKey(
        "MailContent", on_delete=models.PROTECT, related_name="mails", verbose_name=_("content")
    )
    merge_data = models.JSONField(
        _("merge data"), default=dict, blank=True, help_text=_("This recipient's own values, such as their links.")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    in_doubt = models.BooleanField(
        _("in doubt"),
        default=False,
        help_text=_("An attempt may have reached the ESP (its worker stopped, or no answer in time)."),
    )
    last_error = models.TextField(_("last error"), blank=True)
    esp_message_id = models.CharField(_("ESP message id"), max_length=200, blank=True)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices, blank=True, default="")
    newsletter_issue = models.ForeignKey(
        "NewsletterIssue",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("newsletter issue"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sending_since = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outbox")
        indexes = [
            # Only rows still to send: the sweeper and the flush look for them, and a sent row
            # leaves this index instead of adding to it.
            models.Index(
                fields=["status", "created_at"],
                name="mail_unsent_idx",
                condition=models.Q(status__in=["queued", "sending"]),
            ),
            models.Index(fields=["centre", "created_at"], name="mail_centre_created_idx"),
            # An erasure finds the mails to an address (also those made without a person).
            models.Index("centre", Lower("recipient"), name="mail_centre_recipient_idx"),
            # Webhook events find their mail by the ESP's message id; unsent rows have none.
            models.Index(
                fields=["esp_message_id"], name="mail_esp_message_idx", condition=~models.Q(esp_message_id="")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    # The mail as its recipient gets it: the shared content with this row's merge data put in.
    def merged(self, text: str) -> str:
        return merge(text, self.merge_data)

    @property
    def from_email(self) -> str:
        return self.content.from_email

    @property
    def subject(self) -> str:
        return self.merged(self.content.subject)

    @property
    def body_text(self) -> str:
        return self.merged(self.content.body_text)

    @property
    def body_html(self) -> str:
        return self.merged(self.content.body_html)

    # The mail as staff see it in the outbox (page, API, admin). A sensitive mail shows nothing
    # of its content: whoever holds its link can log in, set a password or give consent in the
    # recipient's name. In other mails, the merge data stays hidden: it is the recipient's own
    # links (a member's page, an unsubscribe), which act in their name too.
    @property
    def shown_recipient(self) -> str:
        return str(SENSITIVE_SHOWN_AS) if self.sensitive else self.recipient

    @property
    def shown_subject(self) -> str:
        return str(SENSITIVE_SHOWN_AS) if self.sensitive else self.subject

    @property
    def shown_body_text(self) -> str:
        if self.sensitive:
            return str(SENSITIVE_SHOWN_AS)
        return merge(self.content.body_text, dict.fromkeys(self.merge_data, str(SECRET_SHOWN_AS)))

    @property
    def headers(self) -> dict[str, str]:
        return {name: self.merged(value) for name, value in self.content.headers.items()}

    @property
    def calendar(self) -> str:
        return self.content.calendar


SECRET_SHOWN_AS = _("[a personal login link, hidden]")
SENSITIVE_SHOWN_AS = _("[hidden: this mail holds a personal link]")


def merge_field(name: str) -> str:
    """The placeholder for merge field `name` in shared content. It looks like a URL so that it
    passes template escaping untouched and can stand in an href."""
    return f"https://__{name}__"


def merge(text: str, merge_data: dict[str, str]) -> str:
    for name, value in merge_data.items():
        text = text.replace(merge_field(name), value)
    return text


class MailContent(models.Model):
    """What the mails of one kind, object and language share, rendered once: a reminder for one
    meeting in German, a newsletter issue in Danish. Each outbox row points at its content and
    holds only its recipient's merge data (`merge_field` placeholders and their values), so a
    newsletter to 100,000 people stores its text once per language. Never changed once made."""

    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("centre")
    )
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    from_email = models.CharField(_("from"), max_length=300)
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(_("headers"), default=dict, blank=True)
    calendar = models.TextField(_("calendar attachment"), blank=True, help_text=_("An .ics file, if any."))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        verbose_name = _("mail content")
        verbose_name_plural = _("mail contents")

    def __str__(self) -> str:
        return f"content #{self.pk}"


class SuppressedAddress(models.Model):
    """An address no mail of the centre goes to any more: hard bounce, complaint or unsubscribe
    reported by the ESP; or a number no text goes to, which the SMS gateway refused for good."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", _("Hard bounce")
        COMPLAINED = "complained", _("Spam complaint")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed at the ESP")
        UNREACHABLE = "unreachable", _("Number refused by the SMS gateway")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    email = models.CharField(_("e-mail address or number"), max_length=254)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [
            models.UniqueConstraint("centre", Lower("email"), name="suppressed_address_once_per_centre"),
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} #{self.pk}"


class WebhookEvent(models.Model):
    """One tracking event from the ESP, kept to ignore redeliveries (unique event id)."""

    esp = models.CharField(_("ESP"), max_length=30)
    event_id = models.CharField(_("event id"), max_length=200)
    event_type = models.CharField(_("event type"), max_length=30)
    message_id = models.CharField(_("ESP message id"), max_length=200, blank=True)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        constraints = [models.UniqueConstraint(fields=["esp", "event_id"], name="webhook_event_once")]

    def __str__(self) -> str:
        return f"{self.esp} {self.event_type} {self.event_id}"


class SendMinute(models.Model):
    """How many mails the workers handed to the ESP in one minute, and how many the ESP (or the
    connection to it) turned away, for the operator's metrics. One row per minute, added to by
    every sending task in one statement; kept a day (`send_minutes_prune`)."""

    minute = models.DateTimeField(_("minute"), unique=True)
    sent = models.PositiveIntegerField(_("sent"), default=0)
    retried = models.PositiveIntegerField(_("to be tried again"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)

    class Meta:
        ordering = ["-minute"]
        verbose_name = _("minute of sending")
        verbose_name_plural = _("minutes of sending")

    def __str__(self) -> str:
        return f"{self.minute:%Y-%m-%d %H:%M}: {self.sent}"


class NewsletterList(models.Model):
    """A newsletter of a centre that people can subscribe to."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    description = models.CharField(_("description"), max_length=300, blank=True)
    is_public = models.BooleanField(_("open for subscription"), default=True)
    volunteering_news = models.BooleanField(
        _("volunteering news"),
        default=False,
        help_text=_("Subscribers opted in to hear about volunteering: recruitment mailings go to this list."),
    )

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["name"]
        verbose_name = _("newsletter")
        verbose_name_plural = _("newsletters")
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="newsletter_unique_name")]

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """A person on a newsletter list. Only `confirmed` subscriptions ever receive an issue."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    newsletter = models.ForeignKey(
        NewsletterList, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("newsletter")
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="subscriptions", verbose_name=_("person"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [models.UniqueConstraint(fields=["newsletter", "person"], name="subscription_once")]
        # Serves the keyset pagination of an issue's recipients (newsletter, status, id > last).
        indexes = [models.Index(fields=["newsletter", "status", "id"], name="subscription_list_status_idx")]

    def __str__(self) -> str:
        return f"subscription #{self.pk}"


class NewsletterIssue(models.Model):
    """One issue of a newsletter, written per language, sent to the confirmed subscribers."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        PAUSED = "paused", _("Paused")
        SENT = "sent", _("Sent")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    newsletter = models.ForeignKey(
        NewsletterList, on_delete=models.CASCADE, related_name="issues", verbose_name=_("newsletter")
    )
    title = models.CharField(_("title"), max_length=200, help_text=_("For the centre's staff only."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    scheduled_at = models.DateTimeField(_("send at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    contents = models.JSONField(
        _("contents"), default=dict, blank=True, help_text=_("The rendered mail per language, once sending starts.")
    )

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")

    def __str__(self) -> str:
        return self.title


class IssueChunk(models.Model):
    """A slice of an issue's subscribers (subscription ids after `after_id` up to `upto_id`),
    fixed when sending starts. One worker task makes the slice's outbox rows and sends them, so
    the workers share an issue; a slice whose task was lost is queued again."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="chunks", verbose_name=_("issue"))
    after_id = models.BigIntegerField(_("after subscription"))
    upto_id = models.BigIntegerField(_("up to subscription"))
    queued_at = models.DateTimeField(_("task queued at"), null=True, blank=True)
    done_at = models.DateTimeField(_("rows made at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["issue", "after_id"]
        verbose_name = _("issue chunk")
        verbose_name_plural = _("issue chunks")

    def __str__(self) -> str:
        return f"chunk #{self.pk}"


class NewsletterIssueText(models.Model):
    """An issue in one language: a subject and a Markdown body."""

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="texts", verbose_name=_("issue"))
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    subject = models.CharField(_("subject"), max_length=200, validators=[validate_single_line])
    body = models.TextField(_("text (Markdown)"))

    class Meta:
        verbose_name = _("issue text")
        verbose_name_plural = _("issue texts")
        constraints = [models.UniqueConstraint(fields=["issue", "language"], name="issue_text_per_language")]

    def __str__(self) -> str:
        return f"{self.issue} ({self.language})"


class MailRequest(models.Model):
    """A request from a public page that may lead to a mail: a password reset, a portal login
    link, a volunteer sign-up, a newsletter subscription. The page stores one row and queues one
    task whatever the address, so its answer takes as long for a known address as for an unknown
    one; the worker decides what to write and send, and deletes the row in the same transaction.
    A row whose task was lost is queued again by the outbox flush, so no such mail is lost."""

    class Kind(models.TextChoices):
        PASSWORD_RESET = "password_reset", _("Password reset")
        PORTAL_LOGIN_LINK = "portal_login_link", _("Portal login link")
        VOLUNTEER_SIGNUP = "volunteer_signup", _("Volunteer sign-up")
        NEWSLETTER_SUBSCRIPTION = "newsletter_subscription", _("Newsletter subscription")

    # No centre for a password reset: the account need not belong to one.
    centre = models.ForeignKey(
        Centre, on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("centre")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    payload = models.JSONField(_("what was asked"), default=dict, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("mail request")
        verbose_name_plural = _("mail requests")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

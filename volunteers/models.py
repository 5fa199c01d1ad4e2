"""Volunteer starters: sign-up, the screening and training pipeline, starter assignments to new
groups, session logs and the self-run checklist. Every row belongs to a centre and is scoped."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from centres.models import Centre, Person
from config.texts import in_language, validate_translations
from meetings.models import OpeningHours


class Volunteer(models.Model):
    """Someone who offered to help new groups start. The pipeline runs
    applicant → screened → trained → active ⇄ paused, and any state → retired."""

    class Status(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        SCREENED = "screened", _("Screened")
        TRAINED = "trained", _("Trained")
        ACTIVE = "active", _("Active")
        PAUSED = "paused", _("Paused")
        RETIRED = "retired", _("Retired")

    # Weekdays are numbered as in a room's opening hours: 0 = Monday … 6 = Sunday.
    Weekday = OpeningHours.Weekday

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="volunteer", verbose_name=_("person"))
    # The portal login. One login serves the same address at several centres; it is never a
    # staff login, so a magic link cannot open the coordinator workspace.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("portal login"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.APPLICANT)
    languages = models.JSONField(_("languages"), default=list, help_text=_('Language codes, e.g. ["de", "en"].'))
    topics = models.ManyToManyField(
        "meetings.Topic", blank=True, related_name="volunteers", verbose_name=_("topics they would start")
    )
    weekdays = models.JSONField(_("weekdays"), default=list, help_text=_("0 = Monday … 6 = Sunday."))
    daytime = models.BooleanField(_("available in the daytime"), default=False)
    evening = models.BooleanField(_("available in the evening"), default=False)
    motivation = models.TextField(_("motivation"), blank=True)
    email_confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)
    screened_on = models.DateField(_("screening conversation on"), null=True, blank=True)
    confidentiality_signed_on = models.DateField(_("confidentiality agreement signed on"), null=True, blank=True)
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        indexes = [models.Index(fields=["centre", "status"], name="volunteer_centre_status_idx")]

    def __str__(self) -> str:
        return f"volunteer #{self.pk}"


class TrainingRecord(models.Model):
    """A course a volunteer completed."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("volunteer")
    )
    course = models.CharField(_("course"), max_length=200)
    completed_on = models.DateField(_("completed on"))

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-completed_on", "-id"]
        verbose_name = _("training record")
        verbose_name_plural = _("training records")

    def __str__(self) -> str:
        return self.course


class StarterAssignment(models.Model):
    """A volunteer starting a group: from `starts_on`, planned for the group's first
    `planned_meetings` meetings, until phase-out ends it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        PHASING_OUT = "phasing_out", _("Phasing out")
        ENDED = "ended", _("Ended")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("volunteer")
    )
    group = models.ForeignKey(
        "meetings.Group", on_delete=models.PROTECT, related_name="starter_assignments", verbose_name=_("group")
    )
    starts_on = models.DateField(_("starts on"))
    planned_meetings = models.PositiveSmallIntegerField(
        _("planned meetings"), validators=[MinValueValidator(1), MaxValueValidator(104)]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    phase_out_plan = models.CharField(
        _("phase-out plan"),
        max_length=300,
        blank=True,
        help_text=_("How the starter withdraws, e.g. attending every other meeting for the last weeks."),
    )
    phase_out_until = models.DateField(_("phased out by"), null=True, blank=True)
    # Starters back with a self-run group in a crisis, for a short spell with its own checklist.
    is_crisis = models.BooleanField(_("crisis spell"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("starter assignment")
        verbose_name_plural = _("starter assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "volunteer"],
                condition=~models.Q(status="ended"),
                name="assignment_once_per_group",
            )
        ]

    def __str__(self) -> str:
        return f"assignment #{self.pk}"


class ChecklistItem(models.Model):
    """One step on a group's way to running itself; each centre keeps its own list."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    text = models.CharField(_("text"), max_length=200)
    text_translations = models.JSONField(
        _("text in other languages"), default=dict, blank=True, validators=[validate_translations]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)
    # Ticking this step in a session log records whom the group chose as its contact person.
    records_contact_person = models.BooleanField(_("records the contact person"), default=False)
    # The checklist of a crisis spell with a self-run group, apart from the self-run checklist.
    for_crisis = models.BooleanField(_("for a crisis spell"), default=False)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("self-run checklist item")
        verbose_name_plural = _("self-run checklist")

    def __str__(self) -> str:
        return self.text

    @property
    def display_text(self) -> str:
        """The step in the visitor's language, or as written."""
        return in_language(self.text, self.text_translations)


class SessionLog(models.Model):
    """A starter's record of one meeting they attended: hours, checklist steps reached, and private
    notes for the coordinator (never members' names)."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    assignment = models.ForeignKey(
        StarterAssignment, on_delete=models.CASCADE, related_name="session_logs", verbose_name=_("assignment")
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="session_logs", verbose_name=_("meeting")
    )
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=2, validators=[MinValueValidator(0.25), MaxValueValidator(12)]
    )
    checklist = models.ManyToManyField(
        ChecklistItem, blank=True, related_name="session_logs", verbose_name=_("checklist steps reached")
    )
    notes = models.TextField(_("private notes"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("session log")
        verbose_name_plural = _("session logs")
        constraints = [models.UniqueConstraint(fields=["assignment", "meeting"], name="session_log_once")]

    def __str__(self) -> str:
        return f"session log #{self.pk}"


class StarterRequest(models.Model):
    """A request to an active volunteer to start a group, answered by signed link. The first
    to accept a free place gets it; the others are told it is filled."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        FILLED = "filled", _("Filled by someone else")
        EXPIRED = "expired", _("Not answered in time")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    group = models.ForeignKey(
        "meetings.Group", on_delete=models.CASCADE, related_name="starter_requests", verbose_name=_("group")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="starter_requests", verbose_name=_("volunteer")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("starter request")
        verbose_name_plural = _("starter requests")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "volunteer"], condition=models.Q(status="pending"), name="starter_request_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"starter request #{self.pk}"


class RecruitmentNeed(models.Model):
    """Where the centre lacks starters: a forming or starting group with a free starter place, or
    an offered topic or a language of the centre's groups that no active volunteer covers. The
    daily recruitment job raises and resolves needs; open group needs get direct requests, and
    coordinators turn the others into recruitment mailings."""

    class Kind(models.TextChoices):
        GROUP = "group", _("A group needs a starter")
        TOPIC = "topic", _("No active volunteer for a topic")
        LANGUAGE = "language", _("No active volunteer for a language")

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="+", verbose_name=_("centre"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # What the need is about, as one value: "group:12", "topic:3", "language:da".
    key = models.CharField(_("key"), max_length=40)
    group = models.ForeignKey(
        "meetings.Group", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("group")
    )
    topic = models.ForeignKey(
        "meetings.Topic", on_delete=models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("topic")
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    requests_sent_at = models.DateTimeField(_("last requests sent at"), null=True, blank=True)

    objects = ScopedManager(centre="centre")

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("recruitment need")
        verbose_name_plural = _("recruitment needs")
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "key"],
                condition=models.Q(resolved_at__isnull=True),
                name="recruitment_need_open_once",
            )
        ]

    def __str__(self) -> str:
        return f"recruitment need #{self.pk}"

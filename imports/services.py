"""Importing one file: map its columns to a kind's fields, then write every row through the
kind's services inside one transaction. A dry run rolls the transaction back and reports per row
what would be created, changed, left unchanged or refused and why; applying keeps it only when
no row is refused, so a file goes in whole or not at all. Rows are written in order, so a room
row may use the location an earlier row made, in a dry run as when applying."""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from centres.models import Centre
from config.errors import DomainError
from imports.kinds import KINDS, Kind
from imports.models import ImportMapping, ImportUpload
from imports.reading import Sheet, sheet_read
from imports.rows import Context, RowRefusedError

EXAMPLES = Path(__file__).resolve().parent / "examples"
# The order a centre's files go in: each kind may name records of the kinds before it.
ORDER = ("topics", "rooms", "groups", "series", "members", "volunteers", "subscribers")


class MappingRefusedError(ValueError):
    """The columns do not make a file of this kind; the message says what is missing."""


@dataclass
class RowResult:
    number: int  # as the spreadsheet numbers it: the headings are row 1
    outcome: str  # created, changed, unchanged or refused
    label: str
    reason: str = ""


@dataclass
class Report:
    kind: Kind
    applied: bool
    rows: list[RowResult] = field(default_factory=list)

    @property
    def counts(self) -> Counter[str]:
        return Counter(row.outcome for row in self.rows)

    @property
    def refused(self) -> list[RowResult]:
        return [row for row in self.rows if row.outcome == "refused"]


class _RollBackError(Exception):
    pass


def mapping_guess(centre: Centre, kind: Kind, headings: list[str]) -> dict[str, str]:
    """Each heading to a field: as this centre mapped it last time, else by the headings the kind
    knows in four languages; "" for a column to leave out."""
    remembered = ImportMapping.objects.filter(centre=centre, kind=kind.key).first()
    known = remembered.columns if remembered else {}
    guess = {}
    for heading in headings:
        key = heading.strip().lower()
        if key in known:
            guess[heading] = known[key]
            continue
        guess[heading] = next((column.key for column in kind.columns if key in column.headings), "")
    return guess


def mapping_check(kind: Kind, mapping: dict[str, str]) -> None:
    chosen = [key for key in mapping.values() if key]
    unknown = sorted(set(chosen) - {column.key for column in kind.columns})
    if unknown:
        raise MappingRefusedError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(unknown)})
    twice = sorted(key for key, count in Counter(chosen).items() if count > 1)
    if twice:
        raise MappingRefusedError(
            _("Each field takes one column; given twice: %(fields)s.") % {"fields": ", ".join(twice)}
        )
    missing = [str(column.label) for column in kind.columns if column.required and column.key not in chosen]
    if missing:
        raise MappingRefusedError(_("These columns are needed: %(fields)s.") % {"fields": ", ".join(missing)})


def mapping_remember(centre: Centre, kind: Kind, mapping: dict[str, str]) -> None:
    """After an import: the headings that were mapped to a field. A file without a heading row
    has a person's details where its headings should be; an address is never kept as one."""
    columns = {heading.strip().lower(): key for heading, key in mapping.items() if key and "@" not in heading}
    ImportMapping.objects.update_or_create(centre=centre, kind=kind.key, defaults={"columns": columns})


def _reason(problem: Exception) -> str:
    if isinstance(problem, ValidationError):
        return " ".join(problem.messages)
    if isinstance(problem, DomainError | RowRefusedError):
        return problem.message if isinstance(problem, DomainError) else str(problem)
    if isinstance(problem, IntegrityError):
        return _("This row clashes with a record written meanwhile: check the file again.")
    return _("This row could not be read: check its values.")


def import_run(
    *,
    centre: Centre,
    actor: AbstractBaseUser | None,
    kind_key: str,
    sheet: Sheet,
    mapping: dict[str, str],
    apply: bool,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Run the file as a dry run (`apply=False`) or for real. Applying writes nothing unless
    every row can be written. The mapping is remembered for the centre's next file."""
    kind = KINDS[kind_key]
    mapping_check(kind, mapping)
    positions = {key: sheet.headings.index(heading) for heading, key in mapping.items() if key}
    headings = {key: heading for heading, key in mapping.items() if key}
    report = Report(kind=kind, applied=False)
    context = Context(centre=centre, actor=actor)
    try:
        with transaction.atomic():
            for index, cells in enumerate(sheet.rows):
                row = {key: cells[position] for key, position in positions.items()}
                report.rows.append(_one_row(kind, context, row, number=index + 2, headings=headings))
                if progress is not None:
                    progress(index + 1, len(sheet.rows))
            if not apply or report.refused:
                raise _RollBackError
            mapping_remember(centre, kind, mapping)
            report.applied = True
    except _RollBackError:
        pass
    return report


def _one_row(kind: Kind, context: Context, row: dict[str, str], *, number: int, headings: dict[str, str]) -> RowResult:
    label = kind.describe(row)
    try:
        with transaction.atomic():  # a refused row leaves nothing behind, the others go on
            outcome = kind.write(context, row)
    except (RowRefusedError, DomainError, ValidationError, ValueError, OverflowError, IntegrityError) as problem:
        # ValueError and OverflowError: a value a service could not take (a date too far ahead
        # for a rule); IntegrityError: a record written by someone else meanwhile.
        reason = _reason(problem)
        key, colon, rest = reason.partition(": ")
        if colon and key in headings:  # the column as the file calls it
            reason = f"{headings[key]}: {rest}"
        return RowResult(number, "refused", label, reason)
    return RowResult(number, outcome, label)


# Files longer than this are checked and imported by a worker, the page showing how far it is.
SYNC_ROWS = 300
SHOWN_ROWS = 200  # of a report: the refused rows first, then the others up to this many
PROGRESS_EVERY = 100


def progress_key(upload_id: int) -> str:
    return f"imports:progress:{upload_id}"


def report_stored(report: Report) -> dict[str, Any]:
    """What the page shows of a worker's run: counts and the rows it lists (refused first)."""
    refused = report.refused
    shown = (refused + [row for row in report.rows if row.outcome != "refused"])[:SHOWN_ROWS]
    return {
        "applied": report.applied,
        "total": len(report.rows),
        "counts": dict(report.counts),
        "rows": [[row.number, row.outcome, row.label, row.reason] for row in shown],
    }


class UploadBusyError(ValueError):
    """The file is being checked or imported already (a second click, a second tab)."""


BUSY = ("queued", "running")
# A check or import that has not finished after this long died with its worker: start again.
STALE_AFTER = 15 * 60


def upload_claim(upload: ImportUpload, *, state: str, by: Any) -> None:
    """Mark the file as being worked on, unless it is already: one run at a time."""
    claimed = (
        ImportUpload.objects.filter(pk=upload.pk)
        .exclude(state__in=BUSY)
        .update(state=state, state_changed_at=timezone.now(), run_by=by, result=None)
    )
    if not claimed:
        raise UploadBusyError(_("This file is being checked or imported already; wait for the result."))


def upload_release(upload: ImportUpload) -> None:
    ImportUpload.objects.filter(pk=upload.pk).update(state="", state_changed_at=timezone.now())


def upload_stale(upload: ImportUpload) -> bool:
    """A run that has not moved for STALE_AFTER: its worker died, and nothing of it was written."""
    if upload.state not in BUSY or upload.state_changed_at is None:
        return False
    return (timezone.now() - upload.state_changed_at).total_seconds() > STALE_AFTER


def upload_queue(upload: ImportUpload, *, mapping: dict[str, str], apply: bool, by: Any) -> None:
    """Hand a large file to a worker (after this transaction commits)."""
    from imports.tasks import run_upload

    mapping_check(KINDS[upload.kind], mapping)
    upload_claim(upload, state="queued", by=by)
    ImportUpload.objects.filter(pk=upload.pk).update(mapping=mapping, action="apply" if apply else "check")
    cache.delete(progress_key(upload.pk))
    transaction.on_commit(lambda: run_upload.delay(upload.pk))


def upload_run(upload: ImportUpload) -> None:
    """A worker's run of a queued file: progress in the cache every PROGRESS_EVERY rows (the
    import's own transaction hides it from the database until the end), the outcome on the row.
    An imported file keeps no content. A run that fails writes nothing and says so."""
    if not ImportUpload.objects.filter(pk=upload.pk, state="queued").update(
        state="running", state_changed_at=timezone.now()
    ):
        return  # taken by another delivery of the task, or given up as stale

    def progress(done: int, total: int) -> None:
        if done % PROGRESS_EVERY == 0 or done == total:
            cache.set(progress_key(upload.pk), [done, total], 3600)

    try:
        report = import_run(
            centre=upload.centre,
            actor=upload.run_by,
            kind_key=upload.kind,
            sheet=sheet_read(bytes(upload.content), upload.filename),
            mapping=upload.mapping,
            apply=upload.action == "apply",
            progress=progress,
        )
    except Exception:
        ImportUpload.objects.filter(pk=upload.pk).update(
            state="", state_changed_at=timezone.now(), result={"error": "failed"}
        )
        raise
    outcome: dict[str, Any] = {"state": "done", "state_changed_at": timezone.now(), "result": report_stored(report)}
    if report.applied:
        outcome["content"] = b""
    ImportUpload.objects.filter(pk=upload.pk).update(**outcome)

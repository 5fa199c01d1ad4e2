"""The centre admin's import pages: choose what the file holds and upload it; check how its
columns are read; see per row what a dry run would do (and why a row is refused); then apply it,
whole or not at all. The example files of each kind, in the four languages' headings, are one
click away. Coordinators see the pages as not theirs (403); everyone else gets 404."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from centres.models import Centre
from centres.selectors import admin_centre_or_403
from config.api import signed_in_user
from imports.kinds import KINDS, Kind
from imports.models import ImportUpload
from imports.reading import MAX_BYTES, UnreadableFileError, sheet_read
from imports.services import (
    EXAMPLES,
    ORDER,
    SYNC_ROWS,
    MappingRefusedError,
    RowResult,
    UploadBusyError,
    import_run,
    mapping_check,
    mapping_guess,
    progress_key,
    report_stored,
    upload_claim,
    upload_queue,
    upload_release,
    upload_stale,
)

EXAMPLE_LANGUAGES = ("en", "de", "da", "nl")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("The file holds"))
    file = forms.FileField(label=gettext_lazy("File (CSV or XLSX)"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(key, KINDS[key].label) for key in ORDER]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB; split it into several."))
        return upload


class MappingForm(forms.Form):
    """One choice per column of the file: which field it fills, or none."""

    def __init__(self, *args: Any, kind: Kind, headings: list[str], initial_mapping: dict[str, str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [("", _("(leave out)")), *((column.key, column.label) for column in kind.columns)]
        self.headings = headings
        for index, heading in enumerate(headings):
            self.fields[f"column_{index}"] = forms.ChoiceField(
                label=heading or _("Column %(number)s") % {"number": index + 1},
                choices=choices,
                required=False,
                initial=initial_mapping.get(heading, ""),
            )

    def mapping(self) -> dict[str, str]:
        return {heading: self.cleaned_data[f"column_{index}"] for index, heading in enumerate(self.headings)}


@login_required
def import_start(request: HttpRequest, slug: str) -> HttpResponse:
    """What can be imported, the example files, and the upload."""
    centre = admin_centre_or_403(user=request.user, slug=slug)
    form = UploadForm(request.POST or None, request.FILES or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        try:
            sheet_read(content, form.cleaned_data["file"].name)
        except UnreadableFileError as problem:
            error = str(problem)
        else:
            user = signed_in_user(request)
            ImportUpload.objects.filter(centre=centre, uploaded_by=user).delete()  # one file in hand at a time
            upload = ImportUpload.objects.create(
                centre=centre,
                kind=form.cleaned_data["kind"],
                filename=form.cleaned_data["file"].name[:200],
                content=content,
                uploaded_by=user,
            )
            return redirect(reverse("workspace-import-upload", args=[slug, upload.pk]))
    context = {
        "centre": centre,
        "form": form,
        "error": error,
        "kinds": [KINDS[key] for key in ORDER],
        "example_languages": EXAMPLE_LANGUAGES,
    }
    return render(request, "imports/start.html", context, status=400 if request.method == "POST" else 200)


@require_safe
@login_required
def import_example(request: HttpRequest, slug: str, language: str, kind: str) -> FileResponse:
    admin_centre_or_403(user=request.user, slug=slug)
    if language not in EXAMPLE_LANGUAGES or kind not in KINDS:
        raise Http404
    path = EXAMPLES / language / f"{kind}.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"{kind}-{language}.csv")


def _upload_or_404(centre: Centre, pk: int) -> ImportUpload:
    upload = ImportUpload.objects.filter(centre=centre, pk=pk).first()
    if upload is None:
        raise Http404
    return upload


@login_required
def import_upload(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The file's columns, read as this centre's files were before; "Check" runs a dry run,
    "Import" applies it (and only when the check found nothing to refuse). A file of more than
    SYNC_ROWS rows goes to a worker: the page then shows how far it is, and its outcome."""
    centre = admin_centre_or_403(user=request.user, slug=slug)
    upload = _upload_or_404(centre, pk)
    result = upload.result or {}
    if upload.state == "done" and result.get("applied"):
        messages.success(request, _summary(KINDS[upload.kind], result["counts"], applied=True))
        upload.delete()
        return redirect(reverse("workspace-import", args=[slug]))
    kind = KINDS[upload.kind]
    sheet = sheet_read(bytes(upload.content), upload.filename)
    error = _given_up(upload)
    working = request.method != "POST" and upload.state in ("queued", "running")
    form = MappingForm(
        request.POST or None,
        kind=kind,
        headings=sheet.headings,
        initial_mapping=upload.mapping or mapping_guess(centre, kind, sheet.headings),
    )
    context: dict[str, Any] = {
        "centre": centre,
        "upload": upload,
        "kind": kind,
        "form": form,
        "sheet": sheet,
        "error": error,
    }
    context["preview"] = sheet.rows[:3]
    if working:
        done, total = cache.get(progress_key(upload.pk)) or (0, len(sheet.rows))
        context.update(working=True, done=done, total=total)
        return render(request, "imports/upload.html", context)
    if request.method != "POST":
        if upload.state == "done" and upload.result:
            context.update(_stored_outcome(kind, upload.result))
            return render(request, "imports/upload.html", context, status=400 if context["has_refused"] else 200)
        return render(request, "imports/upload.html", context)
    if not form.is_valid():
        return render(request, "imports/upload.html", context, status=400)
    apply = request.POST.get("action") == "apply"
    user = signed_in_user(request)
    try:
        if len(sheet.rows) > SYNC_ROWS:
            upload_queue(upload, mapping=form.mapping(), apply=apply, by=user)
            return redirect(reverse("workspace-import-upload", args=[slug, upload.pk]))
        report = _run_here(upload, user, kind, sheet, form.mapping(), apply=apply)
    except MappingRefusedError as problem:
        context["error"] = str(problem)
        return render(request, "imports/upload.html", context, status=400)
    except UploadBusyError as problem:
        context["error"] = str(problem)
        return render(request, "imports/upload.html", context, status=409)
    if report.applied:
        upload.delete()
        messages.success(request, _summary(kind, report.counts, applied=True))
        return redirect(reverse("workspace-import", args=[slug]))
    context.update(_stored_outcome(kind, report_stored(report)))
    return render(request, "imports/upload.html", context, status=400 if report.refused else 200)


def _given_up(upload: ImportUpload) -> str:
    """A run whose worker died (or failed) is let go, and the page says so; else ""."""
    if not (upload_stale(upload) or (upload.result or {}).get("error")):
        return ""
    upload_release(upload)
    upload.state, upload.result = "", None
    ImportUpload.objects.filter(pk=upload.pk).update(result=None)
    return _("The check or import stopped before its end; nothing of it was written. Start it again.")


def _run_here(upload: ImportUpload, user: Any, kind: Kind, sheet: Any, mapping: dict[str, str], *, apply: bool) -> Any:
    """A small file, checked or imported in the request; one run of a file at a time."""
    mapping_check(kind, mapping)
    upload_claim(upload, state="running", by=user)
    try:
        return import_run(
            centre=upload.centre, actor=user, kind_key=kind.key, sheet=sheet, mapping=mapping, apply=apply
        )
    finally:
        upload_release(upload)


def _stored_outcome(kind: Kind, result: dict[str, Any]) -> dict[str, Any]:
    shown = [RowResult(*row) for row in result["rows"]]
    counts = result["counts"]
    return {
        "outcome": True,
        "has_refused": bool(counts.get("refused")),
        "shown": shown,
        "total_rows": result["total"],
        "summary": _summary(kind, counts, applied=False),
    }


def _summary(kind: Kind, counts: dict[str, int], *, applied: bool) -> str:
    values = {name: counts.get(name, 0) for name in ("created", "changed", "unchanged", "refused")}
    if applied and not (values["created"] or values["changed"]):
        return _("Imported %(file)s: nothing changed; all %(unchanged)s rows were there already.") % {
            "file": kind.label,
            **values,
        }
    if applied:
        return _("Imported %(file)s: %(created)s created, %(changed)s changed, %(unchanged)s unchanged.") % {
            "file": kind.label,
            **values,
        }
    return (
        _(
            "Checked, nothing written: %(created)s would be created, %(changed)s changed, %(unchanged)s unchanged, "
            "%(refused)s refused."
        )
        % values
    )

"""`manage.py import_spreadsheet --centre <slug> --kind <kind> FILE [--apply]`: a dry run by
default (what each row would do, and why a row is refused), the import with --apply. The columns
are mapped as the centre's last file of that kind was, else by their headings in English, German,
Danish or Dutch. Exit status 1 when a row is refused or the file cannot be read; nothing is
written then."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from centres.models import Centre
from centres.scoping import all_centres_scope, centre_scope
from imports.kinds import KINDS
from imports.reading import UnreadableFileError, sheet_read
from imports.services import MappingRefusedError, import_run, mapping_guess


class Command(BaseCommand):
    help = "Import a CSV or XLSX file of one kind into a centre (a dry run unless --apply)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--centre", required=True, help="the centre's slug")
        parser.add_argument("--kind", required=True, choices=sorted(KINDS))
        parser.add_argument("--apply", action="store_true", help="write the rows (default: a dry run)")

    def handle(self, *args: Any, **options: Any) -> None:
        with all_centres_scope():
            centre = Centre.objects.filter(slug=options["centre"]).first()
        if centre is None:
            raise CommandError(f"No centre with the slug {options['centre']!r}.")
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        kind = KINDS[options["kind"]]
        with translation.override(centre.default_language), centre_scope(centre.pk):
            try:
                sheet = sheet_read(content, path.name)
                mapping = mapping_guess(centre, kind, sheet.headings)
                report = import_run(
                    centre=centre,
                    actor=None,
                    kind_key=kind.key,
                    sheet=sheet,
                    mapping=mapping,
                    apply=options["apply"],
                    progress=self._progress,
                )
            except (UnreadableFileError, MappingRefusedError) as problem:
                raise CommandError(str(problem)) from problem
            self._print(report, mapping)
        if report.refused:
            raise CommandError(f"{len(report.refused)} row(s) refused: nothing was written.")

    def _progress(self, done: int, total: int) -> None:
        if total >= 1000 and (done % 1000 == 0 or done == total):
            sys.stderr.write(f"\r{done:,} of {total:,} rows")
            if done == total:
                sys.stderr.write("\n")

    def _print(self, report: Any, mapping: dict[str, str]) -> None:
        used = ", ".join(f"{heading} → {key}" for heading, key in mapping.items() if key) or "none"
        self.stdout.write(f"Columns: {used}")
        # Row numbers only, never what a row holds: a container's output is its log, and a
        # member's row names a person and their group.
        for row in report.rows:
            reason = f": {row.reason}" if row.reason else ""
            self.stdout.write(f"row {row.number}: {row.outcome}{reason}")
        counts = report.counts
        summary = ", ".join(f"{counts[name]} {name}" for name in ("created", "changed", "unchanged", "refused"))
        state = "applied" if report.applied else "dry run, nothing written"
        self.stdout.write(f"{summary} ({state})")

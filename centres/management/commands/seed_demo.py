"""Create (or refresh) the demo data set: two centres, their staff, people and consents.

Idempotent: running it again changes nothing but resets the demo passwords. Later features add
their demo data with `centres.demo.demo_step_register` in their `AppConfig.ready`.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from centres import demo


class Command(BaseCommand):
    help = "Create or refresh the demo centres, logins and people (for development and demos only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. The demo logins have published passwords: never on a live system.",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates logins with published passwords and runs only with DEBUG on. "
                "Use --force if this really is a throw-away installation."
            )
        summary = demo.seed()
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        for step, counts in summary.items():
            self.stdout.write(f"  {step}: " + ", ".join(f"{count} {name}" for name, count in counts.items()))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {demo.DEMO_PASSWORD}):")
        width = max(len(username) for username, _description in demo.DEMO_LOGINS)
        for username, description in demo.DEMO_LOGINS:
            self.stdout.write(f"  {username:<{width}}  {description}")
        links = demo.demo_links()
        if links:
            self.stdout.write("")
            self.stdout.write("Demo pages without a password (as their mails carry them):")
            for description, url in links:
                self.stdout.write(f"  {description}: {url}")

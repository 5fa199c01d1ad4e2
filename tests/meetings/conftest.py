"""The meetings fixtures (room_a, group_a, frozen_now, weekly_series, ...) live in tests/conftest.py."""

from tests.meetings.member_mail import fake_esp, fake_postmark, members  # noqa: F401 (fixtures of the member mail tests)

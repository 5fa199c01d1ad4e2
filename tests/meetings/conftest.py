"""The meetings fixtures (room_a, group_a, frozen_now, weekly_series, ...) live in tests/conftest.py."""

from tests.notifications.conftest import fake_postmark  # noqa: F401 (erasure stops mail the fake ESP would take)

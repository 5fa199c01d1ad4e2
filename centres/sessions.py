"""The session engine: Django's database sessions, each row labelled with its user's id
(`centres.models.UserSession`), so that ending every session of one user is one query."""

from typing import TYPE_CHECKING, Any

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DBStore

if TYPE_CHECKING:
    from centres.models import UserSession

    _DBStore = DBStore[UserSession]
else:
    _DBStore = DBStore


class SessionStore(_DBStore):
    @classmethod
    def get_model_class(cls) -> "type[UserSession]":
        from centres.models import UserSession

        return UserSession

    def create_model_instance(self, data: dict[str, Any]) -> "UserSession":
        session = super().create_model_instance(data)
        user_id = data.get(SESSION_KEY)
        try:
            session.user_id = None if user_id is None else int(user_id)
        except (TypeError, ValueError):
            session.user_id = None
        return session

"""Writes of centres, staff roles, people and consents: one module per noun.

Each service owns its transaction and writes an audit log entry that names the object, never its
personal content."""

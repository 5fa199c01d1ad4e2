"""Centres: the tenants and what every other app stands on — staff roles and accounts, people,
consents, the audit log, tenant scoping, privacy (export, erasure) and retention, the workspace's
dashboard frame. Second from the bottom (config < centres < notifications < meetings < volunteers
< intake): it imports only config. Higher apps take part in erasure, retention, the dashboard and
consent withdrawal by registering in their `AppConfig.ready` (README, Architecture)."""

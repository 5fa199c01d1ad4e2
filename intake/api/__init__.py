"""intake's REST API under /api/v1/: `views` (endpoints), `serializers` (shapes), `filters`, `urls`."""

"""Wall-clock times a time zone skips (the clocks go forward) or has twice (they go back).

A local date and time typed anywhere (API, forms, the admin, filters, a series' start time) names
one instant only if the zone has it exactly once; otherwise it is refused with a message naming
the daylight-saving change, never moved silently by an hour or left to fail in the database."""

from datetime import UTC, datetime, tzinfo

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def local_time_problem(moment: datetime, zone: tzinfo) -> str | None:
    """Why the naive local `moment` is not one instant in `zone` (the message), or None."""
    earlier, later = moment.replace(tzinfo=zone, fold=0), moment.replace(tzinfo=zone, fold=1)
    if earlier.utcoffset() == later.utcoffset():
        return None
    values = {"moment": f"{moment:%Y-%m-%d %H:%M}", "zone": str(zone)}
    if earlier.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != moment:
        return (
            _(
                "%(moment)s does not exist in the time zone %(zone)s: the clocks go forward over that time "
                "(daylight saving time begins). Choose another time."
            )
            % values
        )
    return (
        _(
            "%(moment)s happens twice in the time zone %(zone)s: the clocks go back over that time "
            "(daylight saving time ends). Give the time with its UTC offset, or choose another time."
        )
        % values
    )


def check_local_time(moment: datetime, zone: tzinfo) -> None:
    """Raise a ValidationError naming the gap or fold if the naive `moment` is not one instant."""
    problem = local_time_problem(moment, zone)
    if problem:
        raise ValidationError(problem, code="local_time_not_unique")

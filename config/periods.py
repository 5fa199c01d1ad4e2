"""The period a report covers: a year, a quarter or any days, in a centre's time zone, with its
months and the same days a year earlier (the line for the year before)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from config.dates import check_report_period


@dataclass(frozen=True)
class Period:
    """From `start` to `end`, both days included, read in `zone`."""

    start: date
    end: date
    zone: ZoneInfo

    def __post_init__(self) -> None:
        check_report_period(self.start, self.end)

    @classmethod
    def year(cls, year: int, zone: ZoneInfo) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31), zone)

    @classmethod
    def quarter(cls, year: int, quarter: int, zone: ZoneInfo) -> "Period":
        first = date(year, 3 * (quarter - 1) + 1, 1)
        return cls(first, first + relativedelta(months=3) - timedelta(days=1), zone)

    @property
    def since(self) -> datetime:
        """The first moment of the period."""
        return datetime.combine(self.start, time.min, tzinfo=self.zone)

    @property
    def until(self) -> datetime:
        """The first moment after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=self.zone)

    @property
    def months(self) -> list[str]:
        """The months the period touches, as "YYYY-MM"."""
        months, first = [], self.start.replace(day=1)
        while first <= self.end:
            months.append(f"{first:%Y-%m}")
            first += relativedelta(months=1)
        return months

    def year_before(self) -> "Period":
        """The same days a year earlier."""
        return Period(self.start - relativedelta(years=1), self.end - relativedelta(years=1), self.zone)

    def query(self) -> str:
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"

"""The moderation pages' date filters (the 전체 queue and both audit logs): one parser.

A day is a YYYY-MM-DD date in ``DISPLAY_TIMEZONE`` (the moderators' day). Only days from
FIRST_DAY to LAST_DAY are taken: at the ends of the calendar, the start of a day in
another zone, or the day after, is not a date Python can represent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask import flash
from flask_babel import gettext as _

from . import i18n

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(9998, 12, 31)


def day_bounds(text: str) -> tuple[datetime, datetime] | None:
    """The moments a YYYY-MM-DD day starts and the next one starts, in DISPLAY_TIMEZONE;
    None for text that is not a day from FIRST_DAY to LAST_DAY."""
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        return None
    if not FIRST_DAY <= day <= LAST_DAY:
        return None
    zone = i18n.display_zone()
    start = datetime.combine(day, time(), tzinfo=zone)
    return start, datetime.combine(day + timedelta(days=1), time(), tzinfo=zone)


@dataclass(frozen=True)
class DateRange:
    """The days a list is limited to: the texts as the form shows them, and the moments.

    ``start`` is the first moment of ``date_from``, ``end`` the first moment after
    ``date_to``; blank texts and None mean no limit on that side. ``refused``: a text
    was given that is not a day in range, and was dropped.
    """

    date_from: str = ""
    date_to: str = ""
    start: datetime | None = None
    end: datetime | None = None
    refused: bool = False

    @classmethod
    def from_texts(cls, date_from: str, date_to: str) -> DateRange:
        """The range two texts give, dropping either that is not a day in range."""
        first, last = day_bounds(date_from), day_bounds(date_to)
        return cls(
            date_from=date_from if first else "",
            date_to=date_to if last else "",
            start=first[0] if first else None,
            end=last[1] if last else None,
            refused=bool((date_from and not first) or (date_to and not last)),
        )

    @classmethod
    def from_args(cls, args) -> DateRange:
        """The range of a query string's date_from and date_to."""
        return cls.from_texts(*((args.get(n) or "").strip() for n in ("date_from", "date_to")))


def from_request(args) -> DateRange:
    """The date range of a page's query string; when a date was dropped, the page says so."""
    dates = DateRange.from_args(args)
    if dates.refused:
        flash(
            _(
                "올바르지 않은 날짜는 빼고 보여 드립니다 (고를 수 있는 날짜: %(first)s~%(last)s).",
                first=FIRST_DAY.isoformat(),
                last=LAST_DAY.isoformat(),
            ),
            "error",
        )
    return dates

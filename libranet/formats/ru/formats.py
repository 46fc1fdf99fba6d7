"""Russian dates: «6 декабря 2026 г.» long, «06.12.2026» short, times on the 24-hour clock.

One format per language for every page (``|date``, ``|date:"SHORT_DATE_FORMAT"``...); the
rest (numbers, first day of the week) stays Django's."""

DATE_FORMAT = "j E Y г."
SHORT_DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "j E Y г., H:i"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j E"
YEAR_MONTH_FORMAT = "F Y"

"""English dates: "6 December 2026" long, "06/12/2026" short (day first, as in Russian, so that
a date reads the same way in both languages), times on the 24-hour clock.

One format per language for every page (``|date``, ``|date:"SHORT_DATE_FORMAT"``...); the
rest (numbers, first day of the week) stays Django's."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"

"""Publication dates as authors write them, read by dateutil with the precision they have."""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import subprocess
from pathlib import Path
from typing import Any

from galleys.errors import UsageError
from galleys.model import PublicationDate

# What a date may be written as, for messages (the README lists the same forms).
ACCEPTED_FORMS = (
    "13 August 2017, 18. December 2020, 24 Sep 2020, August 13, 2017, 2017-08-13, 2017-8-13, "
    "2017-08, August 2017, 2017, 2017-08-13T10:00:00Z, today, now, last-modified"
)
# Quarto's words for "the date of this file", resolved reproducibly (see moment_of).
MOMENT_WORDS = ("today", "now", "last-modified")
GIT_TIMEOUT_SECONDS = 5
_WORD = re.compile(r"[^\W\d_]+")
_YEAR_FIRST = re.compile(r"^\s*\d{4}\b")
# Two defaults differing in every field: a field both parses agree on was written.
_DEFAULTS = (dt.datetime(2000, 1, 1), dt.datetime(2001, 2, 2))


class UnreadableDate(ValueError):
    """A date value that is not a date (a placeholder, an ambiguous or impossible date)."""


def publication_date(value: Any, article: Path) -> PublicationDate:
    """The date a YAML `date:` value means; `article` is the file a `today` belongs to.

    Raises UnreadableDate with a message that lists the accepted forms.
    """
    if isinstance(value, dt.datetime):
        return _day(value.date())
    if isinstance(value, dt.date):
        return _day(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9999:
        return PublicationDate(value)
    if not isinstance(value, str) or not value.strip():
        raise UnreadableDate(f"{value!r} is not a date; write it as one of: {ACCEPTED_FORMS}")
    text = value.strip()
    if text.lower().removeprefix("\\") in MOMENT_WORDS:  # LaTeX-minded JOSS papers: \today
        return _day(moment_of(article))
    return _parsed(text)


def _parsed(text: str) -> PublicationDate:
    """`text` read by dateutil: every word a date word, each field present in the text kept."""
    from dateutil import parser as dateutil_parser  # ~30 ms, and ISO dates never need it

    def refuse(why: str) -> UnreadableDate:
        return UnreadableDate(f"{text!r} {why}; write it as one of: {ACCEPTED_FORMS}")

    strangers = [w for w in _WORD.findall(text) if not _date_word(w)]
    if strangers:
        raise refuse(f"is not a date ({strangers[0]!r} is not a month, a day or a date word)")
    year_first = bool(_YEAR_FIRST.match(text))  # 2017-08-09: ISO order, never ambiguous
    readings = []
    for dayfirst in (False,) if year_first else (False, True):
        try:
            readings.append(
                [
                    dateutil_parser.parse(
                        text, default=default, dayfirst=dayfirst, yearfirst=year_first
                    )
                    for default in _DEFAULTS
                ]
            )
        except (ValueError, OverflowError) as exc:
            raise refuse(f"is not a date ({str(exc).split(':')[0]})") from None
    if any(reading != readings[0] for reading in readings):  # 08/09/2020
        raise refuse("is ambiguous (day or month first?)")
    first, second = readings[0]
    if first.year != second.year:
        raise refuse("has no year")
    month = first.month if first.month == second.month else None
    day = first.day if first.day == second.day else None
    if month is None and day is not None:
        raise refuse("has a day but no month")
    return PublicationDate(first.year, month, day if month is not None else None)


def _date_word(word: str) -> bool:
    """A month or weekday name, an ordinal suffix, a filler ("of"), T, Z, UTC, am/pm."""
    info = _parser_info()
    return (
        info.month(word) is not None
        or info.weekday(word) is not None
        or info.jump(word)
        or info.utczone(word)
        or info.ampm(word) is not None
    )


@functools.cache
def _parser_info():
    from dateutil import parser as dateutil_parser

    return dateutil_parser.parserinfo()


def _day(date: dt.date) -> PublicationDate:
    return PublicationDate(date.year, date.month, date.day)


def moment_of(article: Path) -> dt.date:
    """The day Quarto's `today`/`now`/`last-modified` means, reproducibly: SOURCE_DATE_EPOCH
    when set, else the day of the article's last git commit when git tracks it, else the day
    of the file's modification time (UTC)."""
    epoch = environment_epoch()
    if epoch is not None:
        return dt.datetime.fromtimestamp(epoch, dt.UTC).date()
    committed = _last_commit(article)
    if committed is not None:
        return committed
    return dt.datetime.fromtimestamp(article.stat().st_mtime, dt.UTC).date()


def environment_epoch() -> int | None:
    """SOURCE_DATE_EPOCH from the environment, if set."""
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise UsageError(f"SOURCE_DATE_EPOCH={value!r} is not a whole number") from None


def _last_commit(article: Path) -> dt.date | None:
    """The date (in its own offset) of the last commit that touched `article`, if any."""
    try:
        result = subprocess.run(
            # a repository's own config runs no program here: no fsmonitor, no gpg
            ["git", "-c", "core.fsmonitor=false", "-c", "log.showSignature=false", "log", "-1",
             "--no-show-signature", "--format=%cI", "--", article.name],
            cwd=article.parent,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
            env={**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"},
        )
    except (OSError, subprocess.SubprocessError):
        return None  # no git, or it hung
    stamp = result.stdout.strip()
    if result.returncode != 0 or not stamp:
        return None  # not a repository, or the file is not tracked
    try:
        return dt.datetime.fromisoformat(stamp).date()
    except ValueError:
        return None

"""Schemathesis hooks for .ci/openapi.sh: what the OpenAPI document of
`rates` cannot say.

A schema describes each parameter alone; none can say that `/rates` wants
`date_from` on or before `date_to`, at most `max_range_days` (366) apart.
Without this hook almost every generated range breaks one of the two rules
and is rightly rejected, and the run tests nothing but that rejection. The
hook puts each generated pair in order and shortens it to the limit; every
other value is left as generated (the codes come from the document's enum
of the loaded data).
"""

from datetime import date, timedelta

import schemathesis

# The server's default --max-range-days.
MAX_RANGE_DAYS = 366


def fit_range(query):
    """`query` with its dates in order and at most MAX_RANGE_DAYS apart;
    unchanged when either date is missing or not a date (the server's to
    judge)."""
    try:
        first = date.fromisoformat(query["date_from"])
        last = date.fromisoformat(query["date_to"])
    except (KeyError, TypeError, ValueError):
        return query
    if first > last:
        first, last = last, first
    if (last - first).days >= MAX_RANGE_DAYS:
        last = first + timedelta(days=MAX_RANGE_DAYS - 1)
    return {**query, "date_from": first.isoformat(), "date_to": last.isoformat()}


@schemathesis.hook
def map_query(context, query):
    operation = getattr(context, "operation", None)
    if query and operation is not None and operation.path == "/rates":
        return fit_range(query)
    return query

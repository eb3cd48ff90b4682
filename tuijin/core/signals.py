"""Signals sent inside the request or transaction where something happened, for the audit trail
(tuijin.audit subscribes; core knows nothing of it). Unlike core.events, they are sent at once, not
after commit: an entry is written in the same transaction as the change it tells of.

exported              a list, document or file left the application (an export or a print page):
                      request, what (its name), filter (the filters in force, in words), rows, format,
                      filename
history_bulk_written  core.bulk wrote django-simple-history rows in bulk (which sends no signal of
                      simple-history's own): model, object_ids, history_type ("+", "~", "-"), user,
                      reason, when (the history rows' history_date)
"""

from django.dispatch import Signal

exported = Signal()
history_bulk_written = Signal()


def send_export(request, *, what: str, filter: str = "", rows: int | None = None, format: str = "",
                filename: str = "", **extra) -> None:
    """Tell that `what` was exported by the request's user (an export view calls this once)."""
    exported.send(sender=None, request=request, what=str(what), filter=str(filter or ""), rows=rows,
                  format=format, filename=filename, extra=extra)

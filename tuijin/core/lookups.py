"""Integer lookups that answer "no match" for a number no database column can hold.

Django 5.x already turns `int_field = 99999999999999999999` into an empty result (IntegerFieldOverflow);
`__in` lists and foreign-key lookups still send the number to the driver, and SQLite fails with
OverflowError (a 500) — e.g. a ModelMultipleChoiceField posted with such an id, or `unit_id=` from a
query string. These lookups drop such numbers the same way, on every database: an id outside
±(2**63 - 1) matches nothing. Registered once in CoreConfig.ready().
"""

from django.core.exceptions import EmptyResultSet
from django.db.models import ForeignObject, IntegerField
from django.db.models.fields.related_lookups import RelatedExact, RelatedIn
from django.db.models.lookups import In

from .parsing import DB_INT_MAX


def _outside(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and not -DB_INT_MAX - 1 <= value <= DB_INT_MAX


def _kept(lookup) -> None:
    """Drop the out-of-range numbers of an `in` lookup's list; nothing left → no match."""
    if not lookup.rhs_is_direct_value() or isinstance(lookup.rhs, (str, bytes)):
        return
    try:
        values = list(lookup.rhs)
    except TypeError:
        return
    kept = [v for v in values if not _outside(v)]
    if len(kept) != len(values):
        if not kept:
            raise EmptyResultSet
        lookup.rhs = kept


class IntegerFieldIn(In):
    def process_rhs(self, compiler, connection):
        _kept(self)
        return super().process_rhs(compiler, connection)


class SafeRelatedIn(RelatedIn):
    def process_rhs(self, compiler, connection):
        _kept(self)
        return super().process_rhs(compiler, connection)


class SafeRelatedExact(RelatedExact):
    def process_rhs(self, compiler, connection):
        if _outside(self.rhs):
            raise EmptyResultSet
        return super().process_rhs(compiler, connection)


def register() -> None:
    IntegerField.register_lookup(IntegerFieldIn)
    ForeignObject.register_lookup(SafeRelatedIn)
    ForeignObject.register_lookup(SafeRelatedExact)

"""Reads of the bulletins: who sees which issue, and an issue's content.

The office (dispatchers, admins) sees the drafts and issues of the regions in its grants; everyone
else with a place sees the published issues of their region and of the regions above it (a district's
clerk reads the city's bulletin and the district's own edition; a city leader reads every edition
below). A draft's content is assembled live; a published issue's is read from its snapshot only.
"""

from django.db.models import Q

from tuijin.core.exceptions import get_or_not_found
from tuijin.figures.periods import parse_period
from tuijin.org.selectors import OFFICE_ROLES, office_regions, subtrees_q, user_access

from .assemble import Assembly, Spec, assemble
from .choices import State
from .document import Document
from .models import Bulletin, Template


def bulletins_visible_to(user):
    access = user_access(user)
    if access.is_superuser:
        return Bulletin.objects.all()
    office = access.region_paths(OFFICE_ROLES)
    query = subtrees_q(office, "region__path")
    paths = {g.region_path for g in access.grants}
    if paths:
        published = subtrees_q(paths, "region__path")  # their region's editions and those below
        for path in paths:  # and the editions of the regions above theirs
            ancestors = [path[:i + 1] for i, ch in enumerate(path) if ch == "/" and i + 1 < len(path)]
            published |= Q(region__path__in=ancestors)
        query |= Q(state=State.PUBLISHED) & published
    return Bulletin.objects.filter(query)


def bulletins_editable_by(user):
    return Bulletin.objects.filter(region__in=office_regions(user))


def bulletin_for(user, pk) -> Bulletin:
    return get_or_not_found(bulletins_visible_to(user).select_related("region", "template", "corrects"), pk=pk)


def spec_of(bulletin: Bulletin) -> Spec:
    """What the office chose, with the words the system adds (期号, the correction line) in Chinese."""
    from django.conf import settings
    from django.utils import translation
    from django.utils.translation import gettext as _

    with translation.override(settings.LANGUAGE_CODE):
        corrects = ""
        if bulletin.corrects_id is not None:
            corrects = _("本期对%(n)s通报予以更正：%(what)s") % {"n": bulletin.corrects.number_label,
                                                        "what": bulletin.correction}
        return Spec(period=parse_period(bulletin.period), region=bulletin.region, title=bulletin.title,
                    issuer=bulletin.issuer, issued_on=bulletin.issued_on, number=str(bulletin.number_label),
                    main_to=bulletin.main_to, copy_to=bulletin.copy_to, red_header=bulletin.red_header,
                    opening=bulletin.opening, texts=bulletin.texts or {}, corrects=corrects)


def assembly_of(bulletin: Bulletin) -> Assembly:
    """A draft's content as of now. The figures are the audience region's, whoever looks (the system's
    scope narrowed to the region), so two people of the office see the same draft."""
    return assemble(None, spec_of(bulletin))


def document_of(bulletin: Bulletin) -> tuple[Document, dict]:
    """(the document, the headline figures): frozen for a published issue, live for a draft."""
    if bulletin.is_published:
        return Document.from_json(bulletin.snapshot["document"]), bulletin.snapshot.get("headline", {})
    found = assembly_of(bulletin)
    return found.document, found.headline


def template_bytes(bulletin: Bulletin) -> bytes | None:
    if bulletin.template_id is None:
        return None
    with bulletin.template.file.open("rb") as handle:
        return handle.read()


def templates():
    return Template.objects.order_by("name")

"""The labelling guide (docs/LABELLING.md) as a page in the GOV.UK layout, linked from the labels."""

from __future__ import annotations

import functools
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from markdown_it import MarkdownIt
from markupsafe import Markup

from serve.deps import SessionDep
from serve.ui.web import current_user, render

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "LABELLING.md"
CLASSES = {
    "h1": "govuk-heading-xl",
    "h2": "govuk-heading-l",
    "h3": "govuk-heading-m",
    "p": "govuk-body",
    "ul": "govuk-list govuk-list--bullet",
    "ol": "govuk-list govuk-list--number",
    "table": "govuk-table",
    "th": "govuk-table__header",
    "td": "govuk-table__cell",
    "tr": "govuk-table__row",
    "a": "govuk-link",
    "code": "app-code",
}

router = APIRouter(include_in_schema=False)


@functools.cache
def guide_html() -> Markup:
    """The guide rendered once, with GOV.UK classes on each element (raw HTML in it is escaped)."""
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = parser.parse(GUIDE.read_text(encoding="utf-8"))
    for token in tokens:
        for child in [token, *(token.children or [])]:
            if child.nesting >= 0 and child.tag in CLASSES:
                child.attrSet("class", CLASSES[child.tag])
    return Markup(parser.renderer.render(tokens, parser.options, {}))


@router.get("/guide", response_class=HTMLResponse)
def guide_page(request: Request, session: SessionDep) -> HTMLResponse:
    return render(request, "guide.html", current_user(request, session), guide=guide_html())

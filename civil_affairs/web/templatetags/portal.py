"""``{% load portal %}``: what the signed-in user may do, asked of accounts/permissions.py, so templates never
compare role names (``{% if user|may:"file_application" %}`` or ``{% may "file_application" as may_file %}``),
the export links of a list page, which keep its filters, and how the pages read (issue 14):

- figures: ``{{ amount|yuan }}`` → ``¥4,143,575.00``, ``{{ rate|percent }}`` → ``5%``, ``{{ count|number }}`` →
  ``1,888``; dates ``{{ d|day }}`` → ``2026-03-01``, ``{{ m|month }}`` → ``2026-03``, ``{{ t|moment }}`` →
  ``2026-03-01 09:30`` (web/formatting.py);
- ``{% cards %}<table>…</table>{% endcards %}``: a list that becomes cards on a phone (web/cards.py);
- ``{{ field|error_text:error }}``: a field's error that says which field (web/forms.py);
- ``{{ remark|paren }}`` and ``{% colon %}``: brackets and colons full-width in Chinese text;
- ``{% signed_in_as user %}``: the top bar's "who is signed in", each part once;
- ``{% page_messages as items %}``: the messages not already shown beside a field of a form on the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms, template
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from civil_affairs.accounts import permissions
from civil_affairs.exports import FORMATS
from civil_affairs.web import formatting
from civil_affairs.web.cards import label_cells
from civil_affairs.web.forms import field_error_text

register = template.Library()


@register.filter(name="may")
def may_filter(user: Any, what: str) -> bool:
    return permissions.may(user, what)


@register.simple_tag(takes_context=True)
def may(context: template.Context, what: str) -> bool:
    return permissions.may(context.get("user"), what)


@register.inclusion_tag("_exports.html", takes_context=True)
def export_links(context: template.Context) -> dict[str, Any]:
    """ "Export CSV" and "Export Excel" links: the page's own query (its filters) with ``format`` set, and
    without ``page`` (an export is the whole filtered list)."""
    request = context["request"]
    links = []
    for fmt in FORMATS:
        query: QueryDict = request.GET.copy()
        query.pop("page", None)
        query["format"] = fmt
        links.append((fmt, f"?{query.urlencode()}"))
    return {"links": links}


# --- Figures and dates ---------------------------------------------------------------------------------------

register.filter("yuan", formatting.yuan, is_safe=True)
register.filter("percent", formatting.percent, is_safe=True)
register.filter("number", formatting.number, is_safe=True)
register.filter("day", formatting.day, is_safe=True, expects_localtime=True)
register.filter("month", formatting.month, is_safe=True, expects_localtime=True)
register.filter("moment", formatting.moment, is_safe=True, expects_localtime=True)


# --- Lists as cards on a phone -------------------------------------------------------------------------------


class CardsNode(template.Node):
    def __init__(self, nodelist: template.NodeList) -> None:
        self.nodelist = nodelist

    def render(self, context: template.Context) -> SafeString:
        # The markup is the template's own output (already escaped); only attributes are added to it.
        return mark_safe(label_cells(self.nodelist.render(context)))  # noqa: S308


@register.tag(name="cards")
def do_cards(parser: template.base.Parser, token: template.base.Token) -> CardsNode:
    """``{% cards %}<table>…</table>{% endcards %}``: each body cell labelled by its column's header."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("{% cards %} takes no arguments")
    nodelist = parser.parse(("endcards",))
    parser.delete_first_token()
    return CardsNode(nodelist)


# --- Copy: errors, messages, the top bar ---------------------------------------------------------------------


@register.filter(name="error_text")
def error_text(bound: Any, error: Any) -> str:
    """``{{ field|error_text:error }}``: "请填写申请人姓名" where Django says only "该字段是必填项"."""
    if not isinstance(bound, forms.BoundField):
        return str(error)
    return field_error_text(bound, error)


def _forms_in(value: Any) -> Iterable[forms.BaseForm]:
    if isinstance(value, forms.BaseForm):
        yield value
    elif isinstance(value, forms.BaseFormSet):
        yield from value.forms
    elif isinstance(value, list):  # rows of {"form": …} (web/actions.py::action_forms) or of forms
        for item in value:
            if isinstance(item, forms.BaseForm):
                yield item
            elif isinstance(item, dict) and isinstance(item.get("form"), forms.BaseForm):
                yield item["form"]


def _shown_errors(context: template.Context) -> set[str]:
    """Every error text the page's forms show: as Django has it and as the field partial words it."""
    shown: set[str] = set()
    for value in context.flatten().values():
        for form in _forms_in(value):
            if not form.is_bound:
                continue
            for name, errors in form.errors.items():
                for error in errors:
                    shown.add(str(error))
                    if name in form.fields:
                        shown.add(field_error_text(form[name], error))
        if isinstance(value, forms.BaseFormSet) and value.is_bound:
            shown.update(str(error) for error in value.non_form_errors())
    return shown


@register.simple_tag(takes_context=True)
def page_messages(context: template.Context) -> list[Any]:
    """The messages to show above the page: a refusal the page already shows beside its field (or above its
    form) is left out, so it is read once, not twice."""
    stored = context.get("messages")
    if not stored:
        return []
    shown = _shown_errors(context)
    return [message for message in stored if str(message) not in shown]


@register.filter(name="paren", is_safe=False)
def paren(value: Any) -> str:
    """``{{ date|paren }}``: a remark in brackets after Chinese text, full-width in Chinese ("（2026-03-01）"),
    " (2026-03-01)" in English. Nothing for nothing."""
    if value in (None, ""):
        return ""
    return _(" (%(text)s)") % {"text": value}


@register.simple_tag
def colon() -> str:
    """``{% translate "Balance" %}{% colon %}…``: "：" in Chinese, ": " in English."""
    return _(": ")


@register.simple_tag
def signed_in_as(user: Any) -> str:
    """Name, role and jurisdiction, each once: a demo account named "区级审核员" reads "区级审核员", not
    "区级审核员 · 区级审核员"; "明水街道经办人" already says both its role and its town."""
    parts: list[str] = []
    jurisdiction = getattr(user, "jurisdiction", None)
    candidates = [
        user.get_full_name() or user.get_username(),
        str(user.get_role_display()) if hasattr(user, "get_role_display") else "",
        jurisdiction.name if jurisdiction is not None else "",
    ]
    for candidate in candidates:
        candidate = candidate.strip()
        if candidate and not any(candidate in part for part in parts):
            parts.append(candidate)
    return " · ".join(parts)

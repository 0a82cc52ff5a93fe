"""Plain-words rendering of a finding's evidence facts for the risk pages."""

from django import template

register = template.Library()


@register.filter
def fact_label(key: str) -> str:
    """ "cap_date" → "Cap date"."""
    return str(key).replace("_", " ").capitalize()


def _period(item: dict) -> str:
    start = item.get("from") or "?"
    end = item.get("to") or "open-ended"
    extra = item.get("provider") or item.get("client")
    return f"{start} → {end}" + (f" ({extra})" if extra else "")


@register.filter
def fact_value(value) -> str:
    """Lists and periods as short text; None as a dash; booleans as yes/no."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        if "from" in value:
            return _period(value)
        return "; ".join(f"{fact_label(k)}: {fact_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return "; ".join(fact_value(item) for item in value)
    return str(value)


@register.filter
def rule_title(code: str) -> str:
    """A rule's name for people ("Contractor under full-time client direction"), not its code."""
    from risks.rules import RULES

    rule = RULES.get(code)
    return rule.title if rule else "A retired rule"


@register.filter
def rule_next_step(code: str) -> str:
    from risks.rules import RULES

    rule = RULES.get(code)
    return rule.next_step if rule else ""


@register.filter
def plain_facts(facts) -> list[tuple[str, str]]:
    """A finding's facts as (label, text) for people: record ids (`contract_id`, …) are for the API
    and integrators, and the page names the worker, assignment and contract in words already."""
    if not isinstance(facts, dict):
        return []
    return [
        (fact_label(key), fact_value(value))
        for key, value in facts.items()
        if not (str(key).endswith("_id") or str(key).endswith("_ids"))
    ]


@register.filter
def get_item(mapping, key):
    """`request.GET|get_item:"client"` — a mapping's value for a key held in a variable."""
    return mapping.get(key, "") if hasattr(mapping, "get") else ""

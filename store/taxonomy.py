"""The event-type taxonomy: ACLED's 25 sub-event types, each with its ACLED event type.

An incident's ``event_type`` is one of the sub-event types. People may type any unique,
case-insensitive prefix ("air", "shelling", "disrupted"); ``resolve`` turns it into the name.
"""

from __future__ import annotations

#: sub-event type -> ACLED event type, in ACLED's order.
SUB_EVENT_TYPES: dict[str, str] = {
    # Battles
    "Armed clash": "Battles",
    "Government regains territory": "Battles",
    "Non-state actor overtakes territory": "Battles",
    # Explosions/Remote violence
    "Chemical weapon": "Explosions/Remote violence",
    "Air/drone strike": "Explosions/Remote violence",
    "Suicide bomb": "Explosions/Remote violence",
    "Shelling/artillery/missile attack": "Explosions/Remote violence",
    "Remote explosive/landmine/IED": "Explosions/Remote violence",
    "Grenade": "Explosions/Remote violence",
    # Violence against civilians
    "Sexual violence": "Violence against civilians",
    "Attack": "Violence against civilians",
    "Abduction/forced disappearance": "Violence against civilians",
    # Protests
    "Peaceful protest": "Protests",
    "Protest with intervention": "Protests",
    "Excessive force against protesters": "Protests",
    # Riots
    "Violent demonstration": "Riots",
    "Mob violence": "Riots",
    # Strategic developments
    "Agreement": "Strategic developments",
    "Arrests": "Strategic developments",
    "Change to group/activity": "Strategic developments",
    "Disrupted weapons use": "Strategic developments",
    "Headquarters or base established": "Strategic developments",
    "Looting/property destruction": "Strategic developments",
    "Non-violent transfer of territory": "Strategic developments",
    "Other": "Strategic developments",
}

EVENT_TYPES: tuple[str, ...] = tuple(dict.fromkeys(SUB_EVENT_TYPES.values()))


def event_type_of(sub_event_type: str) -> str:
    """The ACLED event type a sub-event type belongs to."""
    return SUB_EVENT_TYPES[sub_event_type]


def resolve(text: str) -> str:
    """The sub-event type ``text`` names: exact (any case) or a unique prefix.

    Raises ``ValueError`` saying what matched, or what the choices are.
    """
    wanted = text.strip().casefold()
    if not wanted:
        raise ValueError("is empty")
    for name in SUB_EVENT_TYPES:
        if name.casefold() == wanted:
            return name
    matches = [name for name in SUB_EVENT_TYPES if name.casefold().startswith(wanted)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ValueError(f"{text.strip()!r} could be any of: {', '.join(matches)}")
    raise ValueError(
        f"{text.strip()!r} is not an event type; choose one of: {', '.join(SUB_EVENT_TYPES)}"
    )

"""Swedish names of weekdays, months and shifts: one table for pages, sheets, slips and the binder."""

WEEKDAYS = ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
SHORT_WEEKDAYS = ("mån", "tis", "ons", "tor", "fre", "lör", "sön")
MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december")
SHIFT_TITLES = {"dag": "Dagpass", "kväll": "Kvällspass", "natt": "Nattpass"}


def shift_title(name):
    """"Kvällspass" for ``kväll``; an unknown name as it is."""
    return SHIFT_TITLES.get(name, name)


def shift_definite(name):
    """"kvällspasset": the shift in running text ("till kvällspasset")."""
    title = SHIFT_TITLES.get(name)
    return f"{title.lower()}et" if title else f"passet {name}"

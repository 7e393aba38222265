"""The team's binder on A4: every carer, every client, the contacts and the version lines."""

import datetime as dt
import re

import pytest
from hembas_testing import NOW, TODAY, fixed_clock, pdftotext

from printer.binder import client_order, render_binder, sort_name
from printer.binder_diff import binder_period

PRINTED_AT = NOW


def make(box, *, replaces=None):
    period = binder_period(box)
    binder = render_binder(period, settings=box.config["printer"], printed_at=PRINTED_AT,
                           printed_by="Amira Hassan", replaces=replaces)
    return period, binder


def pages_of(binder):
    return pdftotext(binder.data).split("\f")


def test_binder_holds_every_carer_with_visits_every_client_the_contacts_and_the_version(box):
    period, binder = make(box)
    text = pdftotext(binder.data)
    plan = box.plan()
    assert binder.data.startswith(b"%PDF-")
    carers = {s for day in period.days for s in day.staff_ids()}
    assert carers and all(plan.staff[s].name in text for s in carers)
    for client in plan.clients.values():
        assert sort_name(client.name) in text and client.address in text
    for contact in plan.contacts:
        assert contact.name in text and contact.phone in text
    assert f"version {plan.version}" in text and "Plan från 27/11 05:12" in text
    assert "Utskriven" in text and "27/11 2026 07:30 av Amira Hassan" in text
    assert "Ersätter" in text and "ingen tidigare utskrift" in text
    assert "Fredag 27 november 2026 - Torsdag 10 december 2026" in text


def test_the_cover_names_the_binder_it_replaces(box):
    _, binder = make(box, replaces={"version": "0123456789ab", "made_at": "2026-11-20T06:30:00+00:00"})
    assert "utskrift från 20/11 2026 07:30 (plan 0123456789ab)" in pdftotext(binder.data)


def test_every_page_has_the_as_of_line_and_its_number(box):
    _, binder = make(box)
    pages = [p for p in pages_of(binder) if p.strip()]
    assert len(pages) == binder.page_count
    for number, page in enumerate(pages, start=1):
        assert f"plan {box.plan().version} (Plan från 27/11 05:12) | utskriven 27/11 2026 07:30" in page
        assert re.search(rf"sida {number}\s*$", page.rstrip()), page[-200:]


def test_each_section_starts_on_its_own_pages_as_the_page_map_says(box):
    period, binder = make(box)
    pages = pages_of(binder)
    spans = sorted(binder.pages.values())
    assert spans[0][0] == 1 and spans[-1][1] == binder.page_count
    assert all(a[1] + 1 == b[0] for a, b in zip(spans, spans[1:])), "sections must not share or skip pages"
    first_day = binder.pages[f"day/{TODAY}"]
    assert pages[first_day[0] - 1].lstrip().startswith("Fredag 27 november 2026")
    for client in client_order(box.plan())[:5]:
        first, last = binder.pages[f"client/{client.id}"]
        assert pages[first - 1].lstrip().startswith(sort_name(client.name))
        assert all(f"{sort_name(client.name)} | sida" in pages[n - 1] for n in range(first, last + 1))


def test_the_contents_point_at_the_pages_of_each_day_and_client(box):
    _, binder = make(box)
    cover = "".join(pages_of(binder)[:binder.pages["cover"][1]])
    first, last = binder.pages[f"day/{TODAY}"]
    assert re.search(rf"Fredag 27 november 2026\s+sida {first}-{last}", cover)
    client = client_order(box.plan())[0]
    assert re.search(rf"{re.escape(sort_name(client.name))}\s+sida {binder.pages[f'client/{client.id}'][0]}\b", cover)


def test_each_day_lists_every_route_in_order_and_flags_visits_nobody_has(box):
    period, binder = make(box)
    day = period.days[0]
    first, last = binder.pages[f"day/{day.date}"]
    text = "".join(pages_of(binder)[first - 1:last])
    plan = box.plan()
    unassigned = day.unassigned(shift="dag")
    assert unassigned, "the demo plan has a visit nobody has on its first day"
    assert f"EJ TILLDELADE ({len(unassigned)})" in text
    for staff_id in day.staff_ids(shift="dag"):
        route = day.route(staff_id, shift="dag")
        block = text.split(f"{plan.staff[staff_id].name} ({len(route)} besök)", 1)[1]
        positions = [block.index(f"{n}. {plan.clients[v.client_id].name}") for n, v in enumerate(route, start=1)]
        assert positions == sorted(positions)
    assert "Dagpass 07:00-16:00" in text and "Kvällspass 15:00-22:00" in text


def test_the_client_index_lists_every_visit_with_date_shift_and_who(box):
    period, binder = make(box)
    client = client_order(box.plan())[0]
    first, last = binder.pages[f"client/{client.id}"]
    text = "".join(pages_of(binder)[first - 1:last])
    visits = [v for day in period.days for v in day.visits if v.client_id == client.id]
    assert f"Besök de här två veckorna: {len(visits)}" in text
    plan = box.plan()
    for visit in visits:
        who = " och ".join(plan.staff[s].name for s in visit.staff_ids) or "EJ TILLDELAD"
        assert re.search(rf"{visit.date.day}/{visit.date.month}\s+{visit.shift}\s+{who}", text), visit
    for contact in client.contacts:
        assert contact.phone in text


def test_entry_information_only_with_print_entry(box):
    entry = next(iter(box.plan().clients.values())).entry
    assert "Nyckel/kod" not in pdftotext(make(box)[1].data)
    box.config["printer"]["print_entry"] = True
    text = pdftotext(make(box)[1].data)
    assert "Nyckel/kod" in text and entry.split(",")[0] in text


def test_days_outside_the_plan_say_so(box, demo_document):
    box.clock = fixed_clock(box.data_dir, now=NOW + dt.timedelta(days=3))
    period, binder = make(box)
    last = period.days[-1].date
    first, _ = binder.pages[f"day/{last}"]
    assert "Utanför planen" in pages_of(binder)[first - 1]


def test_the_two_week_pdf_shares_the_as_of_line(box):
    from printer.pdf import two_week_pdf

    text = pdftotext(two_week_pdf(box, "s2"))
    assert f"plan {box.plan().version} (Plan från 27/11 05:12)" in text and "Johanna Öhman, sida 1" in text


@pytest.mark.parametrize("name, key", [("Åsa Lindström", "Lindström, Åsa"), ("Britt-Marie Öberg", "Öberg, Britt-Marie"),
                                       ("Cher", "Cher")])
def test_the_index_is_by_surname(name, key):
    assert sort_name(name) == key


def test_a_substitute_is_named_on_the_day_and_in_the_client_index(box, who, dag):
    from sync.day.changes import add_substitute, assign

    visit = box.day(TODAY).route("s3", shift="dag")[0]
    substitute = add_substitute(box, dag, name="Kim Berg", phone="070-123 45 67", **who)["body"]["id"]
    assign(box, TODAY, [(visit.id, [substitute])], **who)
    _, binder = make(box)
    pages = pages_of(binder)
    first, last = binder.pages[f"day/{TODAY}"]
    assert "Kim Berg (1 besök)" in "".join(pages[first - 1:last])
    first, last = binder.pages[f"client/{visit.client_id}"]
    assert re.search(r"27/11\s+dag\s+Kim Berg", "".join(pages[first - 1:last]))

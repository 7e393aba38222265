"""What pages need to know about visits beyond the plan: outcomes recorded at the base, people's names."""

from sync.store.records import without_corrected


def outcomes(box, date):
    """The latest standing outcome record per visit id on *date*."""
    latest = {}
    for rec in without_corrected(box.records.find(kind="outcome", date=date)):
        latest[rec["visit_id"]] = rec  # find() returns oldest first
    return latest


def staff_names(plan, staff_ids):
    return [plan.staff[s].name if s in plan.staff else s for s in staff_ids]


def author_name(plan, users, author):
    """A record's or audit entry's author as a name: plan staff first, then web accounts."""
    if plan is not None and author in plan.staff:
        return plan.staff[author].name
    account = next((u for u in users.all() if u["id"] == author), None)
    return account["name"] if account else author

from hembas_testing import TODAY


def test_demo_plan_imports_and_has_a_route_for_today(box):
    plan = box.plan()
    day = box.day()
    assert day.date == TODAY
    assert plan.team.id == "kalix-centrum"
    assert any(day.route(staff_id) for staff_id in plan.staff)

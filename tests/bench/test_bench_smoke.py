"""Every benchmark runs at a tiny scale and produces sane figures (no timing limits)."""

import json

from bench import __main__ as bench_main
from bench import binder, day_proposal, instructions, plan_import, printing, sync_poll, web


def test_plan_import_benchmark_measures_every_scale(tmp_path):
    rows = plan_import.run(tmp_path, scale="smoke")["rows"]
    assert [r["label"] for r in rows] == ["0.1×", "0.2×", "0.2× long texts"]
    for row in rows:
        assert row["visits"] > 0 and row["total_s"] > 0 and row["reopen_s"] > 0
        assert row["peak_rss_mb"] > 1 and row["store_bytes"] > 0
        assert row["stock_limits"] == "accepted"
    assert rows[1]["visits"] > rows[0]["visits"]
    assert rows[2]["visits"] == rows[1]["visits"] and rows[2]["file_bytes"] > rows[1]["file_bytes"]


def test_bench_command_writes_results_json(tmp_path, capsys):
    output = tmp_path / "bench" / "results.json"
    assert bench_main.main(["--only", "plan_import", "--scale", "smoke", "--output", str(output)]) == 0
    results = json.loads(output.read_text())
    assert results["benchmarks"]["plan_import"]["rows"]
    assert "Plan import" in capsys.readouterr().out


def test_printing_benchmark_renders_a_day_and_times_a_press_to_the_printer(tmp_path):
    outcome = printing.run(tmp_path, scale="smoke")
    render, = outcome["render"]
    assert render["sheets"] > 0 and render["bytes"] > render["sheets"] * 100
    daemon = outcome["daemon"]
    assert daemon["ready_s"] > 0 and daemon["idle_rss_mb"] > 1
    assert daemon["press_to_last_byte_s"] >= daemon["press_to_first_byte_s"] > 0
    assert daemon["bytes_per_press"] > 0 and daemon["exit_code"] == 0
    button = outcome["button"]
    assert button["taps"] == 1 and button["press_to_first_byte_ms"] > button["release_to_first_byte_ms"] > 0


def test_binder_benchmark_makes_the_binder_and_the_change_list(tmp_path):
    row, = binder.run(tmp_path, scale="smoke")["rows"]
    assert row["pages"] > row["clients"] > 0 and row["kb"] > 10 and row["seconds"] > 0
    assert row["changes"] == 1 + binder.MOVED  # the hub's changed note and the moved visits
    assert row["changes_pages"] >= 1 and row["changes_s"] > 0 and row["reminder_changes"] == row["changes"]
    assert row["snapshot_kb"] > 1 and row["peak_rss_mb"] > 1


def test_web_benchmark_loads_idag_and_the_client_card_against_a_static_ceiling(tmp_path):
    outcome = web.run(tmp_path, scale="smoke")
    rows = outcome["rows"]
    assert {r["page"] for r in rows} == {"Idag", "client card", "Laget idag"}
    assert {r["cores"] for r in rows} == {"all", "1 (Pi-like)"}
    for row in rows:
        assert row["requests"] > 0 and row["errors"] == 0
        assert row["rps"] > 0 and row["ceiling_rps"] > 0 and row["p99_ms"] >= row["p50_ms"] > 0
        assert row["bytes"] > 1000  # a real page with visits, not an error page
    figures = outcome["figures"]
    assert figures["startup_s"] > 0 and figures["idle_rss_mb"] > 1 and figures["after_load_rss_mb"] > 1
    assert figures["after_pi_load_rss_mb"] > 1
    assert figures["assets"] > 0
    assert figures["first_load_bytes"] >= figures["repeat_load_bytes"] > 0


def test_sync_benchmark_counts_an_unchanged_and_a_changed_poll_on_the_wire(tmp_path):
    rows = {r["poll"]: r for r in sync_poll.run(tmp_path, scale="smoke")["rows"]}
    unchanged, changed = rows["unchanged (304)"], rows["changed"]
    assert unchanged["requests"] >= 1 and changed["requests"] >= unchanged["requests"]
    assert changed["received"] > 10 * unchanged["received"] > 0  # a bundle against a bare 304
    assert unchanged["ms"] > 0 and unchanged["cli_s"] > 0 and changed["cli_s"] > 0


def test_proposal_benchmark_times_the_heuristic_and_cp_sat_where_installed(tmp_path):
    rows = day_proposal.run(tmp_path, scale="smoke")["rows"]
    ours = next(r for r in rows if r["solver"] == "heuristic")
    assert ours["absent"] == 1 and ours["open"] > 0 and 0 < ours["placed"] <= ours["open"]
    assert ours["seconds"] > 0 and ours["peak_rss_mb"] > 1 and ours["proposal_rss_mb"] >= 0 and ours["cost"] > 0
    for theirs in (r for r in rows if r["solver"] == "cp-sat"):
        assert theirs["import_s"] > 0 and theirs["status"] in ("OPTIMAL", "FEASIBLE")
        assert theirs["placed"] == ours["placed"] and theirs["cost"] <= ours["cost"]


def test_instructions_benchmark_counts_a_page_and_its_ceiling_under_callgrind(tmp_path):
    row, = instructions.run(tmp_path, scale="smoke")["rows"]
    assert row["page"] == "Idag" and row["bytes"] > 1000 and row["rounds"] == instructions.ROUNDS["smoke"]
    # waitress alone costs some hundred thousand instructions a request; a signed-in, logged page more
    assert 10_000 < row["ceiling_instructions"] < row["instructions"]
    assert 0 < row["ratio"] < 1


def test_side_by_side_keeps_the_round_with_the_median_ratio():
    from bench.http_load import side_by_side

    pages, ceilings = iter([100, 300, 200]), iter([1000, 1000, 400])  # ratios 0.1, 0.3, 0.5 in turn
    order = []
    page = lambda: order.append("page") or {"rps": next(pages)}
    ceiling = lambda: order.append("ceiling") or {"rps": next(ceilings)}
    assert side_by_side(page, ceiling, 3) == ({"rps": 300}, {"rps": 1000})
    assert order == ["page", "ceiling"] * 3


def test_off_core_keeps_the_load_generator_off_the_pinned_core_and_gives_it_back():
    import os
    import threading

    from bench.http_load import off_core

    before = os.sched_getaffinity(0)
    seen = []
    with off_core(min(before)):
        worker = threading.Thread(target=lambda: seen.append(os.sched_getaffinity(0)))  # as load() starts its clients
        worker.start()
        worker.join()
    expected = before - {min(before)} or before  # one CPU: nowhere else to go
    assert seen == [expected] and os.sched_getaffinity(0) == before

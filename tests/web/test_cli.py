import pytest

from sync.cli import main


def test_user_add_prints_a_one_time_code_and_links_the_plan_person(data_dir, box, capsys, state):
    assert main(["--data", str(data_dir), "user", "add", "--name", "sara lindgren", "--role", "staff",
                 "--enrollment-code", "kpqr-7xyz"]) == 0
    out = capsys.readouterr().out
    assert "Engångskod: KPQR-7XYZ" in out
    [user] = [u for u in state.users.all() if u["name"] == "sara lindgren"]
    assert user["staff_id"] == "s5" and user["pin_hash"] == ""
    assert state.users.enroll("KPQR7XYZ", "602718")["id"] == user["id"]


def test_user_add_refuses_a_duplicate_name(data_dir, box, capsys):
    main(["--data", str(data_dir), "user", "add", "--name", "Ny", "--role", "coordinator"])
    assert main(["--data", str(data_dir), "user", "add", "--name", "ny", "--role", "staff"]) == 1
    assert "finns redan" in capsys.readouterr().err


def test_demo_accounts_are_random_per_data_folder_and_printed_again(data_dir, box, capsys, state):
    assert main(["--data", str(data_dir), "demo-accounts"]) == 0
    first = capsys.readouterr().out
    main(["--data", str(data_dir), "demo-accounts"])
    assert capsys.readouterr().out == first
    pins = {line.split("PIN ")[1] for line in first.splitlines() if "PIN " in line}
    assert len(pins) == 3
    coordinator = next(u for u in state.users.all() if u["role"] == "coordinator")
    assert state.users.verify_pin(coordinator["id"], next(
        line.split("PIN ")[1] for line in first.splitlines() if "samordnare" in line))


@pytest.mark.parametrize("code", ["short", "ABCD-EFG0"])
def test_bad_enrollment_codes_are_refused(data_dir, box, capsys, code):
    assert main(["--data", str(data_dir), "user", "add", "--name", "X", "--role", "staff",
                 "--enrollment-code", code]) == 1

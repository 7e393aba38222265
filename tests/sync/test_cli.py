"""The hembas command: plan import/status/rollback and demo-plan, with honest exit codes."""

import json
import os
import shutil
import re
import subprocess
import sys

import pytest

from sync.cli import build_parser, main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_plan_import_then_status_json(capsys, data_dir):
    assert run(capsys, "--data", str(data_dir), "demo-plan", "--import", "--start", "2026-11-27")[0] == 0
    code, out, _ = run(capsys, "plan", "status", "--json", "--data", str(data_dir))
    status = json.loads(out)
    assert code == 0
    assert status["team"]["id"] == "kalix-centrum"
    assert status["valid_from"] == "2026-11-27" and status["valid_to"] == "2026-12-10"
    assert status["counts"]["staff"] == 7 and status["counts"]["clients"] == 40
    assert status["counts"]["visits"] > 500


def test_import_of_a_bad_file_exits_1_with_every_problem(capsys, data_dir, demo_document):
    demo_document["visits"][3]["client_id"] = "c99"
    demo_document["staff"][0]["name"] = ""
    path = data_dir / "plan.in.json"
    path.write_text(json.dumps(demo_document))
    code, _, err = run(capsys, "--data", str(data_dir), "plan", "import", str(path))
    assert code == 1
    assert err.startswith("hembas: staff[0].name: får inte vara tom (och 1 fel till)")
    assert 'visits[3].client_id: okänd klient "c99"' in err


def test_import_csv_and_rollback(capsys, data_dir, demo_document):
    first = data_dir / "a.json"
    first.write_text(json.dumps(demo_document))
    assert run(capsys, "--data", str(data_dir), "plan", "import", str(first))[0] == 0
    csv = data_dir / "b.csv"
    csv.write_bytes("Datum;Pass;Brukar-ID;Brukare;Adress;Personal-ID;Insatser\n"
                    "2026-11-27;dag;c1;Åke Öberg;Älvvägen 3;s1;dusch\n".encode("cp1252"))
    code, out, _ = run(capsys, "--data", str(data_dir), "plan", "import", str(csv))
    assert code == 0 and "1 brukare, 1 besök" in out
    code, out, _ = run(capsys, "--data", str(data_dir), "plan", "rollback")
    assert code == 0
    _, out, _ = run(capsys, "--data", str(data_dir), "plan", "status", "--json")
    assert json.loads(out)["counts"]["clients"] == 40


def test_status_without_plan_exits_1(capsys, data_dir):
    code, out, err = run(capsys, "--data", str(data_dir), "plan", "status")
    assert (code, out) == (1, "") and "ingen plan är inläst" in err


def test_missing_file_exits_1(capsys, data_dir):
    code, _, err = run(capsys, "--data", str(data_dir), "plan", "import", str(data_dir / "nope.json"))
    assert code == 1 and "kan inte läsa" in err


def test_data_folder_from_the_environment(capsys, data_dir, monkeypatch):
    monkeypatch.setenv("HEMBAS_DATA", str(data_dir))
    assert run(capsys, "demo-plan", "--import", "--start", "2026-11-27")[0] == 0
    assert (data_dir / "plan.json").exists()


def leaf_parsers(parser, prefix=()):
    import argparse
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from leaf_parsers(sub, prefix + (name,))
    yield prefix


def test_every_subcommand_has_help():
    for words in leaf_parsers(build_parser()):
        with pytest.raises(SystemExit) as info:
            build_parser().parse_args([*words, "--help"])
        assert info.value.code == 0, words


def test_console_script_is_installed():
    result = subprocess.run([sys.executable, "-m", "sync.cli", "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "plan" in result.stdout


def test_a_part_that_fails_to_load_does_not_take_the_plan_commands_with_it(monkeypatch, capsys):
    from importlib.metadata import EntryPoint

    import sync.cli

    real = sync.cli.entry_points(group="hembas.commands")
    broken = EntryPoint(name="broken", value="no_such_module_hembas:register", group="hembas.commands")
    monkeypatch.setattr(sync.cli, "entry_points", lambda group: [*real, broken])
    parser = build_parser()
    assert "delen 'broken' kunde inte laddas" in capsys.readouterr().err
    assert parser.parse_args(["plan", "status"]).action == "status"


# Words that give away English help text; none of them is Swedish.
ENGLISH = {"the", "and", "with", "from", "default", "file", "only", "this", "when", "into", "use", "write", "show",
           "usage", "options", "positional", "arguments", "message", "exit", "folder", "instead", "print", "set"}


def test_help_speaks_swedish_throughout(capsys):
    for words in leaf_parsers(build_parser()):
        for prefix in (words[:n] for n in range(len(words) + 1)):
            with pytest.raises(SystemExit):
                build_parser().parse_args([*prefix, "--help"])
            text = capsys.readouterr().out
            assert text.startswith("användning: ")
            prose = text.split("\n\n", 1)[1]  # past the usage line, which names commands
            prose = re.sub(r"(?m)^\s+\S+(?=\s\s|$)|-\S+|\b[A-ZÅÄÖ_]+\b|\{.*?\}", " ", prose)  # names, not prose
            english = {w for w in re.findall(r"[a-z]+", prose.lower())} & ENGLISH
            assert not english, f"hembas {' '.join(prefix)} --help has English words {english}:\n{text}"


def test_every_option_and_argument_has_help():
    import argparse
    parsers = [build_parser()]
    while parsers:
        parser = parsers.pop()
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
            else:
                assert action.help, f"{parser.prog}: {action.option_strings or action.dest} has no help text"


def test_usage_errors_are_in_swedish(capsys):
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(["plan", "import"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert err.startswith("användning: hembas plan import") and "fel: det här saknas: FIL" in err


@pytest.mark.skipif(shutil.which("faketime") is None, reason="needs faketime (tests/install-system-deps.sh)")
def test_demo_plan_at_half_past_one_covers_the_night_that_began_yesterday(data_dir):
    """Before 05:12 a plan 'made at 05:12 today' would lie in the future and the clock would be refused."""
    env = {**os.environ, "TZ": "Europe/Stockholm", "FAKETIME_DONT_RESET": "1"}
    hembas = [sys.executable, "-m", "sync.cli", "--data", str(data_dir)]
    run_at = ["faketime", "2026-12-02 01:30:00"]
    made = subprocess.run([*run_at, *hembas, "demo-plan", "--import"], capture_output=True, text=True, env=env)
    assert made.returncode == 0, made.stderr
    status = subprocess.run([*run_at, *hembas, "plan", "status", "--json"], capture_output=True, text=True, env=env)
    facts = json.loads(status.stdout)
    assert facts["valid_from"] == "2026-12-01" and facts["clock_trusted"] and facts["covers_today"]

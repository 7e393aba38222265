from firmware import control
from sync.cli import main


def test_press_without_a_running_daemon_is_refused_in_swedish(data_dir, capsys):
    assert main(["--data", str(data_dir), "firmware", "press"]) == 1
    assert "firmware-tjänsten körs inte" in capsys.readouterr().err


def test_press_leaves_a_request_for_the_mock_daemon(data_dir, capsys):
    control.publish_status(data_dir, mock=True, pattern="ok", reason="allt fungerar")
    assert main(["--data", str(data_dir), "firmware", "press", "--long"]) == 0
    assert "Långt tryck" in capsys.readouterr().out
    assert control.take_press_requests(data_dir) == [True]


def test_status_names_the_lights_in_swedish(data_dir, capsys):
    control.publish_status(data_dir, mock=True, pattern="clock", reason="klockan kan inte litas på")
    assert main(["--data", str(data_dir), "firmware", "status"]) == 0
    assert capsys.readouterr().out.strip() == "Lamporna: röd blinkar långsamt – klockan kan inte litas på"

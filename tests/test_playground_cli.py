"""``dagnet playground``: its checks before the server starts, and a real server stopped by Ctrl-C."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

import dagnet.cli.playground as command

TUTORIAL = "topologies/tutorial_2_5_1.yaml"


@pytest.fixture
def served(monkeypatch):
    """Stand in for the server: record what would be served, return at once."""
    pytest.importorskip("starlette", reason="the playground extra (starlette) is not installed")
    import dagnet.playground.listen as listen
    calls = []
    monkeypatch.setattr(listen, "serve", lambda app, sock, open_browser=True:
                        calls.append((sock.getsockname(), open_browser)))
    return calls


def test_without_the_extra_it_says_which_to_install(run, monkeypatch):
    monkeypatch.setattr(command, "_extra_installed", lambda: False)
    code, out, err = run("playground", "--no-browser")
    assert code == 1 and err.strip() == 'dagnet: error: the playground needs starlette and uvicorn: ' \
                                       'pip install "dagnet[playground]"'


def test_it_serves_on_the_loopback_address_and_a_free_port(run, served):
    code, out, err = run("playground", TUTORIAL, "--no-browser")
    ((host, port), open_browser), = served
    assert code == 0 and host == "127.0.0.1" and port > 0 and open_browser is False
    assert "warning" not in err and "playground stopped" in err


def test_another_host_is_served_with_a_warning(run, served, monkeypatch):
    import dagnet.playground.listen as listen
    monkeypatch.setattr(listen, "bind", lambda host, port: socket.socket())   # bind nothing outside
    code, out, err = run("playground", "--host", "192.0.2.1", "--no-browser")
    assert code == 0 and "warning: listening on 192.0.2.1: anyone who can reach this machine" in err


def test_a_broken_topology_is_one_line_naming_file_and_key(run, served, tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(open(TUTORIAL).read() + "  - {from: out, to: nowhere}\n")
    code, out, err = run("playground", path, "--no-browser")
    assert code == 1 and not served
    assert err.count("\n") == 1 and f"{path}: edges[2].to: unknown node 'nowhere'" in err


def test_unknown_data_is_one_line_listing_the_built_in_sets(run, served):
    code, out, err = run("playground", "--data", "moosn", "--no-browser")
    assert code == 1 and "not a file and not a built-in data set; built-in: xor" in err


def test_data_that_does_not_fit_starts_anyway_with_a_note(run, served):
    code, out, err = run("playground", TUTORIAL, "--data", "sine", "--no-browser")
    assert code == 0 and "note: data set 'sine' has 1 input column but the network has 2" in err


def test_a_csv_file_is_the_data(run, served, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("in_x,in_y,out\n0.1,0.2,1\n0.5,0.1,0\n0.9,0.7,1\n")
    code, out, err = run("playground", TUTORIAL, "--data", path, "--no-browser")
    assert code == 0 and "note" not in err


def test_sizing_a_csv_file_is_a_usage_error(run, served, tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("in_x,in_y,out\n0.1,0.2,1\n")
    code, out, err = run("playground", "--data", path, "--noise", "0.1", "--no-browser")
    assert code == 2 and "apply to a built-in data set, not a CSV file" in err


def test_a_saved_playground_reopens_from_the_command_line(run, served, tmp_path, monkeypatch):
    from dagnet.playground import saving
    from dagnet.playground.session import Session
    session = Session(training={"lr": 0.2})
    session.edit("toggle_edge", source="in_x", target="out")
    path = tmp_path / "playground.json"
    path.write_text(json.dumps(saving.saved(session)))
    opened = []
    monkeypatch.setattr(saving, "restore", lambda data, real=saving.restore: opened.append(real(data)) or opened[-1])
    code, out, err = run("playground", path, "--no-browser")
    assert code == 0 and opened and opened[0].net.graph.has_edge("in_x", "out")
    assert opened[0].training["lr"] == 0.2
    code, out, err = run("playground", path, "--data", "moons", "--no-browser")
    assert code == 2 and "brings its own data" in err


def test_a_port_in_use_is_one_line(run, served):
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        code, out, err = run("playground", "--port", taken.getsockname()[1], "--no-browser")
    finally:
        taken.close()
    assert code == 1 and "cannot listen on 127.0.0.1:" in err and "address already in use" in err


def test_a_port_out_of_range_is_a_usage_error(run, served):
    code, out, err = run("playground", "--port", "70000", "--no-browser")
    assert code == 2 and "ports run from 0 to 65535" in err


@pytest.mark.slow
def test_ctrl_c_gives_the_shell_back_at_once_without_a_traceback():
    pytest.importorskip("uvicorn", reason="the playground extra (uvicorn) is not installed")
    process = subprocess.Popen([sys.executable, "-m", "dagnet", "playground", "--no-browser"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = process.stdout.readline()
        assert line.startswith("dagnet playground at http://127.0.0.1:"), line
        url = line.split()[3]
        def post(path, body):
            return urllib.request.urlopen(urllib.request.Request(
                url + path, data=body, headers={"Content-Type": "application/json"}))
        created = json.load(post("api/sessions", b"{}"))
        post(f"api/sessions/{created['id']}/control", b'{"action": "play"}')
        time.sleep(0.3)   # training runs in its thread
        interrupted = time.monotonic()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
        took = time.monotonic() - interrupted
    finally:
        process.kill()
    assert process.returncode == 0 and "Traceback" not in err and "playground stopped" in err
    print(f"Ctrl-C gave the shell back in {took:.2f} s")   # a hang fails communicate's timeout above

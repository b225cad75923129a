"""Hostile trial 3 (issue 23): the explorer as a network service. A real server on
127.0.0.1 and a random port, driven by real HTTP and WebSocket clients: requests without the
per-start token, from another Origin or with another Host are refused; with the token the
page and its WebSocket work; SIGTERM stops it. Then the server-side bounds and the save rules."""
from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from sim.errors import ConfigError, TriadError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("explore3")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(cwd)}
    log = open(cwd / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "sim.ui", "--port", "0", "--save-dir", str(cwd)], cwd=cwd, env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.time() + 90
        while True:
            found = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)", (cwd / "server.log").read_text())
            if found:
                port, token = int(found.group(1)), found.group(2)
                try:
                    if get(port, "/", token=token)[0] == 302:
                        break
                except OSError:
                    pass
            assert proc.poll() is None, (cwd / "server.log").read_text()
            assert time.time() < deadline, "server did not answer in 90 s: " + (cwd / "server.log").read_text()
            time.sleep(0.3)
        yield proc, port, token
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        log.close()


def get(port, path, token=None, cookie=None, host=None, origin=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Host": host or f"127.0.0.1:{port}"}
    if cookie:
        headers["Cookie"] = f"triad_token_{port}={cookie}"
    if origin:
        headers["Origin"] = origin
    conn.request("GET", path + (f"?token={token}" if token else ""), headers=headers)
    r = conn.getresponse()
    out = r.status, dict(r.getheaders()), r.read()
    conn.close()
    return out


def ws(port, cookie=None, origin=None):
    """Open the page's Jupyter-widget WebSocket as a browser would; the handshake's status."""
    from websockets.exceptions import InvalidStatus
    from websockets.sync.client import connect

    headers = {}
    if cookie:
        headers["Cookie"] = f"triad_token_{port}={cookie}"
    url = f"ws://127.0.0.1:{port}/jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={uuid.uuid4()}"
    try:
        with connect(url, origin=origin, additional_headers=headers, open_timeout=20):
            return 101
    except InvalidStatus as exc:
        return exc.response.status_code


def test_H6_token_host_origin(server):
    _, port, token = server
    me = f"http://127.0.0.1:{port}"
    status, headers, body = get(port, "/")
    assert status == 403 and b"missing or wrong token" in body
    assert get(port, "/", token="wrong")[0] == 403
    status, headers, _ = get(port, "/", token=token)  # the printed URL: the token becomes a cookie
    assert status == 302 and headers["location"] == "/"
    assert headers["set-cookie"] == f"triad_token_{port}={token}; Path=/; HttpOnly; SameSite=Strict"
    assert get(port, "/", cookie=token)[0] == 200
    status, _, body = get(port, "/", cookie=token, host=f"evil.example:{port}")  # DNS rebinding
    assert status == 403 and b"Host 'evil.example" in body
    assert get(port, "/", cookie=token, origin="http://evil.example")[0] == 403
    # the WebSocket: another Origin is refused even with the token; no token is refused; ours works
    assert ws(port, cookie=token, origin="http://evil.example") == 403
    assert ws(port, origin=me) == 403
    assert ws(port, cookie=token, origin=me) == 101


def test_L19_internals_not_served(server):
    _, port, token = server
    assert get(port, "/resourcez", cookie=token)[0] == 403
    assert get(port, "/resourcez")[0] == 403


def test_L20_sigterm_stops_the_server(server):
    proc, port, token = server
    t0 = time.perf_counter()
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=15)
    assert time.perf_counter() - t0 < 15 and proc.returncode in (0, -signal.SIGTERM)


def test_L1_port_in_use_and_bad_host(capsys):
    import socket

    from sim.ui.server import main

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        busy = s.getsockname()[1]
        assert main(["--port", str(busy)]) == 2
    err = capsys.readouterr()
    assert err.out == "" and err.err.startswith(f"triad-explore: error: cannot listen on 127.0.0.1:{busy}: ")
    assert main(["--host", "999.1.1.1", "--port", "0"]) == 2
    assert "cannot listen on 999.1.1.1:0" in capsys.readouterr().err


def test_M6_server_side_bounds():
    from sim.ui import compute
    from sim.ui.scenario import Scenario

    for bad in (3000, 10**9, 0, -5, True):
        with pytest.raises(ConfigError, match=rf"^ensemble.replicates: {bad!r} is out of range; allowed: 1..1000"):
            compute.simulate(Scenario(replicates=bad))


def test_M6_time_bound(monkeypatch):
    import sim.runs.simulate as job  # where the command line's estimate check lives (sim.runs.orchestrate)
    from sim.ui import compute
    from sim.ui.scenario import Scenario

    seen = []

    def refuse(settings, plan, max_hours):  # the command line's estimate check, with the explorer's bound
        seen.append((settings.replicates, max_hours))
        raise ConfigError("ensemble.replicates", "would take about 9 min")

    monkeypatch.setattr(job, "check_duration", refuse)
    with pytest.raises(TriadError, match="would take"):
        compute.simulate(Scenario(replicates=1000))
    assert seen == [(1000, compute.MAX_SECONDS / 3600)]


def _timeline():
    from sim.config.spec import build_spec
    from sim.ui import compute

    return build_spec(compute.base_config()[0]).settings.events


def test_H6_save_only_into_the_chosen_folder(tmp_path, monkeypatch):
    from sim.ui import options
    from sim.ui.scenario import SaveError, Scenario, save

    chosen, other = tmp_path / "chosen", tmp_path / "other"
    chosen.mkdir()
    other.mkdir()
    monkeypatch.setattr(options, "_save_dir", str(chosen))
    with pytest.raises(SaveError, match="the explorer saves only into"):
        save(Scenario(name="remote_pwned"), _timeline(), other)
    assert list(other.iterdir()) == []
    assert save(Scenario(name="mine"), _timeline(), chosen) == chosen / "experiment" / "mine.yaml"


def test_M7_save_name_of_builtin_experiment_refused(tmp_path, monkeypatch):
    from sim.config.locate import experiments_dir
    from sim.ui import options
    from sim.ui.scenario import SaveError, Scenario, save

    monkeypatch.setattr(options, "_save_dir", str(tmp_path))
    builtin = sorted(p.stem for p in experiments_dir().glob("*.yaml"))[0]
    with pytest.raises(SaveError, match="built-in experiment"):
        save(Scenario(name=builtin), _timeline(), tmp_path)
    assert not (tmp_path / "experiment").exists()


def test_M24_untick_event_and_its_anchored_event():
    from sim.config.spec import build_spec
    from sim.engine.events import dependents
    from sim.runs.plan import plan_run
    from sim.ui import compute
    from sim.ui.scenario import EventChoice, Scenario, to_plain

    timeline = _timeline()
    anchor = next(ev for ev in timeline if dependents(list(timeline), ev.id))
    dep = dependents(list(timeline), anchor.id)[0]
    sc = Scenario(events={anchor.id: EventChoice(keep=False), dep: EventChoice(keep=False)}, replicates=20,
                  name="two_off")
    assert sc.ops(timeline) == [{"remove": {"event": anchor.id, "cascade": True}}]
    spec = build_spec(to_plain(compute.base_config()[0], sc, timeline))
    assert {anchor.id, dep} <= set(plan_run(spec).applied["two_off"].changed_events)

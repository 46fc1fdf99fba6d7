"""The supervisor that `make run` uses, with real processes: a kept process that exits is started
again after a growing pause, one that is killed too; everything stops when the main process
exits (with its code) or on Ctrl-C (SIGINT) and SIGTERM."""

import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from libranet.tests.servers import wait_for

# A child that writes its pid to a file on start, then sleeps (or exits at once with a code).
CHILD = (
    "import os, sys, time; "
    "open(sys.argv[1], 'a').write(f'{os.getpid()} {time.monotonic()}\\n'); "
    "code = int(sys.argv[2]); "
    "time.sleep(3600) if code < 0 else sys.exit(code)"
)


def child(starts: Path, code: int = -1) -> str:
    return f'{sys.executable} -c "{CHILD}" {starts} {code}'


def supervise(*args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "libranet.worker.supervisor", "--delay", "0.2", *args],
        stderr=subprocess.PIPE,
        text=True,
    )


def starts(path: Path) -> list[tuple[int, float]]:
    if not path.exists():
        return []
    return [
        (int(pid), float(at))
        for pid, at in (line.split() for line in path.read_text().splitlines())
    ]


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie waiting for its parent counts as gone.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"


@pytest.fixture
def cleanup():
    processes: list[subprocess.Popen] = []
    yield processes.append
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


def test_a_kept_process_that_exits_is_started_again_with_growing_pauses(tmp_path, cleanup):
    crashing, main = tmp_path / "crashing", tmp_path / "main"
    supervisor = supervise(
        "--max-delay",
        "0.8",
        "--keep",
        f"crashing={child(crashing, 3)}",
        "--",
        *shlex.split(child(main)),
    )
    cleanup(supervisor)
    wait_for(lambda: len(starts(crashing)) >= 5, what="five starts", timeout=20)
    moments = [at for _pid, at in starts(crashing)]
    pauses = [later - earlier for earlier, later in zip(moments, moments[1:], strict=False)]
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=15) == 128 + signal.SIGTERM
    said = re.findall(
        r"crashing exited with code 3; starting it again in ([0-9.]+) s", supervisor.stderr.read()
    )
    # Growing, then capped: 0.2, 0.4, 0.8, 0.8 s. Each pause lasted at least that (a start's
    # time comes on top, longer on a busy machine: only the lower bound is certain).
    delays = [float(d) for d in said[:4]]
    assert delays == [0.2, 0.4, 0.8, 0.8]
    assert all(pause >= delay for pause, delay in zip(pauses, delays, strict=False))
    assert not running(starts(main)[0][0])


def test_a_killed_worker_is_started_again_and_ctrl_c_stops_everything(tmp_path, cleanup):
    worker, main = tmp_path / "worker", tmp_path / "main"
    supervisor = supervise("--keep", f"worker={child(worker)}", "--", *shlex.split(child(main)))
    cleanup(supervisor)
    [(first, _at)] = wait_for(lambda: starts(worker), what="the worker's start")
    os.kill(first, signal.SIGKILL)
    wait_for(lambda: len(starts(worker)) == 2, what="the worker started again")
    second = starts(worker)[1][0]
    supervisor.send_signal(signal.SIGINT)  # what Ctrl-C sends
    assert supervisor.wait(timeout=15) == 128 + signal.SIGINT
    assert not running(second) and not running(starts(main)[0][0])
    assert "worker exited with code -9" in supervisor.stderr.read()


def test_everything_stops_when_the_main_process_exits_with_its_code(tmp_path, cleanup):
    kept, main = tmp_path / "kept", tmp_path / "main"
    supervisor = supervise("--keep", f"kept={child(kept)}", "--", *shlex.split(child(main, 4)))
    cleanup(supervisor)
    assert supervisor.wait(timeout=15) == 4
    wait_for(lambda: not running(starts(kept)[0][0]), what="the kept process stopped")


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace(tmp_path, cleanup):
    ready = tmp_path / "ignoring"
    ignore = (
        "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "open(sys.argv[1], 'w').close(); time.sleep(3600)"
    )
    stubborn = f'{sys.executable} -c "{ignore}" {ready}'
    supervisor = supervise(
        "--grace",
        "0.5",
        "--keep",
        f"stubborn={stubborn}",
        "--",
        *shlex.split(child(tmp_path / "main")),
    )
    cleanup(supervisor)
    wait_for(ready.exists, what="the child ignoring SIGTERM")  # however slow its start
    supervisor.send_signal(signal.SIGTERM)
    assert supervisor.wait(timeout=15) == 128 + signal.SIGTERM
    assert "stubborn still running after 0.5 s: killed" in supervisor.stderr.read()

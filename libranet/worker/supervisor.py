"""A small process supervisor for `make run`: the main process (gunicorn) and the processes kept
running beside it (the task worker, the schedule's runner, the local ESIA provider).

    python -m libranet.worker.supervisor \\
        --keep "worker=.venv/bin/python manage.py run_worker --interval 0.5" \\
        --keep "schedule=.venv/bin/python manage.py run_schedule" \\
        -- .venv/bin/gunicorn libranet.wsgi

- A kept process that exits, for whatever reason, is started again after a pause: 1 s
  (``--delay``), doubling while it keeps exiting, at most 30 s (``--max-delay``); back to the
  first pause once it has run for a minute.
- When the main process exits, the supervisor stops the others and exits with its code.
- On Ctrl-C (SIGINT) or SIGTERM, it stops everything and exits with 128 + the signal.

Each child runs in its own process group, so a Ctrl-C in the terminal reaches the supervisor
only, and each child is asked once to stop (SIGTERM to its group: gunicorn's and the worker's
graceful stop), then killed (SIGKILL) if still there after ``--grace`` seconds. No Django here:
it only starts commands.
"""

import argparse
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

STEADY_SECONDS = 60.0  # a kept process that ran this long restarts after the first pause again
TICK = 0.1  # how often the supervisor looks at its children


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started: float = 0.0
    restart_at: float | None = None
    delay: float = field(default=0.0)

    def start(self) -> None:
        # Its own process group: the terminal's Ctrl-C goes to the supervisor, which stops each
        # child once; a SIGTERM to the group also reaches what the child started.
        self.process = subprocess.Popen(self.argv, process_group=0)  # noqa: S603
        self.started = time.monotonic()
        self.restart_at = None
        say(f"{self.name} started (pid {self.process.pid})")

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def signal(self, signum: int) -> None:
        if self.running():
            assert self.process is not None
            try:
                os.killpg(self.process.pid, signum)
            except ProcessLookupError:
                pass


def say(message: str) -> None:
    print(f"supervisor: {message}", file=sys.stderr, flush=True)


def parse_keep(value: str) -> tuple[str, list[str]]:
    name, sep, command = value.partition("=")
    if not sep or not name.strip() or not command.strip():
        raise argparse.ArgumentTypeError(f"expected NAME=COMMAND, got {value!r}")
    return name.strip(), shlex.split(command)


class Supervisor:
    def __init__(
        self,
        *,
        main: list[str],
        keep: list[tuple[str, list[str]]],
        delay: float,
        max_delay: float,
        grace: float,
    ) -> None:
        self.main = Child(os.path.basename(main[0]), main)
        self.kept = [Child(name, argv, delay=delay) for name, argv in keep]
        self.first_delay, self.max_delay, self.grace = delay, max_delay, grace
        self.stop_signal: int | None = None

    def request_stop(self, signum: int, frame: object) -> None:
        # Only noted here: the loop stops everything at its next look, never half-way through
        # starting a child.
        if self.stop_signal is None:
            self.stop_signal = signum

    def run(self) -> int:
        """Start everything and watch; returns the supervisor's exit code."""
        signal.signal(signal.SIGINT, self.request_stop)
        signal.signal(signal.SIGTERM, self.request_stop)
        for child in self.kept:
            child.start()
        self.main.start()
        assert self.main.process is not None
        while self.stop_signal is None:
            code = self.main.process.poll()
            if code is not None:
                say(f"{self.main.name} exited with code {code}: stopping everything")
                self.stop_all()
                return code if code >= 0 else 128 - code
            for child in self.kept:
                self.watch(child)
            time.sleep(TICK)
        say(f"{signal.strsignal(self.stop_signal)}: stopping everything")
        self.stop_all()
        return 128 + self.stop_signal

    def watch(self, child: Child) -> None:
        now = time.monotonic()
        if child.restart_at is not None:
            if now >= child.restart_at:
                child.start()
            return
        if child.running():
            return
        assert child.process is not None
        if now - child.started >= STEADY_SECONDS:
            child.delay = self.first_delay
        say(
            f"{child.name} exited with code {child.process.returncode}; "
            f"starting it again in {child.delay:g} s"
        )
        child.restart_at = now + child.delay
        child.delay = min(child.delay * 2, self.max_delay)

    def stop_all(self) -> None:
        children = [self.main, *self.kept]
        for child in children:
            child.signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace
        while any(child.running() for child in children) and time.monotonic() < deadline:
            time.sleep(TICK)
        for child in children:
            if child.running():
                say(f"{child.name} still running after {self.grace:g} s: killed")
                child.signal(signal.SIGKILL)
        for child in children:
            if child.process is not None:
                child.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m libranet.worker.supervisor",
        description="Run a main command and keep others running beside it (see the module).",
    )
    parser.add_argument(
        "--keep",
        action="append",
        type=parse_keep,
        default=[],
        metavar="NAME=COMMAND",
        help="a process to keep running (restarted when it exits); repeatable",
    )
    parser.add_argument("--delay", type=float, default=1.0, help="first pause before a restart")
    parser.add_argument("--max-delay", type=float, default=30.0, help="longest pause")
    parser.add_argument(
        "--grace", type=float, default=10.0, help="seconds to stop before being killed"
    )
    parser.add_argument("main", nargs=argparse.REMAINDER, help="-- the main command")
    args = parser.parse_args(argv)
    command = args.main[1:] if args.main[:1] == ["--"] else args.main
    if not command:
        parser.error("the main command is missing (after --)")
    supervisor = Supervisor(
        main=command, keep=args.keep, delay=args.delay, max_delay=args.max_delay, grace=args.grace
    )
    return supervisor.run()


if __name__ == "__main__":
    sys.exit(main())

"""What every benchmark shares: where things are, the result row, a child's environment."""

import json
import os
import socket
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
BENCH_DIR = ROOT / "bench"
HOST = "127.0.0.1"  # the load never leaves this machine


@dataclass
class Result:
    """One row of bench/results.json; ``ratio`` is always "higher is better"."""

    name: str
    value: float
    unit: str
    baseline: float
    ratio: float
    goal: float | None = None


def bench_env(data_dir: Path | str, **extra: str) -> dict[str, str]:
    """The environment of every child: our data folder, and nothing that could point elsewhere."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "LIBRANET_CACHE_URL")}
    # Production settings would redirect plain HTTP; DEBUG would measure a different app.
    env.update(LIBRANET_DATA_DIR=str(data_dir), LIBRANET_DEBUG="0", LIBRANET_PRODUCTION="0")
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def run_child(script: str, args: list[str], env: dict[str, str], out: Path) -> list[Result]:
    """Run ``script --child ARGS --out OUT`` (a benchmark measured in a process of its own, with
    its own settings) and read the result rows it wrote to ``out``; stop the run if it fails."""
    command = [str(BIN / "python"), str(Path(script).resolve()), "--child", *args]
    done = subprocess.run([*command, "--out", str(out)], cwd=ROOT, env=env)
    if done.returncode:
        sys.exit(f"bench/{Path(script).name} failed with {done.returncode}")
    return [Result(**row) for row in json.loads(out.read_text())]


def report_alone(results: list[Result]) -> None:
    """A benchmark run alone: its rows printed with their goals, and merged into
    bench/results.json beside the other benchmarks' rows (bench/run.py writes them all)."""
    out = BENCH_DIR / "results.json"
    rows = json.loads(out.read_text()) if out.exists() else []
    names = {r.name for r in results}
    rows = [row for row in rows if row.get("name") not in names] + [asdict(r) for r in results]
    out.write_text(json.dumps(rows, indent=2) + "\n")
    for r in results:
        goal = (
            ""
            if r.goal is None
            else f" (goal {r.goal:g}: {'met' if r.ratio >= r.goal else 'NOT met'})"
        )
        print(
            f"{r.name:<34} {r.value:10.1f} {r.unit:<6} baseline {r.baseline:10.1f}  "
            f"ratio {r.ratio:5.2f}{goal}"
        )

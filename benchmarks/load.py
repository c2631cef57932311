"""Load test: gunicorn with production settings on 127.0.0.1, a mixed workload from wrk.

    make load                                  # SQLite bench database in var/bench
    make load LOAD_ARGS="--seconds 60 --connections 10,50"

The bench dataset must exist (``make bench`` builds it). The script starts gunicorn with
``gunicorn.conf.py`` (the production configuration) on a free loopback port, logs in as the
international office user, then runs wrk over the mix of the issue's probe — the agreements
list, the institutions list, a partner page, the search, the agreements API list and
``/healthz``, in turn — once per connection count for a bounded time. It prints requests/s,
the p50/p95/p99 latency, errors (socket errors and answers of 400 or more) and the CPU time
the gunicorn workers spent per request.
"""

import argparse
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class LoadResult:
    connections: int
    seconds: int
    requests: int
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    cpu_ms_per_request: float


def mix() -> list[str]:
    """The URLs of the mix, from the bench dataset (Django set up in this process)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "unibridge.settings")
    django.setup()
    from benchmarks import dataset
    from unibridge.institutions.models import Institution

    if not dataset.is_built():
        sys.exit("The bench dataset is missing: run `make bench` first (it builds it once).")
    agh = Institution.objects.get(hei_id="agh.edu.pl")
    return [
        "/agreements/",
        "/institutions/",
        agh.get_absolute_url(),
        "/search/?q=Krakow",
        "/api/v1/agreements/",
        "/healthz",
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with status {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit("gunicorn did not answer /healthz in time")


def cookies_of(response: http.client.HTTPResponse) -> dict[str, str]:
    # Set-Cookie parsed by hand: the cookies are Secure in production settings, which a
    # cookie jar would refuse to send back over plain HTTP on loopback.
    found = {}
    for header in response.headers.get_all("Set-Cookie") or ():
        name, _, rest = header.partition("=")
        found[name.strip()] = rest.split(";", 1)[0]
    return found


def log_in(port: int, username: str, password: str) -> str:
    """A Cookie header of a logged-in session, through the real login form."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    page = response.read().decode()
    cookies = cookies_of(response)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if not token:
        sys.exit("The login page has no CSRF token")
    body = f"csrfmiddlewaretoken={token.group(1)}&username={username}&password={password}&next=/"
    connection.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookies['csrftoken']}",
        },
    )
    response = connection.getresponse()
    response.read()
    session = cookies_of(response).get("sessionid")
    if response.status != 302 or not session:
        sys.exit(f"Logging in as {username} failed (HTTP {response.status})")
    return f"sessionid={session}; csrftoken={cookies['csrftoken']}"


LUA = """
local paths = {%(paths)s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1], {["Cookie"] = "%(cookie)s"})
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%d %%.3f %%.3f %%.3f\\n", summary.requests,
    summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000))
end
"""


def check_mix(port: int, paths: list[str], cookie: str) -> None:
    """Every URL of the mix answers 200 to the session (not a redirect to the login page)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    for path in paths:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        response.read()
        if response.status != 200:
            sys.exit(f"{path} answers HTTP {response.status}, not 200: the mix would be wrong")


def worker_cpu_seconds(master: int) -> float:
    """User and system CPU of the master's worker processes, in seconds."""
    total = 0
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def run_wrk(port: int, script: Path, connections: int, seconds: int, master: int) -> LoadResult:
    cpu_before = worker_cpu_seconds(master)
    output = subprocess.run(
        [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    cpu = worker_cpu_seconds(master) - cpu_before
    line = next(row for row in output.splitlines() if row.startswith("RESULT "))
    requests, duration_us, errors, p50, p95, p99 = line.split()[1:]
    count = int(requests)
    return LoadResult(
        connections=connections,
        seconds=seconds,
        requests=count,
        rps=count / (int(duration_us) / 1e6),
        p50_ms=float(p50),
        p95_ms=float(p95),
        p99_ms=float(p99),
        errors=int(errors),
        cpu_ms_per_request=cpu * 1000 / max(count, 1),
    )


def table(results: list[LoadResult]) -> str:
    lines = [
        "| connections | seconds | requests | requests/s | p50 ms | p95 ms | p99 ms | errors "
        "| worker CPU ms/request |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.connections} | {r.seconds} | {r.requests} | {r.rps:.1f} | {r.p50_ms:.0f} "
            f"| {r.p95_ms:.0f} | {r.p99_ms:.0f} | {r.errors} | {r.cpu_ms_per_request:.1f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="length of each run (30)")
    parser.add_argument("--connections", default="10,50", help="connection counts (10,50)")
    parser.add_argument("--warmup", type=int, default=5, help="seconds of warm-up (5)")
    parser.add_argument("--output", default="", help="also write the Markdown table here")
    parser.add_argument(
        "--code",
        default=str(ROOT),
        help="serve the code of this checkout instead (an older commit's worktree, to compare)",
    )
    parser.add_argument(
        "--plain",
        action="store_true",
        help="plain gunicorn (no gunicorn.conf.py: no heap freeze, default collector) with "
        "the same number of workers, to compare",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: apt-get install wrk")

    paths = mix()
    from unibridge.accounts.demo import demo_password

    port = free_port()
    code = Path(args.code).resolve()
    env = {
        **os.environ,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "PYTHONPATH": str(code),
    }
    if args.plain:
        workers = os.environ.get("WEB_CONCURRENCY", str((os.cpu_count() or 1) * 2))
        options = ["--bind", f"127.0.0.1:{port}", "--workers", workers, "--preload"]
    else:
        options = ["-c", str(ROOT / "gunicorn.conf.py")]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", *options, "unibridge.wsgi"],
        cwd=code,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_up(port, server)
        cookie = log_in(port, "office", demo_password())
        check_mix(port, paths, cookie)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            handle.write(LUA % {"paths": ", ".join(f'"{p}"' for p in paths), "cookie": cookie})
            script = Path(handle.name)
        print(f"Mix: {', '.join(paths)}")
        if args.warmup:
            run_wrk(port, script, 10, args.warmup, server.pid)
        results = []
        for connections in (int(c) for c in args.connections.split(",")):
            result = run_wrk(port, script, connections, args.seconds, server.pid)
            print(
                f"  {connections} connections: {result.rps:.1f} requests/s, "
                f"p95 {result.p95_ms:.0f} ms, {result.errors} errors"
            )
            results.append(result)
        markdown = table(results)
        print()
        print(markdown)
        if args.output:
            Path(args.output).write_text(markdown + "\n", encoding="utf-8")
        script.unlink()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()

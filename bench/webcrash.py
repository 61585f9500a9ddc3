#!/usr/bin/env python3
"""Crash loops under write load (driven by bench/web-crash; docs/RELIABILITY.md).

sqlite:   `chiso serve` is killed with SIGKILL at a random moment while reporters save,
          then started again, --cycles times. After each restart, with the reporters
          paused: every acknowledged save is in the database (bench/webload.py check:
          current figures and the audit trail), PRAGMA integrity_check = ok, `chiso verify`
          passes. Then the load resumes.
postgres: `chiso serve` (DATABASE_URL) stays up; the PostgreSQL server is stopped in
          immediate mode (no shutdown checkpoint: crash recovery on start) and started
          again while reporters save, --cycles times. After each restart: the time until
          chiso acknowledges a save again, then the same checks.
Prints one line per cycle and a JSON summary (also written to --out).
"""

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import webload  # noqa: E402


def healthy(base):
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


async def start_server(chiso, work, db, port):
    log = open(work / "serve.log", "a")
    t = time.monotonic()
    p = subprocess.Popen([chiso, "serve", "--bind", f"127.0.0.1:{port}", "--db", db, "--data-dir",
                          str(work / "data")], cwd=work, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    while not healthy(base):
        if p.poll() is not None or time.monotonic() - t > 120:
            raise RuntimeError(f"chiso serve did not start: see {work / 'serve.log'}")
        await asyncio.sleep(0.01)
    return p, time.monotonic() - t


async def drained(stats):
    while stats.inflight:
        await asyncio.sleep(0.01)


def pg(cmd):
    subprocess.run(["su", "postgres", "-c", cmd], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


async def main(a):
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    os.environ["CHISO_DATA_DIR"] = str(work / "data")  # `chiso verify` checks the head with its key
    db = a.db or f"sqlite://{work / 'chiso.sqlite'}"
    port = a.port
    server, started = await start_server(a.chiso, work, db, port)
    base = f"http://127.0.0.1:{port}"
    password = next(line.split("admin / ")[1].split()[0] for line in open(work / "serve.log") if "admin / " in line)
    await webload.setup(base, password, a.reporters, work / "state.json")
    state = json.loads((work / "state.json").read_text())
    stats = webload.Stats()
    stats.inflight = 0
    cycles = []
    problems_total = 0
    async with webload.client(a.reporters) as http:
        reporters = webload.make_reporters(http, state)
        await webload.login_all(reporters)
        webload.continue_from(db, reporters)
        since = webload.audit_head(db)
        gate, stop = asyncio.Event(), asyncio.Event()
        gate.set()
        load = asyncio.create_task(webload.run_load(reporters, stats, 1e9, a.think, gate, stop))
        for cycle in range(1, a.cycles + 1):
            acked_before = stats.acked
            await asyncio.sleep(random.uniform(a.min_load, a.max_load))
            row = {"cycle": cycle}
            if a.backend == "sqlite":
                server.send_signal(signal.SIGKILL)
                server.wait()
                gate.clear()
                await drained(stats)
                row["acked_before_kill"] = stats.acked - acked_before
                server, row["restart_s"] = await start_server(a.chiso, work, db, port)
            else:
                t = time.monotonic()
                pg(f"{a.pg_bin}/pg_ctl -D {a.pg_dir}/data -m immediate stop")
                await asyncio.sleep(a.pg_down)
                pg(f"{a.pg_bin}/pg_ctl -D {a.pg_dir}/data -o '-c listen_addresses=127.0.0.1 -p {a.pg_port} "
                   f"-k {a.pg_dir}' -l {a.pg_dir}/log -w start")
                row["pg_restart_s"] = round(time.monotonic() - t, 2)
                t, acked = time.monotonic(), stats.acked
                while stats.acked == acked:
                    if time.monotonic() - t > 120:
                        raise RuntimeError("chiso did not acknowledge a save within 120 s of PostgreSQL's restart")
                    await asyncio.sleep(0.01)
                row["recovered_s"] = round(time.monotonic() - t, 2)
                gate.clear()
                await drained(stats)
                row["acked_in_cycle"] = stats.acked - acked_before
            problems, counts = webload.check(db, [r.record() for r in reporters], since)
            ok, verify = webload.chiso_verify(a.chiso, db)
            row.update(lost=len(problems), integrity=webload.integrity(db), verify=verify if not ok else "ok",
                       acknowledged_total=counts["acknowledged"], status=dict(stats.status))
            if "restart_s" in row:
                row["restart_s"] = round(row["restart_s"], 3)
            problems_total += len(problems) + (not ok) + (not row["integrity"].startswith("ok"))
            print(json.dumps(row, ensure_ascii=False), flush=True)
            for p in problems[:5]:
                print("  " + p, flush=True)
            cycles.append(row)
            gate.set()
        stop.set()
        gate.set()
        await load
    problems, counts = webload.check(db, [r.record() for r in reporters], since)
    ok, verify = webload.chiso_verify(a.chiso, db)
    server.terminate()
    server.wait()
    summary = {
        "backend": a.backend, "cycles": a.cycles, "reporters": a.reporters, "think_s": a.think,
        "acknowledged": counts["acknowledged"], "committed_unacknowledged": counts["committed_unacknowledged"],
        "lost": len(problems), "problem_cycles": sum(1 for c in cycles if c["lost"] or c["verify"] != "ok"
                                                     or not c["integrity"].startswith("ok")),
        "final_verify": verify, "status": stats.status,
    }
    key = "restart_s" if a.backend == "sqlite" else "recovered_s"
    values = sorted(c[key] for c in cycles)
    if values:
        summary[key] = {"median": values[len(values) // 2], "max": values[-1]}
    print(json.dumps(summary, ensure_ascii=False))
    Path(a.out).write_text(json.dumps({"summary": summary, "cycles": cycles}, ensure_ascii=False, indent=1))
    return 0 if problems_total == 0 and not problems and ok else 1


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    ap.add_argument("--chiso", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--db", help="postgres://… (sqlite: a file in --work)")
    ap.add_argument("--cycles", type=int, default=50)
    ap.add_argument("--reporters", type=int, default=200)
    ap.add_argument("--think", type=float, default=0.2, help="mean seconds between a reporter's saves")
    ap.add_argument("--min-load", type=float, default=0.5, help="seconds of load before a crash, at least")
    ap.add_argument("--max-load", type=float, default=3.0)
    ap.add_argument("--pg-bin")
    ap.add_argument("--pg-dir")
    ap.add_argument("--pg-port")
    ap.add_argument("--pg-down", type=float, default=0.5, help="seconds PostgreSQL stays down")
    ap.add_argument("--out", required=True)
    sys.exit(asyncio.run(main(ap.parse_args())))

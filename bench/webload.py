#!/usr/bin/env python3
"""Reporters under load for `chiso serve` (docs/BENCHMARKS.md, docs/RELIABILITY.md).

Each simulated reporter is a real account bound to one department and writes one
(period, unit) of its own: it logs in (login CSRF cookie + form), fetches its unit's
form for the session's CSRF token, then posts "Lưu nháp" (save) over and over. Save
number `seq` of a reporter writes figures that encode `seq` (see `figures`), so the
database tells which save it holds. A save is *acknowledged* only when the server
answers 303 with the form's own address as Location; anything else (4xx, 5xx, a
dropped connection) is not acknowledged, and the save may or may not have been
committed ("uncertain").

Subcommands (all loopback):
  setup   as the administrator: open periods 2101, 2102, … (department), create the
          reporters r0000, r0001, … through the admin web form; writes a state file.
  load    log every reporter in, then save for --duration seconds (closed loop, with
          optional think time); writes a results file (per reporter: every attempted
          seq and which were acknowledged; latencies; status counts).
  check   compare a results file with the database: the unit's current figures are
          the last acknowledged save or a later uncertain one, and the audit trail
          holds every acknowledged save, in order (no acknowledged save lost, none
          invented).
The crash loops (bench/web-crash) import this module and drive the same reporters.
"""

import argparse
import asyncio
import contextlib
import json
import math
import os
import random
import re
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-reporter-password"
PASSWORD_GIVEN = "bench-reporter-first-password"  # set by the administrator, changed at first login
FIRST_YEAR = 2101
KIND = "department"
CSRF = re.compile(r'name="csrf" value="([^"]*)"')
ADMIN_NEW_PASSWORD = "bench-webload-quantri-mat-khau-2024"


def departments():
    """The seeded department ids, in file order (the embedded dataset is data/cao-bang)."""
    units = tomllib.loads((ROOT / "data/cao-bang/units.toml").read_text())["unit"]
    return [u["id"] for u in units if u["kind"] == KIND and "until" not in u]


def assignment(i, depts):
    """Reporter i writes (year, unit): one period per len(depts) reporters."""
    return FIRST_YEAR + i // len(depts), depts[i % len(depts)]


def figures(seq):
    """Save number `seq` as the form's figures (direct points, one decimal; every field
    stays within its maximum): web = seq mod 200, app = next 160, infra = next 80.
    Consecutive saves always differ in `web`, so each committed save leaves exactly one
    audit event on …/web."""
    web = seq % 200
    app = (seq // 200) % 160
    infra = (seq // 32000) % 80
    return {
        "infra": f"{infra // 10}.{infra % 10}",
        "app": f"{app // 10}.{app % 10}",
        "web": f"{web // 10}.{web % 10}",
        "online_services": "2",
        "staff": "3",
        "policy": "4",
    }


def canon(v):
    """'12.0' and '12' are the same figure; the server stores what was typed."""
    return v.strip().replace(",", ".")


class Stats:
    def __init__(self):
        self.latencies = []  # seconds, acknowledged saves
        self.status = {}  # "303", "500", "conn" … → count
        self.acked = 0
        self.inflight = 0  # saves sent and not answered yet
        self.t0 = self.t1 = None

    def add_status(self, key):
        self.status[key] = self.status.get(key, 0) + 1

    def five_xx(self):
        return sum(n for k, n in self.status.items() if k.isdigit() and int(k) >= 500)

    def summary(self):
        lat = sorted(self.latencies)

        def pct(p):
            if not lat:
                return None
            return lat[min(len(lat) - 1, math.ceil(p / 100 * len(lat)) - 1)] * 1000

        secs = (self.t1 or time.monotonic()) - (self.t0 or time.monotonic())
        return {
            "acknowledged": self.acked,
            "seconds": round(secs, 2),
            "acknowledged_per_second": round(self.acked / secs, 1) if secs > 0 else None,
            "p50_ms": pct(50),
            "p99_ms": pct(99),
            "max_ms": lat[-1] * 1000 if lat else None,
            "status": dict(sorted(self.status.items())),
            "5xx": self.five_xx(),
        }


class Reporter:
    def __init__(self, http, base, name, year, unit):
        self.http, self.base, self.name, self.year, self.unit = http, base, name, year, unit
        self.cookies = {}
        self.csrf = None
        self.seq = 0  # next save number
        self.attempted = []  # every seq sent
        self.acked = []  # the acknowledged ones

    @property
    def path(self):
        return f"/nop/{self.year}/{KIND}/{self.unit}"

    def _cookie_header(self):
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _keep_cookies(self, r):
        for v in r.headers.getall("Set-Cookie", []):
            kv = v.split(";", 1)[0]
            k, _, val = kv.partition("=")
            if "Max-Age=0" in v:
                self.cookies.pop(k, None)
            else:
                self.cookies[k] = val

    async def request(self, method, path, data=None):
        async with self.http.request(
            method,
            self.base + path,
            data=data,
            headers={"Cookie": self._cookie_header()},
            allow_redirects=False,
        ) as r:
            body = await r.text()
            self._keep_cookies(r)
            return r.status, r.headers.get("Location"), body

    async def login(self, password=PASSWORD):
        _, _, body = await self.request("GET", "/dang-nhap")
        token = CSRF.search(body).group(1)
        st, loc, body = await self.request(
            "POST", "/dang-nhap", {"csrf": token, "username": self.name, "password": password}
        )
        if (st, loc) != (303, "/cong-viec"):
            raise RuntimeError(f"{self.name}: login answered {st} {loc}: {body[:200]}")

    async def fetch_form(self):
        st, _, body = await self.request("GET", self.path)
        m = CSRF.search(body)
        if st != 200 or not m:
            raise RuntimeError(f"{self.name}: form {self.path} answered {st}")
        self.csrf = m.group(1)

    async def save(self, stats):
        """One save; True when acknowledged. Raises nothing: errors are counted."""
        seq = self.seq
        self.seq += 1
        data = dict(figures(seq), csrf=self.csrf, action="save")
        self.attempted.append(seq)
        t = time.monotonic()
        stats.inflight += 1
        try:
            st, loc, _ = await self.request("POST", self.path, data)
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            stats.add_status("conn")
            return False
        finally:
            stats.inflight -= 1
        stats.add_status(str(st))
        if st == 303 and loc.split("?")[0] == self.path:
            stats.latencies.append(time.monotonic() - t)
            stats.acked += 1
            self.acked.append(seq)
            return True
        return False

    def record(self):
        return {"name": self.name, "year": self.year, "unit": self.unit, "attempted": self.attempted,
                "acked": self.acked}


def client(n, local=None):
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=n + 16, limit_per_host=n + 16, local_addr=local),
        cookie_jar=aiohttp.DummyCookieJar(),
        timeout=aiohttp.ClientTimeout(total=120),
    )


# ---------------------------------------------------------------- setup


async def setup(base, admin_password, n, state_path):
    depts = departments()
    periods = math.ceil(n / len(depts))
    async with client(8) as http:
        admin = Reporter(http, base, "admin", 0, "")
        await admin.login(admin_password)
        st, loc, body = await admin.request("GET", "/quan-tri")
        if st == 303 and loc.endswith("/tai-khoan"):
            # the administrator's one-time password is changed before anything else
            _, _, body = await admin.request("GET", "/tai-khoan")
            token = CSRF.search(body).group(1)
            st, _, body = await admin.request(
                "POST", "/tai-khoan",
                {"csrf": token, "current": admin_password, "new": ADMIN_NEW_PASSWORD,
                 "repeat": ADMIN_NEW_PASSWORD},
            )
            if st != 303:
                raise RuntimeError(f"changing the one-time password: {st} {body[:300]}")
            await admin.login(ADMIN_NEW_PASSWORD)  # a changed password ends every session
            st, loc, body = await admin.request("GET", "/quan-tri")
        admin.csrf = CSRF.search(body).group(1)
        existing = {int(y) for y in re.findall(r"<tr><td>(\d{4})</td><td>department</td>", body)}
        for k in range(periods):
            year = FIRST_YEAR + k
            if year in existing:
                continue
            st, _, body = await admin.request(
                "POST", "/quan-tri/ky",
                {"csrf": admin.csrf, "year": str(year), "framework": "cao-bang-1513-department",
                 "deadline": "2999-12-31"},
            )
            if st != 303:
                raise RuntimeError(f"opening period {year}: {st} {body[:300]}")
        users = [(f"r{i:04d}",) + assignment(i, depts) for i in range(n)]
        sem = asyncio.Semaphore(2)  # the server hashes each password (argon2id): 2 cores

        async def add(name, year, unit):
            async with sem:
                st, _, body = await admin.request(
                    "POST", "/quan-tri/nguoi-dung",
                    {"csrf": admin.csrf, "username": name, "password": PASSWORD_GIVEN, "role": "reporter",
                     "units": unit},
                )
                if st != 303:
                    raise RuntimeError(f"creating {name}: {st} {body[:300]}")
                # an account made by the administrator changes its password at first login
                r = Reporter(http, base, name, year, unit)
                await r.login(PASSWORD_GIVEN)
                _, _, body = await r.request("GET", "/tai-khoan")
                st, _, body = await r.request(
                    "POST", "/tai-khoan",
                    {"csrf": CSRF.search(body).group(1), "current": PASSWORD_GIVEN,
                     "new": PASSWORD, "repeat": PASSWORD},
                )
                if st != 303:
                    raise RuntimeError(f"{name}: changing the first password: {st} {body[:300]}")

        t = time.monotonic()
        await asyncio.gather(*(add(*u) for u in users))
        print(f"setup: {periods} open periods, {n} reporters in {time.monotonic() - t:.1f} s", file=sys.stderr)
    Path(state_path).write_text(json.dumps({"base": base, "reporters": users}))


# ---------------------------------------------------------------- load


async def login_all(reporters, concurrency=8):
    sem = asyncio.Semaphore(concurrency)

    async def one(r):
        async with sem:
            await r.login()
            await r.fetch_form()

    t = time.monotonic()
    await asyncio.gather(*(one(r) for r in reporters))
    return time.monotonic() - t


async def run_load(reporters, stats, duration, think, gate=None, stop=None):
    """Every reporter saves until `duration` passes (or `stop` is set). `think`: mean
    seconds between a reporter's saves (uniform 0..2×think; 0 = back to back). `gate`:
    an Event the reporters wait for before each save (the crash loops pause with it)."""
    deadline = time.monotonic() + duration
    stop = stop or asyncio.Event()
    # Spread the first saves over one think time so the load starts flat.
    async def one(r):
        if think:
            await asyncio.sleep(random.uniform(0, think))
        while time.monotonic() < deadline and not stop.is_set():
            if gate is not None and not gate.is_set():
                await gate.wait()
                continue
            ok = await r.save(stats)
            if not ok and gate is not None and not gate.is_set():
                continue
            if think:
                await asyncio.sleep(random.uniform(0, 2 * think))
            elif not ok:
                await asyncio.sleep(0.05)

    stats.t0 = time.monotonic()
    await asyncio.gather(*(one(r) for r in reporters))
    stats.t1 = time.monotonic()


def make_reporters(https, state, n=None):
    rows = state["reporters"][:n] if n else state["reporters"]
    return [Reporter(https[i % len(https)], state["base"], name, year, unit)
            for i, (name, year, unit) in enumerate(rows)]


def audit_head(db):
    return int(query(db, "SELECT COALESCE(MAX(seq), 0) FROM audit")[0][0])


def continue_from(db, reporters):
    """Starts each reporter at a save whose `web` differs from its unit's current one, so
    that its first save is a change (a save that changes nothing leaves no audit event)."""
    years = sorted({r.year for r in reporters})
    now = {(int(y), u): canon(v) for y, u, v in query(
        db, f"SELECT year, unit_id, value FROM answers WHERE kind = '{KIND}' AND field = 'web' "
            f"AND year BETWEEN {years[0]} AND {years[-1]}")}
    for r in reporters:
        v = now.get((r.year, r.unit))
        tenths = round(float(v) * 10) if v not in (None, "", "N/A") else -1
        r.seq = 2000 + (tenths + 1) % 200


async def load(state_path, n, duration, think, out, db):
    state = json.loads(Path(state_path).read_text())
    n = n or len(state["reporters"])
    # Reporters come from many addresses, a hundred per loopback address: the server allows
    # 128 connections per client address (a real province is not one address either).
    async with contextlib.AsyncExitStack() as stack:
        per = 100
        https = [await stack.enter_async_context(client(per, (f"127.0.0.{2 + j}", 0)))
                 for j in range(math.ceil(n / per))]
        reporters = make_reporters(https, state, n)
        continue_from(db, reporters)
        since = audit_head(db)
        took = await login_all(reporters)
        print(f"load: {n} reporters logged in in {took:.1f} s", file=sys.stderr)
        stats = Stats()
        await run_load(reporters, stats, duration, think)
    summary = dict(stats.summary(), reporters=n, think_s=think, duration_s=duration)
    Path(out).write_text(json.dumps({"summary": summary, "audit_since": since,
                                     "reporters": [r.record() for r in reporters]}))
    print(json.dumps(summary))
    return summary


# ---------------------------------------------------------------- check


def query(db, sql):
    """Rows of `sql` from SQLite (a path) or PostgreSQL (a postgres:// URL, via psql)."""
    if db.startswith("postgres"):
        out = subprocess.run(["psql", db, "-X", "-At", "-F", "\t", "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]
    path = db.removeprefix("sqlite://")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return [tuple(str(x) for x in row) for row in con.execute(sql)]
    finally:
        con.close()


def integrity(db):
    if db.startswith("postgres"):
        return "ok (PostgreSQL: no equivalent)"
    path = db.removeprefix("sqlite://")
    con = sqlite3.connect(path, timeout=30)
    try:
        return con.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        con.close()


def check(db, records, since=0, first_year=FIRST_YEAR):
    """Problems (empty: every acknowledged save is in the database) and counts."""
    problems = []
    years = sorted({r["year"] for r in records})
    where = f"year BETWEEN {years[0]} AND {years[-1]} AND kind = '{KIND}'" if years else "1=0"
    current = {}
    for year, unit, field, value in query(db, f"SELECT year, unit_id, field, value FROM answers WHERE {where}"):
        current[(int(year), unit, field)] = value
    events = {}
    rows = query(db, f"SELECT seq, entity, new_value FROM audit WHERE action = 'answer.set' AND seq > {since} "
                     f"AND entity LIKE 'answer/%/{KIND}/%/web' AND CAST(substr(entity, 8, 4) AS INTEGER) >= {first_year} "
                     "ORDER BY seq")
    for _, entity, value in rows:
        events.setdefault(entity, []).append(canon(value))
    acked_total = committed_total = uncertain_committed = 0
    for r in records:
        acked = set(r["acked"])
        acked_total += len(acked)
        if not r["attempted"]:
            continue
        # 1. The current figures: the last acknowledged save, or a later uncertain one.
        last_acked = max(acked) if acked else -1
        allowed = [s for s in r["attempted"] if s >= last_acked]
        now = {f: canon(current.get((r["year"], r["unit"], f), "")) for f in ("infra", "app", "web")}
        if not any(now == {f: canon(figures(s)[f]) for f in now} for s in allowed) and not (
            last_acked < 0 and now == {"infra": "", "app": "", "web": ""}
        ):
            problems.append(f"{r['name']} {r['year']}/{r['unit']}: holds {now}, last acknowledged save "
                            f"{last_acked} = {figures(last_acked) if last_acked >= 0 else '-'}")
        # 2. The audit trail: every acknowledged save, in order, nothing unexplained.
        ev = events.get(f"answer/{r['year']}/{KIND}/{r['unit']}/web", [])
        p = 0
        for s in r["attempted"]:
            w = canon(figures(s)["web"])
            if p < len(ev) and ev[p] == w:
                p += 1
                committed_total += 1
                uncertain_committed += s not in acked
            elif s in acked:
                problems.append(f"{r['name']}: acknowledged save {s} (web={w}) missing from the audit trail")
                break
        else:
            if p != len(ev):
                problems.append(f"{r['name']}: {len(ev) - p} audit events on web that no save explains")
    return problems, {"acknowledged": acked_total, "committed": committed_total,
                      "committed_unacknowledged": uncertain_committed}


def chiso_verify(binary, db):
    r = subprocess.run([binary, "--lang", "en", "verify", "--db", db if "://" in db else f"sqlite://{db}"],
                       capture_output=True, text=True)
    return r.returncode == 0, (r.stdout + r.stderr).strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("setup")
    s.add_argument("--base", required=True)
    s.add_argument("--admin-password", required=True)
    s.add_argument("--reporters", type=int, required=True)
    s.add_argument("--state", required=True)
    s = sub.add_parser("load")
    s.add_argument("--state", required=True)
    s.add_argument("--reporters", type=int)
    s.add_argument("--duration", type=float, default=30)
    s.add_argument("--think", type=float, default=0)
    s.add_argument("--out", required=True)
    s.add_argument("--db", required=True, help="sqlite://path or postgres://… (read: the starting point)")
    s = sub.add_parser("check")
    s.add_argument("--db", required=True)
    s.add_argument("--results", required=True)
    s.add_argument("--chiso", default=str(ROOT / "target/release/chiso"))
    a = ap.parse_args()
    if a.cmd == "setup":
        asyncio.run(setup(a.base, a.admin_password, a.reporters, a.state))
    elif a.cmd == "load":
        asyncio.run(load(a.state, a.reporters, a.duration, a.think, a.out, a.db))
    else:
        results = json.loads(Path(a.results).read_text())
        problems, counts = check(a.db, results["reporters"], results.get("audit_since", 0))
        ok, msg = chiso_verify(a.chiso, a.db)
        result = dict(counts, problems=len(problems), integrity=integrity(a.db), verify=msg)
        print(json.dumps(result, ensure_ascii=False))
        for p in problems[:20]:
            print("  " + p, file=sys.stderr)
        sys.exit(0 if not problems and ok and result["integrity"].startswith("ok") else 1)


if __name__ == "__main__":
    main()

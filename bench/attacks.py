"""The faults and attacks of issue 17, tried from outside against a real `chiso serve`.

Run by bench/attacks (as root: it mounts a small tmpfs). Standard library only. Prints one
line per scenario and writes them to bench/out/attacks-<date>.tsv.
"""

import concurrent.futures as cf
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CHISO = sys.argv[1]
OUT = sys.argv[2]
results = []


def say(scenario, outcome, ok):
    results.append((scenario, outcome, "ok" if ok else "FAILED"))
    print(f"{'ok    ' if ok else 'FAILED'} {scenario}: {outcome}", flush=True)


def request(method, url, body=None, token=None, ctype="application/json", timeout=30):
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None and ctype:
        req.add_header("Content-Type", ctype)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    def __init__(self, work, db, extra=()):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.db = db
        self.log = open(os.path.join(work, "server.log"), "a")
        self.proc = subprocess.Popen(
            [CHISO, "serve", "--bind", f"127.0.0.1:{self.port}", "--db", db,
             "--data-dir", os.path.join(work, "data"), *extra],
            stdout=self.log, stderr=self.log)
        for _ in range(300):
            try:
                if request("GET", self.base + "/healthz", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("the server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def cli(*args):
    return subprocess.run([CHISO, *args], check=True, capture_output=True, text=True).stdout.strip()


def prepare(db):
    """2021 departments open, a reporter for Sở Y tế; tokens for it and the administrator."""
    admin = cli("user", "token", "admin", "--db", db).split()[-1]
    cli("user", "add", "yte", "--role", "reporter", "--units", "so-y-te", "--db", db)
    yte = cli("user", "token", "yte", "--db", db).split()[-1]
    return admin, yte


def full_disk(work):
    mnt = tempfile.mkdtemp(dir=work)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt], check=True)
    try:
        db = f"sqlite://{mnt}/chiso.sqlite"
        server = Server(work, db)
        admin, yte = prepare(db)
        status, body = request("POST", server.base + "/api/v1/periods", admin_form(), admin)
        assert status == 201, (status, body)
        unit = server.base + "/api/v1/periods/2021/department/units/so-y-te"
        fill = os.path.join(mnt, "fill")
        with open(fill, "wb") as f:
            try:
                while True:
                    f.write(b"\7" * 65536)
            except OSError:
                pass

        def save(i):
            body = {"values": {"infra": f"{i // 10}.{i % 10}"},
                    "not_applicable": {"online_services": f"lần {i} " + "ầ" * 1990}}
            return i, request("PUT", unit, body, yte)[0]

        with cf.ThreadPoolExecutor(40) as pool:
            during = list(pool.map(save, range(1, 41)))
        os.remove(fill)
        with cf.ThreadPoolExecutor(10) as pool:
            after = list(pool.map(save, range(41, 51)))
        server.stop()
        acked = [i for i, s in during + after if s == 200]
        statuses = {}
        for _, s in during:
            statuses[s] = statuses.get(s, 0) + 1
        events = json.loads(subprocess.run(
            [sys.executable, "-c", SQL_EVENTS, f"{mnt}/chiso.sqlite"], check=True, capture_output=True).stdout)
        lost = [i for i in acked if f"{i // 10}.{i % 10}" not in events]
        verify = subprocess.run([CHISO, "verify", "--db", db], capture_output=True, text=True)
        after_ok = all(s == 200 for _, s in after)
        say("full disk: 40 saves on a full 8 MB tmpfs, 10 after freeing it",
            f"during {statuses}; after {sum(s == 200 for _, s in after)}/10 × 200; "
            f"{len(acked)} acknowledged, {len(lost)} lost after restart; verify exit {verify.returncode}",
            not lost and after_ok and 500 not in statuses and verify.returncode == 0)
    finally:
        subprocess.run(["umount", "-l", mnt])


SQL_EVENTS = """
import json, sqlite3, sys
c = sqlite3.connect(sys.argv[1])
rows = c.execute("SELECT new_value FROM audit WHERE entity = 'answer/2021/department/so-y-te/infra'").fetchall()
print(json.dumps([r[0].replace(',', '.') for r in rows]))
"""


def admin_form():
    return {"year": "2021", "framework": "cao-bang-1513-department", "deadline": "2099-12-31"}


def connections(work):
    server = Server(work, f"sqlite://{work}/conn.sqlite")
    # A half-sent request: closed by the server (header-read timeout, 20 s).
    s = socket.create_connection(("127.0.0.1", server.port))
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    s.settimeout(60)
    start = time.monotonic()
    try:
        closed = s.recv(1) == b"" or True
    except OSError:
        closed = True
    waited = time.monotonic() - start
    say("a half-sent request", f"closed by the server after {waited:.1f} s", closed and waited < 59)
    # 1,050 silent connections from one address, then a visitor from another.
    flood = []
    for _ in range(1050):
        c = socket.socket()
        c.bind(("127.0.0.2", 0))
        c.connect(("127.0.0.1", server.port))
        flood.append(c)
    start = time.monotonic()
    status = request("GET", server.base + "/healthz", timeout=10)[0]
    took = time.monotonic() - start
    closed = 0
    for c in flood:
        c.settimeout(0.05)
        try:
            if c.recv(1) == b"":
                closed += 1
        except socket.timeout:
            pass
        except OSError:
            closed += 1
        c.close()
    say("1,050 silent connections from one address",
        f"/healthz {status} in {took * 1000:.0f} ms; {closed} of 1,050 closed at once by the server",
        status == 200 and closed >= 1050 - 128)
    server.stop()


def pdfs(work):
    server = Server(work, f"sqlite://{work}/pdf.sqlite")
    url = server.base + "/bao-cao/bao-cao-2020.pdf"
    deadline = time.time() + 180
    while time.time() < deadline and request("GET", url)[0] != 200:
        time.sleep(0.5)

    def soffices():
        """Processes started by this server (its descendants), not other users' LibreOffice."""
        children = {}
        for pid in filter(str.isdigit, os.listdir("/proc")):
            try:
                with open(f"/proc/{pid}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(pid))
            except (OSError, ValueError, IndexError):
                pass
        todo, n = [server.proc.pid], 0
        while todo:
            for c in children.get(todo.pop(), []):
                n += 1
                todo.append(c)
        return n

    before = soffices()
    seen = 0
    with cf.ThreadPoolExecutor(6) as pool:
        futures = [pool.submit(request, "GET", url) for _ in range(6)]
        while not all(f.done() for f in futures):
            seen = max(seen, soffices())
            time.sleep(0.01)
        statuses = [f.result()[0] for f in futures]
        sizes = {len(f.result()[1]) for f in futures}
    say("six simultaneous anonymous PDF downloads",
        f"statuses {statuses}, {len(sizes)} distinct file(s); processes the server started during the "
        f"downloads: {seen} (before: {before})",
        statuses == [200] * 6 and len(sizes) == 1 and seen == 0)
    server.stop()


def main():
    work = tempfile.mkdtemp(prefix="chiso-attacks.")
    # The servers' data directory: `chiso user` and `chiso verify` need its signing key.
    os.environ["CHISO_DATA_DIR"] = os.path.join(work, "data")
    for scenario in (full_disk, connections, pdfs):
        try:
            scenario(work)
        except Exception as e:  # a scenario that cannot run says why
            say(scenario.__name__, f"could not run: {e!r}", False)
    with open(OUT, "w") as f:
        for r in results:
            f.write("\t".join(r) + "\n")
    subprocess.run(["rm", "-rf", work])
    sys.exit(0 if all(r[2] == "ok" for r in results) else 1)


main()

#!/usr/bin/env python3
"""The platform at national scale, loaded and used as an administrator and the public would
(issue 18). Called by bench/national-web/run, which generates the data and the binary.

1. `chiso serve --empty --no-pdf` on a loopback port in a temporary directory (SQLite, or
   the empty PostgreSQL database in BENCH_DATABASE_URL).
2. The administrator logs in (changing the one-time password), uploads the framework and
   the unit registry through the catalogue page, opens 2023 and 2024 as history periods.
3. For each year: downloads the all-units workbook template, fills every unit's sheet with
   the generated figures (the XML of the input cells, column G), uploads it in one file,
   submitted on the units' behalf with a reason.
4. Publishes 2023, previews and publishes 2024, each timed twice: the request (the results,
   the reports' DOCX, XLSX and HTML made and stored before it answers), and until the
   background analysis it queued (each unit's outlook and rank move) is stored.
5. wrk, 64 connections: the public results page and random units' pages (p50/p99), while
   /healthz is polled; two uncached unit pages at once against /healthz.
6. The administrator's exports, the public CSV, a current period's missing list (every unit).
7. The server's peak resident memory (VmHWM of /proc/PID/status).

Times are wall times of one request on loopback (the server's time plus a little transfer).
"""

import argparse
import csv
import http.client
import io
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import zipfile

CSRF = re.compile(r'name="csrf" value="([^"]*)"')
NEW_PASSWORD = "bench-national-quantri-mat-khau-2024"
TARGET_SECONDS = 5.0
TARGET_P99_MS = 50.0
TARGET_RSS_MB = 200.0


class Client:
    """One browser: cookies kept by name, one request per connection."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, timeout=600):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        t = time.monotonic()
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        elapsed = time.monotonic() - t
        for k, v in r.getheaders():
            if k.lower() == "set-cookie":
                name, _, rest = v.partition("=")
                value = rest.split(";", 1)[0]
                if value:
                    self.cookies[name] = value
                else:
                    self.cookies.pop(name, None)
        conn.close()
        return r.status, r.getheader("Location"), data, elapsed

    def get(self, path, expect=200):
        st, loc, data, el = self.request("GET", path)
        if expect is not None and st != expect:
            raise RuntimeError(f"GET {path}: {st} {loc} {data[:500]!r}")
        return data, el

    def form(self, path, fields, expect=303):
        body = urllib.parse.urlencode(fields).encode()
        st, loc, data, el = self.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if expect is not None and st != expect:
            raise RuntimeError(f"POST {path}: {st} {loc} {data[:2000].decode(errors='replace')}")
        return loc, el

    def multipart(self, path, fields, file_field, filename, content, expect=303):
        boundary = "----chisobench" + os.urandom(8).hex()
        out = io.BytesIO()
        for k, v in fields.items():
            out.write(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode())
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
            "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n".encode()
        )
        out.write(content)
        out.write(f"\r\n--{boundary}--\r\n".encode())
        st, loc, data, el = self.request(
            "POST", path, out.getvalue(), {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        )
        if expect is not None and st != expect:
            raise RuntimeError(f"POST {path}: {st} {loc} {data[:3000].decode(errors='replace')}")
        return loc, el

    def csrf(self, path):
        page, _ = self.get(path)
        m = CSRF.search(page.decode())
        if not m:
            raise RuntimeError(f"no CSRF token on {path}")
        return m.group(1)

    def login(self, username, password):
        token = self.csrf("/dang-nhap")
        loc, _ = self.form("/dang-nhap", {"csrf": token, "username": username, "password": password})
        return loc


# ---- the workbook template, filled as a spreadsheet would -----------------------------

SHEET_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)


def shared_strings(z):
    try:
        xml = z.read("xl/sharedStrings.xml").decode()
    except KeyError:
        return []
    out = []
    for si in re.finditer(r"<si>(.*?)</si>", xml, re.S):
        out.append("".join(re.findall(r"<t[^>]*>(.*?)</t>", si.group(1), re.S)))
    return out


def cell_text(attrs, inner, strings):
    if inner is None:
        return ""
    v = re.search(r"<v>(.*?)</v>", inner, re.S)
    if 't="s"' in attrs and v:
        return strings[int(v.group(1))]
    t = re.search(r"<t[^>]*>(.*?)</t>", inner, re.S)
    if t:
        return t.group(1)
    return v.group(1) if v else ""


def fill_template(xlsx, figures):
    """Every unit sheet's input cells (column G) from `figures[unit_id][field]`; the rest of
    the archive as downloaded. Returns (bytes, sheets filled)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    strings = shared_strings(src)
    out = io.BytesIO()
    filled = 0
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/sheet"):
                xml = data.decode()
                cells = {(m.group(1), int(m.group(2))): m for m in SHEET_CELL.finditer(xml)}
                stamp = cells.get(("H", 1))
                unit = None
                if stamp:
                    text = cell_text(stamp.group(3), stamp.group(4), strings)
                    parts = text.split(";")
                    if len(parts) == 7 and parts[0] == "chiso-template/1":
                        unit = parts[5]
                if unit in figures:
                    values = figures[unit]
                    edits = []
                    for (col, row), m in cells.items():
                        if col != "H" or row < 5:
                            continue
                        field = cell_text(m.group(3), m.group(4), strings)
                        g = cells.get(("G", row))
                        if field in values and g is not None:
                            style = re.search(r'\ss="(\d+)"', g.group(3))
                            s = f' s="{style.group(1)}"' if style else ""
                            edits.append((g.start(), g.end(), f'<c r="G{row}"{s}><v>{values[field]}</v></c>'))
                    for start, end, new in sorted(edits, reverse=True):
                        xml = xml[:start] + new + xml[end:]
                    data = xml.encode()
                    filled += 1
            dst.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue(), filled


def figures_of(csv_path):
    """unit id → field → value, from the generated period CSV (units "Xã Đơn vị 0001" are
    dv0001)."""
    out = {}
    with open(csv_path, encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r)
        for row in r:
            unit = "dv" + row[0].rsplit(" ", 1)[1]
            out[unit] = dict(zip(header[1:], row[1:]))
    return out


# ---- measuring --------------------------------------------------------------------------

def vm_hwm_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def vm_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def wrk(base, path_or_script, connections, duration, work):
    """wrk's p50/p99 (ms), requests per second and non-2xx count."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s", "--latency"]
    if path_or_script.endswith(".lua"):
        args += ["-s", path_or_script, base + "/"]
    else:
        args += [base + path_or_script]
    text = subprocess.run(args, capture_output=True, text=True, check=True).stdout

    def ms(v):
        n, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", v).groups()
        return float(n) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p50 = ms(re.search(r"^\s+50%\s+(\S+)", text, re.M).group(1))
    p99 = ms(re.search(r"^\s+99%\s+(\S+)", text, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: (.*)", text)
    return {
        "p50": p50,
        "p99": p99,
        "rps": rps,
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": errors.group(1).strip() if errors else "",
    }


class HealthPoller:
    """Polls /healthz every 20 ms in a thread; keeps the slowest answer."""

    def __init__(self, port):
        self.port, self.worst, self.stop = port, 0.0, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            t = time.monotonic()
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                c.request("GET", "/healthz")
                c.getresponse().read()
                c.close()
            except OSError:
                pass
            self.worst = max(self.worst, time.monotonic() - t)
            time.sleep(0.02)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stop.set()
        self.thread.join()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--chiso", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    a = ap.parse_args()

    units = sum(1 for line in open(os.path.join(a.data, "units.toml"), encoding="utf-8") if line.startswith("[[unit]]"))
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    serve_dir = os.path.join(a.work, "serve")
    os.makedirs(serve_dir, exist_ok=True)
    log = open(os.path.join(serve_dir, "serve.log"), "w")
    server = subprocess.Popen(
        [a.chiso, "serve", "--empty", "--no-pdf", "--bind", f"127.0.0.1:{port}",
         "--db", os.environ.get("BENCH_DATABASE_URL") or f"sqlite://{serve_dir}/chiso.sqlite",
         "--data-dir", f"{serve_dir}/data"],
        cwd=serve_dir, stdout=subprocess.PIPE, stderr=log, text=True,
    )
    rows = []  # (what, value, target, met, the server's peak memory so far in MB)
    failed = False

    def row(what, value, target="", met=None):
        hwm = vm_hwm_mb(server.pid) if server.poll() is None else float("nan")
        rows.append((what, value, target, met, hwm))
        mark = "" if met is None else (" ✓" if met else " ✗")
        print(f"  {what}: {value}{(' (target ' + target + ')') if target else ''}{mark} [peak {hwm:.0f} MB]",
              file=sys.stderr, flush=True)

    def timed(what, seconds, target=TARGET_SECONDS):
        row(what, f"{seconds:.2f} s", f"< {target:g} s", seconds < target)

    try:
        password = None
        for line in server.stdout:
            m = re.search(r"admin / ([0-9a-f]+)", line)
            if m:
                password = m.group(1)
            if "http://" in line:
                break
        if not password:
            raise RuntimeError("no administrator password printed")
        admin = Client(port)
        admin.login("admin", password)
        token = admin.csrf("/tai-khoan")
        admin.form("/tai-khoan", {"csrf": token, "current": password, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD})
        admin.cookies.clear()
        admin.login("admin", NEW_PASSWORD)

        print(f"== the platform with {units:,} units", file=sys.stderr)
        # The catalogue.
        framework = open(os.path.join(a.data, "frameworks", "national.toml"), encoding="utf-8").read()
        registry = open(os.path.join(a.data, "units.toml"), encoding="utf-8").read()
        token = admin.csrf("/quan-tri/danh-muc")
        _, t_fw = admin.form("/quan-tri/danh-muc", {"csrf": token, "what": "framework", "body": framework, "reason": "Bộ tiêu chí quốc gia"})
        _, t_units = admin.form("/quan-tri/danh-muc", {"csrf": token, "what": "units", "body": registry, "reason": "Danh mục đơn vị quốc gia"})
        timed("catalogue: framework upload", t_fw)
        timed(f"catalogue: registry upload ({units:,} units, {len(registry) / 1e6:.1f} MB)", t_units)
        token = admin.csrf("/quan-tri")
        for year in (2023, 2024):
            _, t = admin.form("/quan-tri/ky", {"csrf": token, "year": str(year), "framework": "national", "history": "1"})
            timed(f"open {year} as history", t)

        # The figures: each year through the all-units template, in one file.
        for year in (2023, 2024):
            base = f"/quan-tri/ky/{year}/commune"
            xlsx, t = admin.get(f"{base}/mau-phieu.xlsx")
            timed(f"{year}: all-units template download ({len(xlsx) / 1e6:.1f} MB)", t)
            t0 = time.monotonic()
            filled, n = fill_template(xlsx, figures_of(os.path.join(a.data, "periods", f"{year}-commune.csv")))
            print(f"  (filled {n:,} sheets in {time.monotonic() - t0:.1f} s, {len(filled) / 1e6:.1f} MB)", file=sys.stderr)
            if n != units:
                raise RuntimeError(f"filled {n} sheets of {units}")
            token = admin.csrf(f"{base}/excel")
            try:
                _, t = admin.multipart(
                f"{base}/excel",
                    {"csrf": token, "on_behalf": "1", "reason": "Số liệu tổng hợp của Bộ"},
                    "file", f"so-lieu-{year}.xlsx", filled,
                )
            except (OSError, RuntimeError) as e:
                row(f"{year}: upload of the filled template", f"refused: {str(e)[:300]}", "accepted", False)
                raise
            timed(f"{year}: upload of the filled template, submitted on the units' behalf ({len(filled) / 1e6:.1f} MB)", t)

        def analysed(year, t_request):
            """The request's time plus the background analysis it queued (each unit's outlook
            and rank move, Monte-Carlo): /api/v1/periods/YEAR/moves answers 503 until they are
            stored. Waited for before the next step, so that no step shares the cores with it."""
            t0 = time.monotonic()
            while True:
                st, _, _, _ = admin.request("GET", f"/api/v1/periods/{year}/moves?kind=commune")
                if st == 200:
                    break
                if st != 503 or time.monotonic() - t0 > 300:
                    raise RuntimeError(f"moves of {year}: {st}")
                time.sleep(0.05)
            timed(f"publish {year} and its background analysis (outlooks, moves) ready", t_request + time.monotonic() - t0)

        token = admin.csrf("/quan-tri")
        _, t = admin.form("/quan-tri/ky/2023/commune/cong-bo", {"csrf": token, "reason": "Công bố số liệu lịch sử"})
        timed("publish 2023 (request: results, DOCX/XLSX/HTML made and stored)", t)
        analysed(2023, t)
        page, t = admin.get("/quan-tri/ky/2024/commune/xem-truoc")
        timed(f"preview 2024 ({len(page) / 1e6:.1f} MB page)", t)
        _, t = admin.form("/quan-tri/ky/2024/commune/cong-bo", {"csrf": token, "reason": "Công bố số liệu lịch sử"})
        timed("publish 2024 (compared with 2023; request: results, DOCX/XLSX/HTML made and stored)", t)
        analysed(2024, t)

        public = Client(port)
        page, t = public.get("/ket-qua/2024/commune")
        row("public results page, first load", f"{t * 1000:.0f} ms, {len(page) / 1e3:.0f} kB")
        page, t = public.get("/don-vi/dv0001")
        row("a unit's page, first load", f"{t * 1000:.0f} ms, {len(page) / 1e3:.0f} kB")
        for what, path in (("public results CSV (full table)", "/ket-qua/2024/commune/csv"),
                           ("public results XLSX (full table)", "/ket-qua/2024/commune/xlsx")):
            st, _, data, t = public.request("GET", path)
            row(what, f"{t * 1000:.0f} ms, {len(data) / 1e6:.1f} MB" if st == 200 else f"HTTP {st}")

        # Two uncached unit pages at once must not hold /healthz back.
        with HealthPoller(port) as hp:
            threads = [threading.Thread(target=lambda u=u: Client(port).get(f"/don-vi/dv{u:04}")) for u in (units - 1, units - 2)]
            for th in threads:
                th.start()
            for th in threads:
                th.join()
        row("/healthz, slowest answer during two uncached unit pages", f"{hp.worst * 1000:.0f} ms", "< 50 ms", hp.worst * 1000 < TARGET_P99_MS)

        lua = os.path.join(a.work, "units.lua")
        with open(lua, "w") as f:
            f.write(f"math.randomseed(42)\nrequest = function()\n  return wrk.format(\"GET\", string.format(\"/don-vi/dv%04d\", math.random(1, {units})))\nend\n")
        for what, target in ((f"public results page /ket-qua/2024/commune", "/ket-qua/2024/commune"),
                             ("public results page, filtered (?ten=0042)", "/ket-qua/2024/commune?ten=0042"),
                             ("random units' pages /don-vi/dvNNNN", lua)):
            with HealthPoller(port) as hp:
                w = wrk(f"http://127.0.0.1:{port}", target, a.connections, a.duration, a.work)
            errs = f", {w['non2xx']} non-2xx" if w["non2xx"] else ""
            errs += f", socket errors {w['errors']}" if w["errors"] else ""
            row(f"{what}, {a.connections} connections: p50 / p99",
                f"{w['p50']:.1f} / {w['p99']:.1f} ms, {w['rps']:,.0f} req/s{errs}, /healthz worst {hp.worst * 1000:.0f} ms",
                "p99 < 50 ms", w["p99"] < TARGET_P99_MS and not w["non2xx"])

        for fmt in ("csv", "xlsx"):
            data, t = admin.get(f"/quan-tri/ky/2024/commune/xuat/{fmt}")
            timed(f"administrator's export, {fmt.upper()} ({len(data) / 1e6:.1f} MB)", t)
        # A current period that nobody has reported in: its missing list is every unit.
        year = time.gmtime().tm_year
        token = admin.csrf("/quan-tri")
        admin.form("/quan-tri/ky", {"csrf": token, "year": str(year), "framework": "national", "deadline": f"{year}-12-31"})
        data, t = admin.get(f"/quan-tri/ky/{year}/commune/chua-nop.csv")
        lines = data.decode("utf-8-sig").count("\n") - 1
        timed(f"missing units list, CSV ({lines:,} units)", t)
        page, t = admin.get("/quan-tri")
        timed(f"administrator's home page ({len(page) / 1e3:.0f} kB)", t)
        page, t = admin.get("/quan-tri/nhat-ky")
        row("audit log page", f"{t * 1000:.0f} ms, {len(page) / 1e3:.0f} kB")
        # A unit's review page shows its standing as counted now: the first after the
        # publication scores the period again (a publication lets go of what its preview
        # scored); then it is kept.
        page, t = admin.get("/tham-dinh/2024/commune/dv0001")
        timed(f"a unit's review page, the period scored again ({len(page) / 1e3:.0f} kB)", t)
        page, t = admin.get("/tham-dinh/2024/commune/dv0002")
        timed(f"another unit's review page ({len(page) / 1e3:.0f} kB)", t)
        # A catalogue change once years are stored and published: checked against every
        # stored period before it is taken (an alias added to one unit breaks nothing).
        changed = registry.replace('aliases = ["DV0001"]', 'aliases = ["DV0001", "Xã Một"]', 1)
        token = admin.csrf("/quan-tri/danh-muc")
        _, t = admin.form("/quan-tri/danh-muc", {"csrf": token, "what": "units", "body": changed, "reason": "Thêm tên gọi khác"})
        timed("catalogue change with two years published (checked against them)", t)

        hwm, rss = vm_hwm_mb(server.pid), vm_rss_mb(server.pid)
        row("server peak memory (VmHWM)", f"{hwm:.0f} MB (resident at the end {rss:.0f} MB)", f"< {TARGET_RSS_MB:g} MB", hwm < TARGET_RSS_MB)
    except Exception as e:  # the table of what was measured, then the failure
        print(f"stopped: {e}"[:2000], file=sys.stderr)
        failed = True
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()

    print()
    print(f"national platform bench: {units:,} units x 120 leaf criteria, 2 years, chiso serve (release, {'PostgreSQL' if os.environ.get('BENCH_DATABASE_URL') else 'SQLite'}, --no-pdf)")
    print("| what | measured | target | met | server peak memory so far |")
    print("|---|---|---|---|---:|")
    for what, value, target, met, hwm in rows:
        print(f"| {what} | {value} | {target} | {'' if met is None else ('yes' if met else '**no**')} | {hwm:.0f} MB |")
    if failed:
        sys.exit(1)


if __name__ == "__main__":
    main()

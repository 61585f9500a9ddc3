# Sourced by bench/web-*: tools, the release binary, a chiso server in a temporary
# directory, the machine's description. Loopback only. See docs/BENCHMARKS.md.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="$here/out"
mkdir -p "$out"
work="$(mktemp -d /tmp/chiso-bench.XXXXXX)"
server_pids=()
cleanup() {
    for p in "${server_pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

# Debian packages, installed if missing (apt-get update only when the first try fails).
need() { # need <command> <package>…
    local cmd=$1
    shift
    command -v "$cmd" >/dev/null 2>&1 && return 0
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 ||
        { apt-get update >/dev/null && apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

# The Python side: bench/.venv with the pinned aiohttp.
python_env() {
    if [ ! -x "$here/.venv/bin/python" ]; then
        "${PYTHON:-python3}" -m venv "$here/.venv"
    fi
    "$here/.venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    py="$here/.venv/bin/python"
}

# The release binary, copied so that other builds in the tree do not change it mid-run.
# CHISO_BIN=path skips the build (to iterate on the scripts; not for published figures).
release_binary() {
    if [ -n "${CHISO_BIN:-}" ]; then
        cp "$CHISO_BIN" "$work/chiso"
        chiso="$work/chiso"
        return
    fi
    (cd "$root" && cargo build --release -p chiso >&2)
    local target
    target="$(cd "$root" && cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
    cp "$target/release/chiso" "$work/chiso"
    chiso="$work/chiso"
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_chiso <dir> [database URL]: starts `chiso serve` in <dir> on a free loopback port;
# sets chiso_pid, chiso_port, base, admin_password (first start only), db.
start_chiso() {
    local dir=$1
    db=${2:-sqlite://$dir/chiso.sqlite}
    mkdir -p "$dir"
    chiso_port=$(free_port)
    (cd "$dir" && exec "$chiso" serve --bind "127.0.0.1:$chiso_port" --db "$db" --data-dir "$dir/data" \
        >>"$dir/serve.log" 2>&1) &
    chiso_pid=$!
    server_pids+=("$chiso_pid")
    base="http://127.0.0.1:$chiso_port"
    for _ in $(seq 1 600); do
        if curl -fs -o /dev/null "$base/healthz"; then break; fi
        sleep 0.05
    done
    curl -fs -o /dev/null "$base/healthz" || { cat "$dir/serve.log" >&2; return 1; }
    admin_password=$(grep -o 'admin / [0-9a-f]*' "$dir/serve.log" | tail -1 | cut -d' ' -f3)
}

stop_chiso() {
    kill "$chiso_pid" 2>/dev/null || true
    wait "$chiso_pid" 2>/dev/null || true
}

# The header every result file starts with.
machine() {
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    if [ -n "${CHISO_BIN:-}" ]; then
        echo "binary: $CHISO_BIN, built from ${CHISO_BIN_COMMIT:-an unknown commit}"
    else
        echo "binary: cargo build --release -p chiso at $(cd "$root" && git rev-parse --short HEAD)$(cd "$root" && git diff --quiet HEAD -- crates || echo ' plus uncommitted changes in crates/')"
    fi
    echo "machine: nproc=$(nproc), $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/Mem:/{print $2}') GiB RAM, rustc $(rustc --version | cut -d' ' -f2)"
    echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "command: $0 $*"
}

# RSS of a process in MiB.
rss_mib() { awk '/VmRSS/{printf "%.1f", $2/1024}' "/proc/$1/status"; }

# Shared shell functions for foiflow's scripts. Source it; do not run it.
# Everything here targets a local PostgreSQL on 127.0.0.1 and a unix socket.

foiflow_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Note: functions here end with an explicit `return 0`. A bare `return` called from an EXIT
# trap returns the status the trap was entered with, which under `set -e` ends the cleanup.

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else die "need root to run: $* (install it by hand, or run as root)"
    fi
}

# The newest PostgreSQL server bin folder (Debian layout), or empty.
pg_bindir() {
    local d
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && dirname "$(command -v initdb)"
}

# Installs PostgreSQL, libpq's headers and pkg-config when any is missing.
ensure_deps() {
    local missing=()
    [ -n "$(pg_bindir)" ] || missing+=(postgresql)
    pkg-config --exists libpq 2>/dev/null || missing+=(libpq-dev)
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
    # nc is how the README tells people to talk to the server.
    command -v nc >/dev/null 2>&1 || missing+=(netcat-openbsd)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
    fi
    # Debian's postgresql package may start its own cluster on 5432; ours never uses that port.
    if ! command -v swift >/dev/null 2>&1; then
        [ -x /opt/swift/usr/bin/swift ] && export PATH="/opt/swift/usr/bin:$PATH"
        command -v swift >/dev/null 2>&1 || die "the Swift toolchain (6.2 or newer) is not on PATH"
    fi
}

# ensure_tools CMD=PACKAGE...: installs each Debian PACKAGE whose CMD is missing (what the
# tests need besides the build: headless Chromium to render the statistics page).
ensure_tools() {
    local missing=() pair
    for pair in "$@"; do
        command -v "${pair%%=*}" >/dev/null 2>&1 || missing+=("${pair#*=}")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing for the tests: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
    fi
}

# A free TCP port on 127.0.0.1.
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null && return 0
    local p
    for p in $(seq 55432 55632); do
        (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return 0; }
    done
    die "no free port found"
}

# Runs a PostgreSQL server program as the cluster's owner: `postgres` when we are root.
as_pg() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# cluster_init DIR: creates a cluster in DIR/data (trust auth, loopback only).
cluster_init() {
    local dir=$1 bin
    bin=$(pg_bindir) || true
    [ -n "$bin" ] || die "PostgreSQL server programs not found"
    mkdir -p "$dir/socket"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || die "the postgres OS user is missing (install the postgresql package)"
        chmod 755 "$dir"
        chown -R postgres: "$dir"
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
        as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
            || as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 \
            || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
}

# Closes every open descriptor above 2 in the current (sub)shell.
close_inherited_fds() {
    local fd
    for fd in $(ls "/proc/$BASHPID/fd" 2>/dev/null); do
        [ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-" 2>/dev/null
    done
    return 0
}

# cluster_start DIR PORT [extra postgres -c settings...]: starts it and waits until ready.
cluster_start() {
    local dir=$1 port=$2 bin opts
    shift 2
    bin=$(pg_bindir)
    # Room for the test suite's servers and pools running side by side: a server with
    # --pool-size N opens up to 2N+1 connections (pipelined, leased, the listener).
    opts="-p $port -k $dir/socket -c listen_addresses=127.0.0.1 -c max_connections=400"
    for setting in "$@"; do opts="$opts -c $setting"; done
    # The server outlives this script: it must not inherit our descriptors beyond 0-2, or
    # whoever started us (a test runner watching a pipe, say) waits for it forever.
    ( close_inherited_fds; as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "$opts" -w -t 60 start >/dev/null </dev/null ) \
        || { tail -20 "$dir/server.log" >&2; die "PostgreSQL did not start"; }
}

# cluster_stop DIR: fast shutdown; quiet when not running.
cluster_stop() {
    local dir=$1 bin
    bin=$(pg_bindir)
    [ -f "$dir/data/postmaster.pid" ] || return 0
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
}

# cluster_running DIR: true when the cluster in DIR is up.
cluster_running() {
    local dir=$1 bin
    bin=$(pg_bindir)
    [ -f "$dir/data/postmaster.pid" ] && as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

# run_bounded SECONDS PATTERN CMD...: runs CMD; if it has not finished after SECONDS, prints
# the threads of every process whose command line matches PATTERN (with gdb, when there is
# one), kills CMD and those processes, and returns 124. A hung test run then fails in
# minutes with a picture of where it hung, instead of running into the CI's own limit.
run_bounded() {
    local limit=$1 pattern=$2 pid watcher status=0 flag
    shift 2
    flag=$(mktemp "${TMPDIR:-/tmp}/foiflow-bounded.XXXXXX")
    "$@" &
    pid=$!
    (
        for ((waited = 0; waited < limit; waited++)); do
            sleep 1
            kill -0 "$pid" 2>/dev/null || exit 0
        done
        echo hung >"$flag"
        log "error: '$*' did not finish within $limit s; where its processes are:"
        for p in $(pgrep -f "$pattern"); do
            log "--- process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-200)"
            if command -v gdb >/dev/null 2>&1; then
                timeout 60 gdb -p "$p" -batch -ex "thread apply all bt 12" 2>/dev/null | grep -E '^(Thread|#)' >&2 || true
            fi
        done
        pkill -KILL -f "$pattern" 2>/dev/null || true
        kill -KILL "$pid" 2>/dev/null || true
        exit 0
    ) &
    watcher=$!
    wait "$pid" || status=$?
    wait "$watcher" || true
    [ -s "$flag" ] && status=124
    rm -f "$flag"
    return "$status"
}

# create_database PORT NAME: creates NAME unless it exists.
create_database() {
    local port=$1 name=$2
    psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 \
        || psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE \"$name\"" >/dev/null
}

#!/usr/bin/env bash
# Run a real Neo4j 5.26 Community server on loopback for development and tests,
# without Docker: the server jars come from Maven Central through `mvn`.
#
# Usage:
#   scripts/neo4j/neo4j.sh install            # fetch the jars into the cache (idempotent)
#   eval "$(scripts/neo4j/neo4j.sh start)"    # fresh empty database; exports NEO4J_URI/USER/PASSWORD
#   scripts/neo4j/neo4j.sh start --port 7687  # fixed Bolt port
#   scripts/neo4j/neo4j.sh status             # exit 0 if running, 3 if not
#   scripts/neo4j/neo4j.sh env                # print the export lines of the running server
#   scripts/neo4j/neo4j.sh import FOLDER      # stop the server, neo4j-admin import FOLDER/import.args
#                                             # into its (replaced) database, start it again
#   scripts/neo4j/neo4j.sh stop               # stop it and delete its data directory
#
# Only the export lines go to stdout; all progress goes to stderr.
#
# Environment:
#   NEO4J_VERSION            Neo4j version (default 5.26.31; must stay on 5.26.x for Java 17)
#   GROUPGRAPH_NEO4J_HOME    jar cache (default ~/.cache/groupgraph/neo4j-$NEO4J_VERSION)
#   GROUPGRAPH_NEO4J_STATE   state dir: pid, env, logs (default /tmp/groupgraph-neo4j);
#                            use a different one per concurrent server
#   NEO4J_BOLT_PORT          Bolt port (default: a free port; --port wins)
#   NEO4J_PASSWORD           password of user neo4j (default groupgraph-test, >= 8 chars)
#   NEO4J_HEAP_MAX           max JVM heap (default 1g; initial heap is 512m or less)
#   NEO4J_PAGECACHE          page cache size (default 256m)
#   NEO4J_START_TIMEOUT      seconds to wait for Bolt (default 120)
#   NEO4J_STOP_TIMEOUT       seconds between TERM and KILL (default 30)
#   JAVA_HOME                Java 17 or 21 to use (default: `java` on PATH)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NEO4J_VERSION="${NEO4J_VERSION:-5.26.31}"
CACHE_DIR="${GROUPGRAPH_NEO4J_HOME:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/groupgraph/neo4j-$NEO4J_VERSION}"
STATE_DIR="${GROUPGRAPH_NEO4J_STATE:-/tmp/groupgraph-neo4j}"
NEO4J_USER_NAME="neo4j"
PASSWORD="${NEO4J_PASSWORD:-groupgraph-test}"
HEAP_MAX="${NEO4J_HEAP_MAX:-1g}"
PAGECACHE="${NEO4J_PAGECACHE:-256m}"
START_TIMEOUT="${NEO4J_START_TIMEOUT:-120}"
STOP_TIMEOUT="${NEO4J_STOP_TIMEOUT:-30}"
MAIN_CLASS="org.neo4j.server.CommunityEntryPoint"

log() { printf 'neo4j.sh: %s\n' "$*" >&2; }
die() { printf 'neo4j.sh: error: %s\n' "$*" >&2; exit 1; }

usage() {
    sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
}

# ---------------------------------------------------------------- prerequisites

find_java() {
    local java
    if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
        java="$JAVA_HOME/bin/java"
    elif command -v java >/dev/null 2>&1; then
        java="$(command -v java)"
    else
        die "java not found: install a JDK 17 (e.g. 'apt-get install openjdk-17-jdk-headless') or set JAVA_HOME"
    fi
    local ver major
    ver="$("$java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n1)"
    major="${ver%%.*}"
    [[ "$major" == 1 ]] && major="$(echo "$ver" | cut -d. -f2)"
    [[ "$major" =~ ^[0-9]+$ ]] || die "cannot read the version of $java (got '${ver:-nothing}')"
    if (( major < 17 )); then
        die "$java is Java $ver; Neo4j $NEO4J_VERSION needs Java 17 or 21 (set JAVA_HOME)"
    elif (( major != 17 && major != 21 )); then
        log "warning: $java is Java $ver; Neo4j 5.26 supports Java 17 and 21 only"
    fi
    JAVA="$java"
}

need_mvn() {
    command -v mvn >/dev/null 2>&1 ||
        die "mvn not found: it is needed once to fetch the Neo4j jars into $CACHE_DIR (e.g. 'apt-get install maven')"
}

# Run "$@" holding an exclusive lock on file $1 (if flock exists). The lock is
# on fd 9 of this shell (no subshell, so signal traps work) and is released
# when the script exits; the server process does not inherit it.
with_lock() {
    local lockfile="$1"; shift
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$lockfile"
        flock -w 600 9 || die "timed out waiting for lock $lockfile"
    fi
    "$@"
}

# ---------------------------------------------------------------- install

is_installed() {
    [[ -f "$CACHE_DIR/.installed" && "$(cat "$CACHE_DIR/.installed")" == "$NEO4J_VERSION" ]] &&
        compgen -G "$CACHE_DIR/lib/neo4j-$NEO4J_VERSION.jar" >/dev/null
}

do_install_locked() {
    if is_installed; then
        return 0
    fi
    need_mvn
    log "fetching Neo4j $NEO4J_VERSION jars from Maven Central into $CACHE_DIR/lib (one-time, ~125 MB)"
    local partial="$CACHE_DIR/lib.partial"
    rm -rf "$partial" "${CACHE_DIR:?}/lib" "${CACHE_DIR:?}/.installed"
    mkdir -p "$partial"
    # mvn -q still prints stray colour resets (Debian's Maven 3.8): capture the
    # output, strip escape sequences and show only what is left.
    local out rc=0
    out="$(mvn -q -B -Dstyle.color=never -f "$SCRIPT_DIR/pom.xml" \
            -Dneo4j.version="$NEO4J_VERSION" \
            dependency:copy-dependencies \
            -DincludeScope=runtime -DoutputDirectory="$partial" 2>&1)" || rc=$?
    out="$(printf '%s' "$out" | sed 's/\x1b\[[0-9;]*m//g' | sed '/^[[:space:]]*$/d')"
    [[ -z "$out" ]] || printf '%s\n' "$out" >&2
    if (( rc != 0 )); then
        rm -rf "$partial"
        die "mvn could not fetch org.neo4j:neo4j:$NEO4J_VERSION (exit $rc, see the output above)"
    fi
    compgen -G "$partial/neo4j-$NEO4J_VERSION.jar" >/dev/null ||
        die "mvn finished but $partial/neo4j-$NEO4J_VERSION.jar is missing"
    mv "$partial" "$CACHE_DIR/lib"
    echo "$NEO4J_VERSION" >"$CACHE_DIR/.installed"
    log "installed $(find "$CACHE_DIR/lib" -name '*.jar' | wc -l) jars into $CACHE_DIR/lib"
}

cmd_install() {
    find_java
    if is_installed; then
        log "Neo4j $NEO4J_VERSION already installed in $CACHE_DIR"
        return 0
    fi
    mkdir -p "$CACHE_DIR"
    with_lock "$CACHE_DIR/.lock" do_install_locked
}

# ---------------------------------------------------------------- state helpers

read_state() { # $1 = file name in STATE_DIR; prints its content or nothing
    if [[ -f "$STATE_DIR/$1" ]]; then cat "$STATE_DIR/$1"; fi
}

# True if pid $1 is alive and is a Neo4j server whose command line mentions $2.
is_our_server() {
    local pid="$1" home="$2" args
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ -r "/proc/$pid/cmdline" ]]; then
        args="$(tr '\0' ' ' <"/proc/$pid/cmdline")"
    else
        args="$(ps -o args= -p "$pid" 2>/dev/null || true)"
    fi
    [[ "$args" == *"$MAIN_CLASS"* && "$args" == *"$home"* ]]
}

running_pid() { # prints the pid if the recorded server is alive
    local pid home
    pid="$(read_state pid)"
    home="$(read_state home)"
    [[ -n "$pid" && -n "$home" ]] && is_our_server "$pid" "$home" && echo "$pid"
}

# Stop process $1 (TERM, then KILL after STOP_TIMEOUT) and wait for it to go.
kill_server() {
    local pid="$1" i
    kill -TERM "$pid" 2>/dev/null || return 0
    for (( i = 0; i < STOP_TIMEOUT * 10; i++ )); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "pid $pid still alive after ${STOP_TIMEOUT}s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for (( i = 0; i < 100; i++ )); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    log "warning: pid $pid did not exit after KILL"
}

# Remove the data dir recorded in the state dir (only dirs we created).
remove_home() {
    local home
    home="$(read_state home)"
    if [[ -n "$home" && -d "$home" && -f "$home/.groupgraph-neo4j" ]]; then
        rm -rf "$home"
    fi
    rm -f "$STATE_DIR/pid" "$STATE_DIR/home" "$STATE_DIR/port" "$STATE_DIR/heap" "$STATE_DIR/env"
}

# ---------------------------------------------------------------- ports / probes

pick_free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
        return
    fi
    local p i
    for (( i = 0; i < 200; i++ )); do
        p=$(( 20000 + RANDOM % 40000 ))
        if ! port_in_use "$p"; then echo "$p"; return; fi
    done
    die "could not find a free port"
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Bolt probe: handshake, then HELLO with basic auth (Bolt 5.0 / 4.4).
# Exit 0 = authenticated, 2 = server answered but refused the credentials,
# 1 = not reachable / not ready yet.
bolt_probe() {
    local port="$1"
    if ! command -v python3 >/dev/null 2>&1; then
        port_in_use "$port" && return 0 || return 1
    fi
    NEO4J_PROBE_USER="$NEO4J_USER_NAME" NEO4J_PROBE_PASSWORD="$PASSWORD" \
        python3 - "$port" <<'PY'
import os, socket, struct, sys

def pstr(s):
    b = s.encode()
    if len(b) < 16:
        return bytes([0x80 | len(b)]) + b
    if len(b) < 256:
        return b"\xd0" + bytes([len(b)]) + b
    return b"\xd1" + struct.pack(">H", len(b)) + b

def pmap(d):
    out = bytes([0xA0 | len(d)])
    for k, v in d.items():
        out += pstr(k) + pstr(v)
    return out

def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf

try:
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
    # magic + proposals: 5.0, 4.4
    s.sendall(b"\x60\x60\xb0\x17" + b"\x00\x00\x00\x05" + b"\x00\x00\x04\x04" + b"\x00" * 8)
    if recv_exact(s, 4) == b"\x00" * 4:
        sys.exit(1)
    hello = b"\xb1\x01" + pmap({"user_agent": "groupgraph-neo4j-sh/1", "scheme": "basic",
                                "principal": os.environ["NEO4J_PROBE_USER"],
                                "credentials": os.environ["NEO4J_PROBE_PASSWORD"]})
    s.sendall(struct.pack(">H", len(hello)) + hello + b"\x00\x00")
    size = struct.unpack(">H", recv_exact(s, 2))[0]
    msg = recv_exact(s, size)
    s.close()
    sys.exit(0 if msg[1:2] == b"\x70" else 2)
except (OSError, ConnectionError):
    sys.exit(1)
PY
}

# ---------------------------------------------------------------- start / stop

env_lines() { # $1 = port
    printf 'export NEO4J_URI=%q\n' "bolt://127.0.0.1:$1"
    printf 'export NEO4J_USER=%q\n' "$NEO4J_USER_NAME"
    printf 'export NEO4J_PASSWORD=%q\n' "$PASSWORD"
}

show_logs_tail() {
    local f
    for f in "$STATE_DIR/logs/neo4j.log" "$STATE_DIR/console.log"; do
        if [[ -s "$f" ]]; then
            log "---- last lines of $f"
            tail -n 30 "$f" >&2
        fi
    done
    log "---- full logs: $STATE_DIR/logs/ (debug.log has the details)"
}

do_start_locked() {
    local port="$1" pid
    if pid="$(running_pid)"; then
        die "a server started from $STATE_DIR is already running (pid $pid, $(read_state port | sed 's/^/port /')); run '$0 stop' first or set GROUPGRAPH_NEO4J_STATE to another dir"
    fi
    # Stale state from a crashed/killed run: clean it.
    remove_home

    if [[ -z "$port" ]]; then
        port="${NEO4J_BOLT_PORT:-}"
    fi
    if [[ -z "$port" ]]; then
        port="$(pick_free_port)"
    fi
    if ! [[ "$port" =~ ^[0-9]+$ ]] || (( port < 1 || port > 65535 )); then
        die "invalid port '$port'"
    fi
    port_in_use "$port" && die "port $port on 127.0.0.1 is already in use"

    local home
    home="$(mktemp -d "${TMPDIR:-/tmp}/groupgraph-neo4j-data.XXXXXX")"
    touch "$home/.groupgraph-neo4j"
    mkdir -p "$home/conf" "$home/data" "$home/run" "$home/plugins" "$home/import" "$home/licenses"
    echo "$home" >"$STATE_DIR/home"
    echo "$port" >"$STATE_DIR/port"
    echo "$HEAP_MAX" >"$STATE_DIR/heap"   # an import's restart keeps the heap of the start
    rm -rf "$STATE_DIR/logs" "$STATE_DIR/console.log"
    mkdir -p "$STATE_DIR/logs"

    cat >"$home/conf/neo4j.conf" <<EOF
# Generated by scripts/neo4j/neo4j.sh -- throwaway dev/test server.
server.directories.data=$home/data
server.directories.plugins=$home/plugins
server.directories.import=$home/import
server.directories.run=$home/run
server.directories.licenses=$home/licenses
server.directories.logs=$STATE_DIR/logs
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:$port
server.bolt.advertised_address=127.0.0.1:$port
server.bolt.tls_level=DISABLED
server.http.enabled=false
server.https.enabled=false
dbms.security.auth_enabled=true
server.memory.heap.max_size=$HEAP_MAX
server.memory.pagecache.size=$PAGECACHE
dbms.usage_report.enabled=false
db.tx_log.preallocate=false
db.tx_log.rotation.size=32m
# Fast shutdown: Bolt otherwise waits 2 x 5s for idle netty event loops.
internal.server.bolt.thread_pool_shutdown_wait_time=1s
internal.server.bolt.connection_shutdown_wait_time=1s
internal.dbms.bolt.netty_server_shutdown_quiet_period=0
internal.dbms.bolt.netty_server_shutdown_timeout=1s
# Unknown (e.g. internal, version-specific) settings only log a warning.
server.config.strict_validation.enabled=false
EOF

    # Initial password (writes data/dbms/auth.ini before the first start).
    if ! admin_tool "$home" 256m dbms set-initial-password "$PASSWORD" \
            >"$STATE_DIR/set-password.log" 2>&1; then
        cat "$STATE_DIR/set-password.log" >&2
        remove_home
        die "could not set the initial password (it must have at least 8 characters)"
    fi
    launch_server "$home" "$port"
}

# neo4j-admin on the server's home $1 with max heap $2: admin_tool HOME HEAP ARGS...
admin_tool() {
    local home="$1" heap="$2"; shift 2
    NEO4J_HOME="$home" NEO4J_CONF="$home/conf" \
        "$JAVA" "-Xmx$heap" -cp "$CACHE_DIR/lib/*" org.neo4j.cli.AdminTool "$@"
}

# Start the server of home $1 on port $2 and wait until Bolt accepts our credentials.
launch_server() {
    local home="$1" port="$2" pid
    local cp="$CACHE_DIR/lib/*"
    local heap_init=512m
    if [[ "$HEAP_MAX" =~ ^([0-9]+)[mM]$ ]] && (( BASH_REMATCH[1] < 512 )); then
        heap_init="$HEAP_MAX"
    fi
    local -a jvm=(
        "-Xms$heap_init" "-Xmx$HEAP_MAX"
        -XX:+UseG1GC -XX:-OmitStackTraceInFastThrow -XX:+DisableExplicitGC
        -XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields
        -XX:+ExitOnOutOfMemoryError
        -Djdk.nio.maxCachedBufferSize=1024 -Dio.netty.tryReflectionSetAccessible=true
        --add-opens=java.base/java.nio=ALL-UNNAMED
        --add-opens=java.base/java.io=ALL-UNNAMED
        --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
        -Dlog4j2.disable.jmx=true -Dfile.encoding=UTF-8
        -Djava.io.tmpdir="$home/run"
    )

    log "starting Neo4j $NEO4J_VERSION on bolt://127.0.0.1:$port (data: $home, logs: $STATE_DIR/logs)"
    rm -f "$STATE_DIR/pid"
    # New session (own process group, no controlling terminal); the inner shell
    # records the real pid and execs java. fd 9 (the state lock) is not inherited.
    local launcher=()
    command -v setsid >/dev/null 2>&1 && launcher=(setsid)
    # shellcheck disable=SC2016  # $$ and $@ are for the inner shell
    (
        cd "$home"
        NEO4J_HOME="$home" NEO4J_CONF="$home/conf" \
            "${launcher[@]}" bash -c 'echo $$ >"$0"; exec "$@"' "$STATE_DIR/pid" \
            "$JAVA" "${jvm[@]}" -cp "$cp" "$MAIN_CLASS" \
            --home-dir="$home" --config-dir="$home/conf" \
            </dev/null >"$STATE_DIR/console.log" 2>&1 9>&- &
    )

    # Wait for the pid file.
    local i
    for (( i = 0; i < 100; i++ )); do
        [[ -s "$STATE_DIR/pid" ]] && break
        sleep 0.05
    done
    pid="$(read_state pid)"
    [[ -n "$pid" ]] || { remove_home; die "the server process did not start"; }

    local failed=""
    trap 'kill_server "$pid"; remove_home; exit 130' INT TERM
    local deadline=$(( SECONDS + START_TIMEOUT )) rc
    while :; do
        if ! kill -0 "$pid" 2>/dev/null; then
            failed="the server exited during startup"
            break
        fi
        if grep -q ' Started\.$' "$STATE_DIR/logs/neo4j.log" 2>/dev/null; then
            rc=0
            bolt_probe "$port" || rc=$?
            if (( rc == 0 )); then
                break
            elif (( rc == 2 )); then
                failed="Bolt answered on port $port but refused user '$NEO4J_USER_NAME' with the given password"
                break
            fi
        fi
        if (( SECONDS >= deadline )); then
            failed="Bolt did not answer on port $port within ${START_TIMEOUT}s"
            break
        fi
        sleep 0.25
    done
    trap - INT TERM
    if [[ -n "$failed" ]]; then
        show_logs_tail
        kill_server "$pid"
        remove_home
        die "$failed"
    fi

    env_lines "$port" >"$STATE_DIR/env"
    log "Neo4j is up (pid $pid) on bolt://127.0.0.1:$port, user $NEO4J_USER_NAME; stop with: $0 stop"
    cat "$STATE_DIR/env"
}

cmd_start() {
    local port=""
    while (( $# )); do
        case "$1" in
            --port) [[ $# -ge 2 ]] || die "--port needs a value"; port="$2"; shift 2 ;;
            --port=*) port="${1#--port=}"; shift ;;
            *) die "unknown option for start: $1" ;;
        esac
    done
    (( ${#PASSWORD} >= 8 )) || die "NEO4J_PASSWORD must have at least 8 characters"
    find_java
    if ! is_installed; then
        cmd_install
    fi
    mkdir -p "$STATE_DIR"
    with_lock "$STATE_DIR/lock" do_start_locked "$port"
}

do_stop_locked() {
    local pid home
    pid="$(read_state pid)"
    home="$(read_state home)"
    if [[ -n "$pid" && -n "$home" ]] && is_our_server "$pid" "$home"; then
        log "stopping Neo4j (pid $pid)"
        kill_server "$pid"
    else
        log "no running server recorded in $STATE_DIR"
    fi
    remove_home
    log "stopped; data directory removed (logs kept in $STATE_DIR/logs)"
}

cmd_stop() {
    [[ -d "$STATE_DIR" ]] || { log "no running server recorded in $STATE_DIR"; return 0; }
    with_lock "$STATE_DIR/lock" do_stop_locked
}

do_import_locked() {
    local folder="$1" pid home port
    pid="$(running_pid)" || die "no running server recorded in $STATE_DIR: start one first"
    home="$(read_state home)"
    port="$(read_state port)"
    HEAP_MAX="$(read_state heap)"
    HEAP_MAX="${HEAP_MAX:-1g}"
    log "stopping Neo4j (pid $pid) for neo4j-admin database import"
    kill_server "$pid"
    rm -f "$STATE_DIR/pid"
    local rc=0
    admin_tool "$home" "${NEO4J_IMPORT_HEAP:-1g}" database import full neo4j \
        --overwrite-destination=true --report-file="$STATE_DIR/import.report" \
        "@$folder/import.args" >"$STATE_DIR/import.log" 2>&1 || rc=$?
    # a failed import leaves the database as it was: start the server again either way
    [[ ! -f "$STATE_DIR/logs/neo4j.log" ]] || mv "$STATE_DIR/logs/neo4j.log" "$STATE_DIR/logs/neo4j.log.1"
    launch_server "$home" "$port" >/dev/null
    if (( rc != 0 )); then
        tail -n 30 "$STATE_DIR/import.log" >&2
        die "neo4j-admin database import failed (exit $rc); full output: $STATE_DIR/import.log"
    fi
    log "imported $folder into the database of bolt://127.0.0.1:$port"
}

cmd_import() {
    [[ $# -eq 1 && -f "$1/import.args" ]] || die "usage: $0 import FOLDER (a folder holding import.args)"
    local folder
    folder="$(cd "$1" && pwd)"
    find_java
    with_lock "$STATE_DIR/lock" do_import_locked "$folder"
}

cmd_status() {
    local pid
    if pid="$(running_pid)"; then
        echo "running: pid $pid, bolt://127.0.0.1:$(read_state port), data $(read_state home), logs $STATE_DIR/logs"
        return 0
    fi
    echo "not running"
    return 3
}

cmd_env() {
    running_pid >/dev/null || die "no running server recorded in $STATE_DIR"
    cat "$STATE_DIR/env"
}

main() {
    local cmd="${1:-}"
    [[ $# -gt 0 ]] && shift
    case "$cmd" in
        install) cmd_install "$@" ;;
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        status) cmd_status "$@" ;;
        env) cmd_env "$@" ;;
        import) cmd_import "$@" ;;
        -h | --help | help) usage ;;
        *) usage; exit 2 ;;
    esac
}

main "$@"

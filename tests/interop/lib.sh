# tests/interop/lib.sh - what the interop tests share (sourced, never run): Node >= 20
# (scripts/node: the system's, or the pinned Node 22 of tools/node), `npm ci` of a package
# directory once per lockfile under one lock, skips that say why (exit 77, the reason in
# $HERALD_SKIP_FILE for scripts/test's summary), the test harness, and the Fedify peer
# (peer.mjs) with its control API.
#
#   . "$HERALD_SRC/tests/interop/lib.sh"
#   interop_init NAME PKGDIR PROBE   # NAME as ctest names the test; PROBE: a file under
#                                    # PKGDIR/node_modules that npm ci must have made
#   peer_start                       # the Fedify peer on 127.0.0.2: PEER_BASE, PEER_ACTOR
#   facade_spawn; facade_herald_init; ...; h_serve ...; facade_wait
#                                    # the citizens' server and its masto.js client
#
# HERALD_NODE_MIN=23 simulates an old system Node (scripts/node). T_KEEP=1 keeps T_DIR.
INTEROP_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# interop_skip REASON: exit 77 (ctest: skipped), the reason on stderr and, when
# scripts/test set HERALD_SKIP_FILE, appended there so its summary shows it.
interop_skip() {
    {
        echo "******************************************************************"
        echo "SKIPPED: $1"
        echo "******************************************************************"
    } >&2
    if [ -n "${HERALD_SKIP_FILE:-}" ]; then
        printf '%s: %s\n' "$INTEROP_NAME" "$1" >>"$HERALD_SKIP_FILE"
    fi
    exit 77
}

# Puts a Node >= 20 first on PATH; skips only when npm or its registry is unreachable.
interop_node() {
    local err rc=0 bin reason
    err=$(mktemp "${TMPDIR:-/tmp}/herald-node.XXXXXX")
    bin=$(bash "$HERALD_SRC/scripts/node" 2>"$err") || rc=$?
    cat "$err" >&2
    reason=$(tail -n 1 "$err")
    rm -f "$err"
    case $rc in
    0) PATH="$bin:$PATH" ;;
    77) interop_skip "no Node >= 20: ${reason#scripts/node: }" ;;
    *) echo "FAIL: scripts/node (exit $rc): $reason" >&2; exit 1 ;;
    esac
    echo "interop: node $(node --version) from $bin"
    command -v npm >/dev/null 2>&1 ||
        interop_skip "interop tests need npm to install their packages (none on PATH; scripts/deps installs it)"
}

# npm_install DIR PROBE: `npm ci` in DIR unless node_modules/.herald-stamp holds the sha256
# of the package-lock.json it was installed from and PROBE exists. 77: registry unreachable.
npm_install() {
    local dir=$1 probe=$2 want have= out
    want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
    [ -f "$dir/node_modules/.herald-stamp" ] && have=$(cat "$dir/node_modules/.herald-stamp")
    if [ "$want" = "$have" ] && [ -f "$dir/node_modules/$probe" ]; then
        return 0
    fi
    echo "interop: npm ci in $dir (lockfile changed or node_modules missing)"
    out=$(mktemp "${TMPDIR:-/tmp}/herald-npm-ci.XXXXXX")
    if ! (cd "$dir" && npm ci --no-audit --no-fund >"$out" 2>&1); then
        cat "$out" >&2
        rm -f "$out"
        timeout 40 npm ping --fetch-retries=0 --fetch-timeout=30000 >/dev/null 2>&1 ||
            return 77 # the registry is unreachable: a skip, not a failure
        echo "FAIL: npm ci failed in $dir although the npm registry answers" >&2
        return 1
    fi
    rm -f "$out"
    printf '%s\n' "$want" >"$dir/node_modules/.herald-stamp"
}

# interop_init NAME PKGDIR PROBE: Node, the packages (one lock for every interop test, so
# concurrent tests never run npm ci in one directory at once), then the harness.
interop_init() {
    INTEROP_NAME=$1
    local dir=$2 probe=$3 lock="${TMPDIR:-/tmp}/herald-interop-npm.lock" rc=0
    interop_node
    exec 9>"$lock"
    flock -w 600 9 || { echo "FAIL: could not take $lock" >&2; exit 1; }
    npm_install "$dir" "$probe" || rc=$?
    flock -u 9
    exec 9>&-
    [ "$rc" -eq 77 ] &&
        interop_skip "the npm registry ($(npm config get registry 2>/dev/null)) is unreachable: $probe cannot be installed"
    [ "$rc" -eq 0 ] || exit 1
    # shellcheck source=../harness/lib.sh
    . "$HERALD_SRC/tests/harness/lib.sh"
}

# jsq FILE EXPR: evaluates the JavaScript expression EXPR with `d` bound to FILE's JSON;
# prints strings raw, other values as JSON, null/undefined as nothing.
jsq() {
    node -e '
const fs = require("fs");
let d; try { d = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch { d = undefined; }
let v; try { v = eval(process.argv[2]); } catch (e) { v = undefined; }
process.stdout.write(v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));
' "$1" "$2"
}

# ctl METHOD PATH [JSON] OUTFILE: calls the peer's control API; prints the HTTP status.
ctl() {
    local method=$1 path=$2 data=${3:-} out=$4
    if [ "$method" = POST ]; then
        curl -s -o "$out" -w '%{http_code}' --max-time 60 -X POST -H 'Content-Type: application/json' \
            --data "$data" "$PEER_BASE$path" || true
    else
        curl -s -o "$out" -w '%{http_code}' --max-time 30 "$PEER_BASE$path" || true
    fi
}

# wait_received JS-PREDICATE SECONDS: polls /_control/received until some record `r`
# satisfies the predicate; leaves the list in $T_DIR/received.json; returns 1 on timeout.
wait_received() {
    local pred=$1 secs=$2 end found
    end=$(($(date +%s) + secs))
    while :; do
        ctl GET /_control/received "" "$T_DIR/received.json" >/dev/null
        found=$(jsq "$T_DIR/received.json" "(d||[]).some(r => ($pred)) ? 'yes' : 'no'")
        [ "$found" = yes ] && return 0
        [ "$(date +%s)" -ge "$end" ] && return 1
        sleep 0.2
    done
}

# dump_diagnostics: on failure, shows what the peer saw and what Herald logged.
dump_diagnostics() {
    [ "$T_FAILS" -gt 0 ] || return 0
    {
        echo "=================== interop diagnostics ($T_DIR) ==================="
        for what in received unverified requests outbound; do
            ctl GET "/_control/$what" "" "$T_DIR/$what.json" >/dev/null 2>&1 || true
        done
        echo "--- requests Herald made to the peer (/_control/requests, bodies cut) ---"
        # shellcheck disable=SC2016 # JavaScript template literals, not shell
        jsq "$T_DIR/requests.json" 'd && d.map(e => `${e.method} ${e.url} -> ${e.status}\n  headers: ${JSON.stringify(e.headers)}\n  httpSignature: ${JSON.stringify(e.httpSignature ?? null)}\n  body: ${(e.body ?? "").slice(0, 1500)}\n  answer: ${(e.responseBody ?? "").slice(0, 500)}`).join("\n")' || true
        echo
        echo "--- deliveries Fedify refused (/_control/unverified) ---"
        cat "$T_DIR/unverified.json" 2>/dev/null || true
        echo "--- requests the peer made to Herald (/_control/outbound) ---"
        # shellcheck disable=SC2016
        jsq "$T_DIR/outbound.json" 'd && d.map(e => `${e.method} ${e.url} -> ${e.status ?? e.error}\n  answer: ${(e.responseBody ?? "").slice(0, 800)}`).join("\n")' || true
        echo
        echo "--- peer log (Fedify/LogTape; last 150 lines of $T_DIR/peer.log) ---"
        tail -n 150 "$T_DIR/peer.log" 2>/dev/null | cut -c1-1500 || true
        echo "--- herald log (last 80 lines of $H_DATA.log) ---"
        tail -n 80 "$H_DATA.log" 2>/dev/null || true
        echo "====================================================================="
    } >&2
}

# node_spawn NAME SCRIPT HOST PORT: `node SCRIPT --host HOST --port PORT` in the
# background, its stdout in $T_DIR/NAME.out (emptied first: a "ready" there is this run's),
# its stderr appended to $T_DIR/NAME.log; sets NODE_PID (also in T_PIDS, for t_cleanup).
node_spawn() {
    : >"$T_DIR/$1.out"
    node "$2" --host "$3" --port "$4" >"$T_DIR/$1.out" 2>>"$T_DIR/$1.log" &
    NODE_PID=$!
    T_PIDS+=("$NODE_PID")
}

# node_ready NAME PID TENTHS: waits up to TENTHS tenths of a second for the line "ready" in
# $T_DIR/NAME.out while PID lives; 1 when it did not come.
node_ready() {
    for _ in $(seq 1 "$3"); do
        grep -q '^ready$' "$T_DIR/$1.out" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# peer_start: the Fedify peer (peer.mjs) on 127.0.0.2 and a free port (three tries);
# sets PEER_PORT, PEER_BASE, PEER_PID, PEER_ACTOR; fails the test when it cannot start.
peer_start() {
    local up=0 try
    for try in 1 2 3; do
        PEER_PORT=$(t_freeport 127.0.0.2)
        PEER_BASE="http://127.0.0.2:$PEER_PORT"
        node_spawn peer "$INTEROP_LIB_DIR/peer.mjs" 127.0.0.2 "$PEER_PORT"
        PEER_PID=$NODE_PID
        node_ready peer "$PEER_PID" 300 && { up=1; break; }
        kill "$PEER_PID" 2>/dev/null || true
    done
    if [ "$up" != 1 ]; then
        echo "FAIL: the Fedify peer did not come up; log:" >&2
        cat "$T_DIR/peer.log" >&2
        exit 1
    fi
    PEER_ACTOR="$PEER_BASE/users/citizen"
}

# ---------------------------------------------------------------- the citizens' server
# test_citizen.sh and test_desk.sh: citizens on an independent fediverse server read and
# write to Herald through a real Mastodon client. The server is citizen/facade.mjs (Fedify -
# not Herald's code - with a Mastodon client API, on 127.0.0.3), the client masto.js 7.12
# (citizen/client.mjs, one process fed one call a line), both pinned in citizen/. In order:
#   facade_spawn          # the server, in the background: it loads Fedify and makes its keys
#                         # while Herald is set up. Sets F_PORT, F_DOMAIN, F_BASE, F_PID.
#   facade_herald_init    # Herald's data directory (h_init), poll counts sent each second.
#                         # Sets H_PORT, H_DATA, H_BASE and h (herald on H_DATA).
#   ... the test's own accounts, operators and settings; h_serve "$H_DATA" "$H_PORT"
#   facade_wait           # the server's "ready" (spawned again up to twice: a port taken
#                         # between freeport and listen), else exit 1; then the client.
#                         # Sets CIT, NEI (the tokens of its users citizen and neighbour),
#                         # MASTO (the client coprocess) for mc, jv, v and mc_until.
FACADE_DIR="$INTEROP_LIB_DIR/citizen"

facade_spawn() {
    F_PORT=$(t_freeport 127.0.0.3)
    F_DOMAIN="127.0.0.3:$F_PORT"
    F_BASE="http://$F_DOMAIN"
    node_spawn facade "$FACADE_DIR/facade.mjs" 127.0.0.3 "$F_PORT"
    F_PID=$NODE_PID
}

facade_herald_init() {
    H_PORT=$(t_freeport)
    H_DATA="$T_DIR/data-$H_PORT"
    H_BASE="http://127.0.0.1:$H_PORT"
    h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
    h_init "$H_DATA" "$H_PORT"
    # poll results and the counts inside our Notes sent (and served) each second rather
    # than every 5 minutes; a binary without the key refuses it: then it is left out
    printf 'poll_update_minutes = 0\n' >>"$H_DATA/herald.conf"
    h stats >/dev/null 2>&1 || sed -i '/^poll_update_minutes/d' "$H_DATA/herald.conf"
}

facade_wait() {
    local try
    for try in 2 3; do
        node_ready facade "$F_PID" 600 && break
        kill "$F_PID" 2>/dev/null || true
        echo "the citizens' server did not come up (try $((try - 1))); log:" >&2
        tail -n 20 "$T_DIR/facade.log" >&2
        facade_spawn
    done
    node_ready facade "$F_PID" 600 || { echo "FAIL: the citizens' server did not come up" >&2; exit 1; }
    # shellcheck disable=SC2034 # read by the tests that source this file
    CIT=citizen-token NEI=neighbour-token
    coproc MASTO { exec node "$FACADE_DIR/client.mjs" "$F_BASE" 2>>"$T_DIR/client.err"; }
    T_PIDS+=("$MASTO_PID")
    MC_N=0
}

# mc TOKEN CALL [ARG...]: one masto.js call as TOKEN's user ("-": anonymous); its answer
# is in the file $MC, {"value": ...} or {"error": {"statusCode", "message"}}.
mc() {
    local line IFS=$'\t'
    MC_N=$((MC_N + 1))
    MC="$T_DIR/mc-$MC_N-$2.json"
    printf '%s\n' "$*" >&"${MASTO[1]}"
    if IFS= read -r -t 60 line <&"${MASTO[0]}"; then
        printf '%s\n' "$line" >"$MC"
    else
        echo '{"error":{"statusCode":null,"message":"client.mjs did not answer"}}' >"$MC"
    fi
}

# jv FILE EXPR: EXPR (JavaScript, `d` = FILE's JSON) as jsq prints it, evaluated by
# client.mjs; v EXPR: the same on the last answer ($MC).
jv() {
    local line IFS=$'\t'
    printf '=\t%s\t%s\t%s\n' "$1" "$T_DIR/v.out" "${2//$'\n'/ }" >&"${MASTO[1]}"
    if IFS= read -r -t 60 line <&"${MASTO[0]}"; then cat "$T_DIR/v.out"; fi
}
v() { jv "$MC" "$1"; }

# mc_until SECONDS JS-PREDICATE TOKEN CALL [ARG...]: repeats the call until the predicate
# (d = its answer) holds; 1 on timeout (the last answer stays in $MC). A call naming no id
# (an earlier step failed) is not repeated.
mc_until() {
    local end=$(($(date +%s) + $1)) pred=$2
    shift 2
    [ -n "${3-x}" ] || end=0
    while :; do
        mc "$@"
        [ "$(v "($pred) ? 'yes' : 'no'")" = yes ] && return 0
        [ "$(date +%s)" -ge "$end" ] && return 1
        sleep 0.2
    done
}

# tests/harness/lib.sh - start and drive the real herald binary on an ephemeral loopback
# port. Sourced by tests/integration/*.sh and tests/interop/*.sh (bash).
# Needs: HERALD_BIN (the binary), HERALD_TOOLS (build dir with freeport, fakepeer, sigclient).
# Every test gets its own temporary directory and port, so ctest -j is safe.
set -euo pipefail

: "${HERALD_BIN:?HERALD_BIN must name the herald binary}"
: "${HERALD_TOOLS:?HERALD_TOOLS must name the directory with the test tools}"

T_DIR=$(mktemp -d "${TMPDIR:-/tmp}/herald-test.XXXXXX")
T_PIDS=()
T_FAILS=0
T_PASSES=0

t_cleanup() {
    local pid
    for pid in "${T_PIDS[@]:-}"; do
        [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    if [ "${T_KEEP:-0}" = 1 ] || [ "$T_FAILS" -gt 0 ]; then
        echo "test files kept in $T_DIR" >&2
    else
        rm -rf "$T_DIR"
    fi
}
trap t_cleanup EXIT

t_fail() { echo "FAIL: $*" >&2; T_FAILS=$((T_FAILS + 1)); }
t_pass() { echo "ok: $*"; T_PASSES=$((T_PASSES + 1)); }
# t_eq WHAT EXPECTED ACTUAL
t_eq() {
    if [ "$2" = "$3" ]; then t_pass "$1"; else t_fail "$1: expected [$2], got [$3]"; fi
}
# t_match WHAT REGEX TEXT
# (a here-string, not printf | grep -q: grep -q exits at the first match, and with
# pipefail the writer's SIGPIPE on a long TEXT turned a match into a failure)
t_match() {
    if grep -Eq -- "$2" <<<"$3"; then t_pass "$1"; else t_fail "$1: [$3] does not match /$2/"; fi
}
# Prints the closing line CI reads and exits non-zero on any failure.
t_done() {
    echo "$T_PASSES passed, $T_FAILS failed"
    [ "$T_FAILS" -eq 0 ]
}

t_freeport() { "$HERALD_TOOLS/freeport" "${1:-127.0.0.1}"; }

# h_init DIR PORT [NAME KIND]: a data dir for http://127.0.0.1:PORT with private network allowed.
h_init() {
    local dir=$1 port=$2
    "$HERALD_BIN" --data "$dir" init --domain "127.0.0.1:$port" --base-url "http://127.0.0.1:$port" >/dev/null
    printf 'allow_private_network = true\nlisten = 127.0.0.1:%s\n' "$port" >>"$dir/herald.conf"
}

# h_wait_http URL [SECONDS]: polls until URL answers (any status), at most ~10 s by default.
h_wait_http() {
    local i
    for i in $(seq 1 $((${2:-10} * 20))); do
        if curl -s -o /dev/null --max-time 1 "$1"; then return 0; fi
        sleep 0.05
    done
    return 1
}

# h_spawn DIR PORT: starts herald serve in the background, logs to DIR.log; sets H_PID.
# Does not wait for it (h_serve does).
h_spawn() {
    local dir=$1 port=$2
    # HERALD_VALGRIND=1: the server runs under memcheck; any error or leak makes its exit
    # code 99, which h_stop reports (CLI calls stay native: they would only be slow)
    local vg=()
    if [ "${HERALD_VALGRIND:-0}" = 1 ]; then
        vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite
            --errors-for-leak-kinds=definite --track-fds=no
            --suppressions="$HERALD_SRC/tests/glibc.supp" --log-file="$dir.valgrind.%p")
    fi
    "${vg[@]}" "$HERALD_BIN" --data "$dir" serve --listen "127.0.0.1:$port" >>"$dir.log" 2>&1 &
    H_PID=$!
    T_PIDS+=("$H_PID")
}

# h_serve DIR PORT: h_spawn, then waits until it answers HTTP.
h_serve() {
    local dir=$1 port=$2
    h_spawn "$dir" "$port"
    if ! h_wait_http "http://127.0.0.1:$port/.well-known/nodeinfo" \
        "$([ "${HERALD_VALGRIND:-0}" = 1 ] && echo 60 || echo 10)"; then
        echo "herald did not come up; log:" >&2
        cat "$dir.log" >&2
        return 1
    fi
}

# h_stop: SIGTERM the server started last and expect exit 0.
h_stop() {
    local rc=0
    kill -TERM "$H_PID" 2>/dev/null || true
    wait "$H_PID" || rc=$?
    t_eq "server exits 0 on SIGTERM" 0 "$rc"
    if [ "$rc" = 99 ]; then
        cat "$H_DATA".valgrind.* >&2 2>/dev/null || true
    fi
}

# h_start NAME KIND: init + account + serve on a fresh port; sets H_DATA, H_PORT, H_BASE.
h_start() {
    local name=${1:-health} kind=${2:-agency} try
    for try in 1 2 3; do
        H_PORT=$(t_freeport)
        H_DATA="$T_DIR/data-$H_PORT"
        H_BASE="http://127.0.0.1:$H_PORT"
        h_init "$H_DATA" "$H_PORT"
        "$HERALD_BIN" --data "$H_DATA" account add "$name" --kind "$kind" --name "Test $name" >/dev/null
        # most tests publish with `herald post` and want it out at once; the approval
        # workflow has tests of its own (H_APPROVALS=N keeps N)
        "$HERALD_BIN" --data "$H_DATA" account set "$name" approvals "${H_APPROVALS:-0}" >/dev/null
        if h_serve "$H_DATA" "$H_PORT"; then return 0; fi
        rm -rf "$H_DATA"
    done
    return 1
}

# h_get PATH [ACCEPT]: prints "STATUS" on the first line, then the body.
h_get() {
    local accept=${2:-application/activity+json}
    curl -s -w '\n%{http_code}' -H "Accept: $accept" "$H_BASE$1" | {
        body=$(cat); printf '%s\n%s\n' "${body##*$'\n'}" "${body%$'\n'*}"; }
}

# ---- fake peers, signed requests, JSON and polling (tests/tools) ----

# t_jq EXPR [FILE]: tests/tools/jsonq (jq is not a dependency); prints nothing on no match.
t_jq() { "$HERALD_TOOLS/jsonq" "$@" 2>/dev/null || true; }

# t_wait SECONDS CMD...: polls CMD every 0.1 s until it succeeds; 1 after SECONDS.
t_wait() {
    local limit=$(($1 * 10)) i
    shift
    for ((i = 0; i < limit; i++)); do
        if "$@"; then return 0; fi
        sleep 0.1
    done
    "$@"
}

# t_lines WHAT EXPECTED-COUNT TEXT: TEXT has exactly that many lines.
t_lines() {
    local n=0
    [ -n "$3" ] && n=$(printf '%s\n' "$3" | wc -l)
    t_eq "$1" "$2" "$n"
}

# fp_start ADDR NAME: a fakepeer on ADDR (127.0.0.2, 127.0.0.3, ...) and a free port, serving
# $T_DIR/NAME; sets FP_ROOT, FP_PORT, FP_BASE, FP_PID (a test keeps them per peer).
fp_start() {
    local addr=$1 name=$2 out="$T_DIR/$2.fakepeer.out"
    FP_ROOT="$T_DIR/$name"
    mkdir -p "$FP_ROOT"
    : >"$out"
    "$HERALD_TOOLS/fakepeer" --listen "$addr:0" --root "$FP_ROOT" >"$out" \
        2>>"$T_DIR/$name.fakepeer.log" &
    FP_PID=$!
    T_PIDS+=("$FP_PID")
    if ! t_wait 10 grep -q '^ready ' "$out"; then
        echo "fakepeer $name did not start:" >&2
        cat "$T_DIR/$name.fakepeer.log" >&2
        return 1
    fi
    FP_PORT=$(awk '/^ready /{ print $2 }' "$out")
    FP_BASE="http://$addr:$FP_PORT"
}

# fp_actor ROOT BASE NAME [mkactor options]: a remote actor served by that fakepeer.
fp_actor() { bash "$HERALD_TOOLS/mkactor" "$@" >/dev/null; }

# fp_count ROOT: how many POSTs the fakepeer recorded.
fp_count() {
    local n
    n=$(find "$1/_received" -maxdepth 1 -name '[0-9]*.json' 2>/dev/null | wc -l)
    echo "$n"
}

# fp_posts ROOT TYPE [PATH [STATUS]]: the record numbers (NNNNNN) of POSTs whose body has
# "type":"TYPE" at the top level, sent to PATH (any when empty), answered STATUS (any when
# empty). One per line, in order.
fp_posts() {
    local root=$1 type=$2 path=${3:-} status=${4:-} f n
    for f in "$root"/_received/[0-9]*.json; do
        [ -e "$f" ] || continue
        n=$(basename "$f" .json)
        [ "$(t_jq .type "$f")" = "$type" ] || continue
        if [ -n "$path" ]; then
            [ "$(head -n1 "$root/_received/$n.headers" | cut -d' ' -f2)" = "$path" ] || continue
        fi
        if [ -n "$status" ]; then
            [ "$(cat "$root/_received/$n.status")" = "$status" ] || continue
        fi
        echo "$n"
    done
}

# fp_has_posts ROOT TYPE PATH STATUS MIN: at least MIN such POSTs (for t_wait).
fp_has_posts() {
    local n
    n=$(fp_posts "$1" "$2" "$3" "$4" | wc -l)
    [ "$n" -ge "$5" ]
}

# sc_send ARGS...: tests/tools/sigclient ARGS; sets SC_STATUS (000 when no answer), SC_BODY
# and SC_ERR (its stderr). Never fails the script.
sc_send() {
    local out errf="$T_DIR/sigclient.$BASHPID.err" # per (sub)shell: callers may run in parallel
    out=$("$HERALD_TOOLS/sigclient" "$@" 2>"$errf") || true
    SC_ERR=$(cat "$errf")
    SC_STATUS=${out%%$'\n'*}
    SC_BODY=
    case $out in *$'\n'*) SC_BODY=${out#*$'\n'} ;; esac
    [ -n "$SC_STATUS" ] || SC_STATUS=000
}

# sc_as ROOT BASE NAME URL ARGS...: sc_send signed as remote actor NAME of that fakepeer.
sc_as() {
    local root=$1 base=$2 name=$3 url=$4
    shift 4
    sc_send --url "$url" --key "$root/$name.key.pem" --key-id "$base/users/$name#main-key" "$@"
}

# h_stats: `herald stats --json` for the instance in H_DATA.
h_stats() { "$HERALD_BIN" --data "$H_DATA" stats --json 2>&1 || true; }

# h_followers NAME: the actor ids following NAME, one per line.
h_followers() {
    "$HERALD_BIN" --data "$H_DATA" followers "$1" --json 2>/dev/null | t_jq '.[].actor'
}

# h_deliveries_drained: the delivery queue is empty (for t_wait).
h_deliveries_drained() { [ "$(h_stats | t_jq .deliveries)" = 0 ]; }

# fp_bodies ROOT REGEX: "NNNNNN PATH STATUS" for each recorded POST whose body matches the
# extended REGEX (one grep for all records: fast enough to poll hundreds of them).
fp_bodies() {
    local root=$1 re=$2 f n line st
    [ -d "$root/_received" ] || return 0
    { grep -lE -- "$re" "$root"/_received/[0-9]*.json 2>/dev/null || true; } | while read -r f; do
        n=${f##*/}
        n=${n%.json}
        line= st=
        read -r line <"$root/_received/$n.headers" || true
        read -r st <"$root/_received/$n.status" || true
        line=${line#* }
        echo "$n ${line%% *} $st"
    done
}

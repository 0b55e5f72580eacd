#!/usr/bin/env bash
# tests/interop/test_rotation.sh - key rotation seen by an independent implementation: a
# Fedify peer (tests/interop/peer.mjs, used as it is, through its control endpoints).
#
# Before the rotation a fake peer (tests/tools/fakepeer) follows and records an
# Update(actor) proven with the account's first Ed25519 key. Then `herald keys rotate` runs
# from the CLI while the server runs (it already signed with the old key), a Fedify peer
# follows, and:
#   - the next post's HTTP signature verifies at Fedify with the new RSA key (same keyId);
#   - an Update(actor) reaches Fedify's verified inbox, its object integrity proof (new
#     key, new id) verified by Fedify's verifyObject;
#   - the document proven before the rotation, POSTed unsigned to Fedify's inbox (Fedify
#     accepts an activity on its FEP-8b32 proof alone), is accepted: verifyObject fetched
#     the actor and used the superseded key, still listed in assertionMethod;
#   - the same document altered is refused.
# Node/npm handling and skips as in test_fedify.sh (exit 77 only when npm or its registry
# is unreachable). T_KEEP=1 keeps the work directory.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../.." && pwd)}"

# ---------------------------------------------------------------- Node >= 20
# skip REASON: exit 77 (ctest: skipped), the reason on stderr and, when scripts/test set
# HERALD_SKIP_FILE, appended there so its summary shows it (not only under ctest -V).
skip() {
    {
        echo "******************************************************************"
        echo "SKIPPED: $1"
        echo "******************************************************************"
    } >&2
    if [ -n "${HERALD_SKIP_FILE:-}" ]; then
        printf 'interop.test_rotation: %s\n' "$1" >>"$HERALD_SKIP_FILE"
    fi
    exit 77
}
# scripts/node prints the bin directory of a Node >= 20: the system's, or the Node 22
# pinned in tools/node (installed with npm ci when the system's is older, as on Debian 12,
# or absent); it exits 77 only when npm or the npm registry is unreachable.
node_err=$(mktemp "${TMPDIR:-/tmp}/herald-node.XXXXXX")
node_rc=0
node_bin=$(bash "$HERALD_SRC/scripts/node" 2>"$node_err") || node_rc=$?
cat "$node_err" >&2
node_reason=$(tail -n 1 "$node_err")
rm -f "$node_err"
case $node_rc in
0) PATH="$node_bin:$PATH" ;;
77) skip "no Node >= 20: ${node_reason#scripts/node: }" ;;
*) echo "FAIL: scripts/node (exit $node_rc): $node_reason" >&2; exit 1 ;;
esac
echo "interop: node $(node --version) from $node_bin"
if ! command -v npm >/dev/null 2>&1; then
    skip "interop tests need npm to install @fedify/fedify (none on PATH; scripts/deps installs it)"
fi

# ---------------------------------------------------------------- npm ci (once per lockfile)
# node_modules/.herald-stamp holds the sha256 of the package-lock.json it was installed
# from; `npm ci` runs only when it differs. A lock serialises concurrent test processes.
install_deps() {
    local want have=
    want=$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)
    [ -f "$HERE/node_modules/.herald-stamp" ] && have=$(cat "$HERE/node_modules/.herald-stamp")
    if [ "$want" = "$have" ] && [ -f "$HERE/node_modules/@fedify/fedify/package.json" ]; then
        return 0
    fi
    echo "interop: npm ci in $HERE (lockfile changed or node_modules missing)"
    local out
    out=$(mktemp "${TMPDIR:-/tmp}/herald-npm-ci.XXXXXX")
    if ! (cd "$HERE" && npm ci --no-audit --no-fund >"$out" 2>&1); then
        cat "$out" >&2
        rm -f "$out"
        timeout 40 npm ping --fetch-retries=0 --fetch-timeout=30000 >/dev/null 2>&1 ||
            return 77 # the registry is unreachable: a skip, not a failure
        echo "FAIL: npm ci failed in $HERE although the npm registry answers" >&2
        return 1
    fi
    rm -f "$out"
    printf '%s\n' "$want" >"$HERE/node_modules/.herald-stamp"
}
lock="${TMPDIR:-/tmp}/herald-interop-npm.lock"
if command -v flock >/dev/null 2>&1; then
    exec 9>"$lock"
    flock -w 600 9 || { echo "FAIL: could not take $lock" >&2; exit 1; }
    deps_rc=0
    install_deps || deps_rc=$?
    flock -u 9
    exec 9>&-
else
    deps_rc=0
    install_deps || deps_rc=$?
fi
[ "$deps_rc" -eq 77 ] && skip "the npm registry ($(npm config get registry 2>/dev/null)) is unreachable: @fedify/fedify cannot be installed"
[ "$deps_rc" -eq 0 ] || exit 1

# ---------------------------------------------------------------- harness
# shellcheck source=../harness/lib.sh
. "$HERALD_SRC/tests/harness/lib.sh"

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

# ---------------------------------------------------------------- start Herald + peers
AS='https://www.w3.org/ns/activitystreams'
H() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
h_start health agency
ME="$H_BASE/users/health"
HANDLE="health@127.0.0.1:$H_PORT"

# the fake peer: records what Herald sends before the rotation
fp_start 127.0.0.3 p3
P3_ROOT=$FP_ROOT P3=$FP_BASE
fp_actor "$P3_ROOT" "$P3" ann
sc_as "$P3_ROOT" "$P3" ann "$ME/inbox" --body-text \
    "$(printf '{"@context":"%s","id":"%s/users/ann/follows/1","type":"Follow","actor":"%s/users/ann","object":"%s"}' \
        "$AS" "$P3" "$P3" "$ME")"
t_eq "the fake peer's Follow is accepted" 202 "$SC_STATUS"
H account set health summary "Public health office" >/dev/null
t_wait 20 fp_has_posts "$P3_ROOT" Update /inbox "" 1 || t_fail "no Update(actor) at the fake peer"
OLD=$(fp_posts "$P3_ROOT" Update /inbox | head -n1)
OLD_DOC="$P3_ROOT/_received/$OLD.json"
OLD_ID=$(t_jq .id "$OLD_DOC")
t_eq "the document from before the rotation is proven by the first key" "$ME#ed25519-key" \
    "$(t_jq .proof.verificationMethod "$OLD_DOC")"

# ---------------------------------------------------------------- the rotation
# The server has loaded the old signing key (it delivered to the fake peer). The Fedify
# peer starts after the rotation: Fedify caches fetched documents for 5 minutes, also when
# it "refetches" a key after a failed signature, so a peer that fetched the actor just
# before a rotation refuses signatures for up to 5 minutes (Herald retries those
# deliveries, tests/integration/rotate.sh); waiting that out has no place in a test.
out=$(H keys rotate health)
t_match "herald keys rotate names the new key" "#ed25519-key-2" "$out"
t_wait 20 fp_has_posts "$P3_ROOT" Update /inbox "" 2 || t_fail "no Update(actor) at the fake peer"

peer_up=0
for _try in 1 2 3; do
    PEER_PORT=$(t_freeport 127.0.0.2)
    PEER_BASE="http://127.0.0.2:$PEER_PORT"
    : >"$T_DIR/peer.out"
    node "$HERE/peer.mjs" --host 127.0.0.2 --port "$PEER_PORT" >"$T_DIR/peer.out" 2>>"$T_DIR/peer.log" &
    PEER_PID=$!
    T_PIDS+=("$PEER_PID")
    for _ in $(seq 1 300); do
        if grep -q '^ready$' "$T_DIR/peer.out" 2>/dev/null; then peer_up=1; break; fi
        kill -0 "$PEER_PID" 2>/dev/null || break
        sleep 0.1
    done
    [ "$peer_up" = 1 ] && break
    kill "$PEER_PID" 2>/dev/null || true
done
if [ "$peer_up" != 1 ]; then
    echo "FAIL: the Fedify peer did not come up; log:" >&2
    cat "$T_DIR/peer.log" >&2
    exit 1
fi
trap 'dump_diagnostics; t_cleanup' EXIT

st=$(ctl POST /_control/follow "{\"handle\":\"$HANDLE\"}" "$T_DIR/follow.json")
t_eq "fedify follows the herald account" 200 "$st"
FOLLOW_ID=$(jsq "$T_DIR/follow.json" 'd.follow')
wait_received "r.type === 'Accept' && r.object.id === '$FOLLOW_ID'" 20 ||
    t_fail "no verified Accept of the Follow"
t_wait 20 h_deliveries_drained || t_fail "queue not drained"

# ---------------------------------------------------------------- after the rotation
R="$T_DIR/received.json"
note=$(H post health "After the rotation")
if wait_received "r.type === 'Create' && r.object.id === '$note'" 20; then
    t_pass "the next post reaches fedify's verified inbox"
else
    t_fail "no verified Create of $note after the rotation"
fi
cr="(d||[]).find(r => r.type === 'Create' && r.object.id === '$note')"
t_eq "the next post's HTTP signature verifies at fedify with the new RSA key" "true $ME#main-key" \
    "$(jsq "$R" "(s => s && (s.verified + ' ' + s.keyId))(($cr||{}).httpSignature)")"

# ---------------------------------------------------------------- the old document
st=$(curl -s -o "$T_DIR/old.out" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/activity+json' --data-binary @"$OLD_DOC" "$PEER_BASE/inbox")
t_match "fedify accepts the pre-rotation document on its proof alone (2xx)" '^2' "$st"
if wait_received "r.id === '$OLD_ID'" 20; then
    t_pass "the pre-rotation document passes fedify's verified inbox"
else
    t_fail "the pre-rotation document was not accepted (status $st: $(cat "$T_DIR/old.out"))"
fi
t_eq "its proof by the superseded key verified by fedify" "true $ME#ed25519-key" \
    "$(jsq "$R" "(r => r && r.proof && (r.proof.verified + ' ' + r.raw.proof.verificationMethod))((d||[]).find(r => r.id === '$OLD_ID'))")"

sed -e 's/Public health office/Forged health office/' -e "s|$OLD_ID|$OLD_ID-forged|" "$OLD_DOC" \
    >"$T_DIR/forged.json"
st=$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    -H 'Content-Type: application/activity+json' --data-binary @"$T_DIR/forged.json" "$PEER_BASE/inbox")
t_match "fedify refuses the altered document" '^4' "$st"
ctl GET /_control/received "" "$R" >/dev/null
t_eq "the altered document is not among the verified ones" "" \
    "$(jsq "$R" "(d||[]).filter(r => r.id === '$OLD_ID-forged').map(r => r.id).join(' ')")"

# the next Update(actor): proven by the new key, signed with the new RSA key
H account set health summary "Public health office, keys rotated" >/dev/null
if wait_received "r.type === 'Update' && r.actor === '$ME' && r.id !== '$OLD_ID'" 20; then
    t_pass "an Update(actor) after the rotation reaches fedify's verified inbox"
else
    t_fail "no verified Update(actor) after the rotation"
fi
upd="(d||[]).find(r => r.type === 'Update' && r.actor === '$ME' && r.id !== '$OLD_ID')"
t_eq "its proof (new key) verified by fedify's verifyObject" "true $ME#ed25519-key-2" \
    "$(jsq "$R" "(r => r && r.proof && (r.proof.verified + ' ' + r.raw.proof.verificationMethod))($upd)")"
t_eq "its HTTP signature verified by fedify with the new RSA key" "true $ME#main-key" \
    "$(jsq "$R" "(s => s && (s.verified + ' ' + s.keyId))(($upd||{}).httpSignature)")"

ctl GET /_control/requests "" "$T_DIR/requests.json" >/dev/null
t_eq "every herald delivery to fedify answered < 400" "" \
    "$(jsq "$T_DIR/requests.json" 'd.filter(e => e.status >= 400 && (e.headers["user-agent"]||"").startsWith("Herald")).map(e => e.method + " " + e.url + " " + e.status).join("; ")')"

t_done

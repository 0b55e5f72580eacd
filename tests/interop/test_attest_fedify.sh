#!/usr/bin/env bash
# tests/interop/test_attest_fedify.sh - Fedify (@fedify/fedify, pinned in package-lock.json)
# verifies the FEP-8b32 proof of a Herald official-status attestation with its own key
# fetch (the issuer actor's assertionMethod), and refuses a changed copy
# (attest_fedify.mjs). Node and npm are found and installed exactly as test_fedify.sh does
# (same lock and stamp, so the two can run at once); exit 77 (skipped) only when npm or its
# registry is unreachable.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../.." && pwd)}"

skip() {
    echo "SKIPPED: $1" >&2
    if [ -n "${HERALD_SKIP_FILE:-}" ]; then
        printf 'interop.test_attest_fedify: %s\n' "$1" >>"$HERALD_SKIP_FILE"
    fi
    exit 77
}
node_rc=0
node_bin=$(bash "$HERALD_SRC/scripts/node" 2>/dev/null) || node_rc=$?
case $node_rc in
0) PATH="$node_bin:$PATH" ;;
77) skip "no Node >= 20" ;;
*) echo "FAIL: scripts/node (exit $node_rc)" >&2; exit 1 ;;
esac
command -v npm >/dev/null 2>&1 || skip "no npm to install @fedify/fedify"

# the same installation as test_fedify.sh: npm ci once per lockfile, under one lock
install_deps() {
    local want have=
    want=$(sha256sum "$HERE/package-lock.json" | cut -d' ' -f1)
    [ -f "$HERE/node_modules/.herald-stamp" ] && have=$(cat "$HERE/node_modules/.herald-stamp")
    if [ "$want" = "$have" ] && [ -f "$HERE/node_modules/@fedify/fedify/package.json" ]; then
        return 0
    fi
    if ! (cd "$HERE" && npm ci --no-audit --no-fund >/dev/null 2>&1); then
        timeout 40 npm ping --fetch-retries=0 --fetch-timeout=30000 >/dev/null 2>&1 || return 77
        echo "FAIL: npm ci failed in $HERE although the npm registry answers" >&2
        return 1
    fi
    printf '%s\n' "$want" >"$HERE/node_modules/.herald-stamp"
}
exec 9>"${TMPDIR:-/tmp}/herald-interop-npm.lock"
flock -w 600 9 || { echo "FAIL: could not take the npm lock" >&2; exit 1; }
deps_rc=0
install_deps || deps_rc=$?
flock -u 9
exec 9>&-
[ "$deps_rc" -eq 77 ] && skip "the npm registry is unreachable: @fedify/fedify cannot be installed"
[ "$deps_rc" -eq 0 ] || exit 1

. "$HERALD_SRC/tests/harness/lib.sh"
h_start registry agency
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
URL=$(h attest issue --issuer registry --subject "$H_BASE/users/registry" --name "National Registry" \
    --kind agency)
out=$(cd "$HERE" && node attest_fedify.mjs "$URL" 2>"$T_DIR/node.err") || true
t_match "Fedify verifies the attestation's proof with the issuer's assertionMethod key" \
    "\"verified\":true,\"key\":\"$H_BASE/users/registry#ed25519-key\"" "$out"
t_match "and refuses a changed copy" '"tampered_verified":false' "$out"
[ -s "$T_DIR/node.err" ] && cat "$T_DIR/node.err" >&2
h_stop
t_done

#!/usr/bin/env bash
# tests/interop/test_attest_fedify.sh - Fedify (@fedify/fedify, pinned in package-lock.json)
# verifies the FEP-8b32 proof of a Herald official-status attestation with its own key
# fetch (the issuer actor's assertionMethod), and refuses a changed copy
# (attest_fedify.mjs). Node and npm as every interop test (tests/interop/lib.sh); exit 77
# (skipped) only when npm or its registry is unreachable.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../.." && pwd)}"

# shellcheck source=lib.sh
. "$HERE/lib.sh"
interop_init interop.test_attest_fedify "$HERE" @fedify/fedify/package.json
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

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

# ---------------------------------------------------------------- Node, npm, harness
# shellcheck source=lib.sh
. "$HERE/lib.sh"
interop_init interop.test_rotation "$HERE" @fedify/fedify/package.json

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

peer_start
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

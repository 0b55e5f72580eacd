#!/bin/bash
# tests/integration/rotate.sh - herald keys rotate, run from the CLI (another process) while
# the server delivers: the actor lists the new Ed25519 key under a new id and the old one
# with `expires`; a document proven before the rotation still verifies (Herald's own
# checker, fetching the actor over HTTP as a peer would); the Update(actor) announcing the
# rotation and the next deliveries are signed with the new RSA key, which the running
# server picked up without a restart; a 401 right after the rotation (a peer's stale key
# cache) is retried, not given up. Refusals change nothing and send nothing.
#
# Peer: 127.0.0.2 ann (shared inbox).
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
H() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
actor() { curl -s -H 'Accept: application/activity+json' "$ME"; }

h_start health agency
ME="$H_BASE/users/health"
actor | t_jq .publicKey.publicKeyPem >"$T_DIR/old.pub.pem"
OLD_MB=$(actor | t_jq '.assertionMethod[0].publicKeyMultibase')
t_eq "before: one assertionMethod key, the default id" "$ME#ed25519-key" \
    "$(actor | t_jq '.assertionMethod[].id')"

fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_actor "$P2_ROOT" "$P2" ann
sc_as "$P2_ROOT" "$P2" ann "$ME/inbox" --body-text \
    "$(printf '{"@context":"%s","id":"%s/users/ann/follows/1","type":"Follow","actor":"%s/users/ann","object":"%s"}' \
        "$AS" "$P2" "$P2" "$ME")"
t_eq "ann's Follow accepted" 202 "$SC_STATUS"
t_wait 15 fp_has_posts "$P2_ROOT" Accept /users/ann/inbox "" 1 || t_fail "ann got no Accept"

# a signed document from before the rotation: the Update(actor) of a profile change
H account set health summary "Public health office" >/dev/null
t_wait 15 fp_has_posts "$P2_ROOT" Update /inbox "" 1 || t_fail "the first Update(actor) did not arrive"
OLD_UPD=$(fp_posts "$P2_ROOT" Update /inbox | head -n1)
t_eq "the old Update's proof names the old key" "$ME#ed25519-key" \
    "$(t_jq .proof.verificationMethod "$P2_ROOT/_received/$OLD_UPD.json")"
t_eq "before rotation the old document verifies" "valid $ME#ed25519-key" \
    "$("$HERALD_TOOLS/proofcheck" "$P2_ROOT/_received/$OLD_UPD.json")"
t_wait 15 h_deliveries_drained || t_fail "queue not drained before the rotation"

# --- refusals: nothing changes, nothing is sent ---
H operator add ed >/dev/null
H grant ed editor --account health >/dev/null
before=$(fp_count "$P2_ROOT")
out=$(H --as ed keys rotate health 2>&1) && t_fail "an editor rotated the keys"
t_match "an editor is refused with the missing role" "admin" "$out"
out=$(H keys rotate nobody 2>&1) && t_fail "rotating an unknown account succeeded"
t_match "an unknown account is refused" "nobody" "$out"
out=$(H keys rotate 2>&1) && t_fail "keys rotate without NAME succeeded"
t_match "keys rotate without NAME is a usage error" "keys rotate NAME" "$out"
t_eq "after the refusals the actor is unchanged" "$OLD_MB" \
    "$(actor | t_jq '.assertionMethod[0].publicKeyMultibase')"
t_eq "after the refusals nothing was queued" 0 "$(h_stats | t_jq .deliveries)"
t_eq "after the refusals nothing was sent" "$before" "$(fp_count "$P2_ROOT")"

# --- the rotation, from the CLI while the server runs ---
out=$(H keys rotate health)
t_match "keys rotate names the new key" "#ed25519-key-2" "$out"
actor >"$T_DIR/actor.json"
t_eq "the actor lists two keys" 2 "$(t_jq '.assertionMethod|length' "$T_DIR/actor.json")"
t_eq "the current key has a new id" "$ME#ed25519-key-2" \
    "$(t_jq '.assertionMethod[0].id' "$T_DIR/actor.json")"
t_eq "the current key has no expiry" "" "$(t_jq '.assertionMethod[0].expires' "$T_DIR/actor.json")"
t_eq "the old key keeps its id" "$ME#ed25519-key" "$(t_jq '.assertionMethod[1].id' "$T_DIR/actor.json")"
t_eq "the old key keeps its value" "$OLD_MB" \
    "$(t_jq '.assertionMethod[1].publicKeyMultibase' "$T_DIR/actor.json")"
t_match "the old key expires at the rotation" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
    "$(t_jq '.assertionMethod[1].expires' "$T_DIR/actor.json")"
t_jq .publicKey.publicKeyPem "$T_DIR/actor.json" >"$T_DIR/new.pub.pem"
if cmp -s "$T_DIR/old.pub.pem" "$T_DIR/new.pub.pem"; then t_fail "the RSA key did not change"; else
    t_pass "the RSA key changed"; fi
t_eq "the RSA key id stays ACTOR#main-key" "$ME#main-key" "$(t_jq .publicKey.id "$T_DIR/actor.json")"
t_match "the rotation is audited" "keys.rotate" "$(H audit list --account health)"

t_eq "after rotation the old document still verifies" "valid $ME#ed25519-key" \
    "$("$HERALD_TOOLS/proofcheck" "$P2_ROOT/_received/$OLD_UPD.json")"

# the Update(actor) announcing the rotation: proven by the new key, signed by the new RSA key
t_wait 15 fp_has_posts "$P2_ROOT" Update /inbox "" 2 || t_fail "no Update(actor) after the rotation"
NEW_UPD=$(fp_posts "$P2_ROOT" Update /inbox | tail -n1)
R="$P2_ROOT/_received/$NEW_UPD"
t_eq "the rotation's Update is proven by the new key" "valid $ME#ed25519-key-2" \
    "$("$HERALD_TOOLS/proofcheck" "$R.json")"
t_eq "the rotation's Update carries both keys" 2 "$(t_jq '.object.assertionMethod|length' "$R.json")"
t_eq "the rotation's Update is signed with the new RSA key" ok \
    "$("$HERALD_TOOLS/sigcheck" "$R.headers" "$R.json" "$T_DIR/new.pub.pem" "$ME#main-key")"
t_match "... and not with the old one" "." \
    "$("$HERALD_TOOLS/sigcheck" "$R.headers" "$R.json" "$T_DIR/old.pub.pem" 2>&1 | grep -v '^ok$')"

# the next post goes out signed with the new key too
N=$(H post health "After the rotation")
t_wait 15 fp_has_posts "$P2_ROOT" Create /inbox "" 1 || t_fail "the post did not arrive"
C=$(fp_posts "$P2_ROOT" Create /inbox | tail -n1)
R="$P2_ROOT/_received/$C"
t_eq "the post after the rotation is the one delivered" "$N" "$(t_jq .object.id "$R.json")"
t_eq "the post after the rotation is signed with the new RSA key" ok \
    "$("$HERALD_TOOLS/sigcheck" "$R.headers" "$R.json" "$T_DIR/new.pub.pem" "$ME#main-key")"

# a peer that still holds the old key refuses the signature (401): within the grace after
# a rotation the delivery is retried, not given up (Fedify caches actors for 5 minutes)
echo 401 >"$P2_ROOT/_post_status"
N3=$(H post health "Refused at first by a stale key cache")
t_wait 15 fp_has_posts "$P2_ROOT" Create /inbox 401 1 || t_fail "the 401 was not recorded"
echo 202 >"$P2_ROOT/_post_status"
t_wait 60 fp_has_posts "$P2_ROOT" Create /inbox 202 2 ||
    t_fail "the refused delivery was not retried after the rotation"
C=$(fp_posts "$P2_ROOT" Create /inbox 202 | tail -n1)
t_eq "the retried delivery is the refused post" "$N3" "$(t_jq .object.id "$P2_ROOT/_received/$C.json")"

# a document whose proof is altered after signing does not verify
sed 's/Public health office/Forged office/' "$P2_ROOT/_received/$OLD_UPD.json" >"$T_DIR/forged.json"
t_match "an altered old document is refused" "^invalid" "$("$HERALD_TOOLS/proofcheck" "$T_DIR/forged.json")"

# a second rotation, through the admin API: an editor is refused, an admin rotates
H operator add adm >/dev/null
H grant adm admin --account health >/dev/null
TOK_ED=$(H token create ed 2>/dev/null)
TOK_ADM=$(H token create adm 2>/dev/null)
api() { # api TOKEN PATH: POST {}; prints the status, then the body
    curl -s -w '\n%{http_code}' -H "Authorization: Bearer $1" -H 'Content-Type: application/json' \
        -X POST --data '{}' "$H_BASE/api/herald/v1$2" | { b=$(cat); printf '%s\n%s\n' "${b##*$'\n'}" "${b%$'\n'*}"; }
}
r=$(api "$TOK_ED" /accounts/health/keys/rotate)
t_eq "the API refuses an editor's rotation" 403 "$(head -n1 <<<"$r")"
t_eq "... and the actor keeps two keys" 2 "$(actor | t_jq '.assertionMethod|length')"
r=$(api "$TOK_ADM" /accounts/nobody/keys/rotate)
t_eq "an admin of one account is refused on another (unknown) one" 403 "$(head -n1 <<<"$r")"
r=$(api "$TOK_ADM" /accounts/health/keys/rotate)
t_eq "an admin rotates through the API" 200 "$(head -n1 <<<"$r")"
t_eq "the API names the new key id" "#ed25519-key-3" "$(tail -n +2 <<<"$r" | t_jq .ed25519_key_id)"
t_eq "a second rotation lists three keys, none reused" \
    "$ME#ed25519-key-3 $ME#ed25519-key $ME#ed25519-key-2" \
    "$(actor | t_jq '.assertionMethod[].id' | tr '\n' ' ' | sed 's/ $//')"
t_eq "after two rotations the first document still verifies" "valid $ME#ed25519-key" \
    "$("$HERALD_TOOLS/proofcheck" "$P2_ROOT/_received/$OLD_UPD.json")"

h_stop
t_done

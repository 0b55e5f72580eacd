#!/bin/bash
# tests/integration/inbox_hostile.sh - the inbox refuses what verification-rules.md says it
# must, and stores and sends nothing when it does. Every hostile case asserts the status, the
# error code family, `herald stats --json` unchanged and no POST at the fake peer. Then the
# positive path: Follow -> 202 + follower + signed Accept; the same Follow again; Undo.
#
# Peers: 127.0.0.2 serves alice, mallory, bob and the broken actor documents; 127.0.0.3 serves
# carol (for the SSRF case) and dave (a follower that stays, for the last check).
# SSRF case: allow_private_network = true is what lets the main instance fetch from
# 127.0.0.2 at all, so the "keyId on a private address" case runs against a second instance
# (data dir of its own, allow_private_network = false); it must refuse before any fetch,
# which 127.0.0.3's fetch log shows.
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
PUBLIC="$AS#Public"

h_start health agency
ME="$H_BASE/users/health"
INBOX="$ME/inbox"

fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_start 127.0.0.3 p3
P3_ROOT=$FP_ROOT P3=$FP_BASE
for a in alice mallory bob liar2 htmly; do fp_actor "$P2_ROOT" "$P2" "$a"; done
fp_actor "$P3_ROOT" "$P3" carol
fp_actor "$P3_ROOT" "$P3" dave --no-shared-inbox
ALICE="$P2/users/alice"

# liar: the document at /users/liar says its id is .../liar2 (key id still .../liar#main-key).
sed -e "s|\"publicKey\":{\"id\":\"$P2/users/liar2#main-key\"|\"publicKey\":{\"id\":\"$P2/users/liar#main-key\"|" \
    "$P2_ROOT/users/liar2.json" >"$P2_ROOT/users/liar.json"
# htmly: a good actor document, served as text/html.
echo 'text/html; charset=utf-8' >"$P2_ROOT/users/htmly.json.type"

follow() { # ID ACTOR OBJECT
    printf '{"@context":"%s","id":"%s","type":"Follow","actor":"%s","object":"%s"}' \
        "$AS" "$1" "$2" "$3"
}
create() { # ID ACTOR OBJECT-ID ATTRIBUTED-TO
    printf '{"@context":"%s","id":"%s","type":"Create","actor":"%s","to":["%s"],' \
        "$AS" "$1" "$2" "$PUBLIC"
    printf '"object":{"id":"%s","type":"Note","attributedTo":"%s","content":"hello","to":["%s"]}}' \
        "$3" "$4" "$PUBLIC"
}
# A fresh activity id of alice's (called in $(...), so no counter: random is enough).
fid() { echo "$ALICE/activities/$RANDOM$RANDOM"; }

# hostile WHAT STATUS-REGEX CODE-REGEX SIGCLIENT-ARGS...
hostile() {
    local what=$1 want=$2 code=$3 before after fb fa
    shift 3
    before=$(h_stats)
    fb=$(fp_count "$P2_ROOT")
    sc_send "$@"
    t_match "$what: status" "^($want)\$" "$SC_STATUS"
    t_match "$what: error code" "$code" "$(printf '%s' "$SC_BODY" | t_jq .error)"
    after=$(h_stats)
    t_eq "$what: nothing stored" "$before" "$after"
    fa=$(fp_count "$P2_ROOT")
    t_eq "$what: nothing sent to the peer" "$fb" "$fa"
    if [ "$SC_STATUS" = 000 ]; then echo "  sigclient: $SC_ERR" >&2; fi
}
# as_alice: the usual signer.
AS_ALICE=(--key "$P2_ROOT/alice.key.pem" --key-id "$ALICE#main-key")

t_match "stats work before anything" '"accounts"' "$(h_stats)"

# --- signature, digest, date ---
hostile "unsigned POST" 401 'signature' \
    --url "$INBOX" --no-signature --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "mallory signs a Follow whose actor is alice" 401 'owner' \
    --url "$INBOX" --key "$P2_ROOT/mallory.key.pem" --key-id "$P2/users/mallory#main-key" \
    --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "alice's keyId, bob's key (signature does not verify)" 401 'signature' \
    --url "$INBOX" --key "$P2_ROOT/bob.key.pem" --key-id "$ALICE#main-key" \
    --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "body altered after signing" 401 'digest|signature' \
    --url "$INBOX" "${AS_ALICE[@]}" --tamper-body --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "Date two hours old" 401 'date' \
    --url "$INBOX" "${AS_ALICE[@]}" --date-offset -7200 \
    --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "Date two hours in the future" 401 'date' \
    --url "$INBOX" "${AS_ALICE[@]}" --date-offset 7200 \
    --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "Date header missing" 401 'date|signature' \
    --url "$INBOX" "${AS_ALICE[@]}" --date "" --headers "(request-target) host digest" \
    --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "Digest missing" 401 'digest|signature' \
    --url "$INBOX" "${AS_ALICE[@]}" --no-digest --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "Digest sent but not signed" 401 'digest|signature' \
    --url "$INBOX" "${AS_ALICE[@]}" --headers "(request-target) host date" \
    --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "Digest of another body" 401 'digest' \
    --url "$INBOX" "${AS_ALICE[@]}" --digest "SHA-256=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=" \
    --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "malformed Signature header" 400 'signature' \
    --url "$INBOX" --signature 'keyId="'"$ALICE"'#main-key",this is not a signature' \
    --body-text "$(follow "$(fid)" "$ALICE" "$ME")"
hostile "algorithm hmac-sha256" '400|401' 'signature|algorithm' \
    --url "$INBOX" "${AS_ALICE[@]}" --algorithm hmac-sha256 \
    --body-text "$(follow "$(fid)" "$ALICE" "$ME")"

# --- the key and its actor document ---
dead=$(t_freeport 127.0.0.2)
hostile "keyId where nothing answers" 401 'key' \
    --url "$INBOX" "${AS_ALICE[@]}" --key-id "http://127.0.0.2:$dead/users/ghost#main-key" \
    --body-text "$(follow "$(fid)" "http://127.0.0.2:$dead/users/ghost" "$ME")"
hostile "actor document served as text/html" 401 'key' \
    --url "$INBOX" --key "$P2_ROOT/htmly.key.pem" --key-id "$P2/users/htmly#main-key" \
    --body-text "$(follow "$P2/users/htmly/follows/1" "$P2/users/htmly" "$ME")"
hostile "actor document whose id is not its URL" 401 'key' \
    --url "$INBOX" --key "$P2_ROOT/liar2.key.pem" --key-id "$P2/users/liar#main-key" \
    --body-text "$(follow "$P2/users/liar2/follows/1" "$P2/users/liar2" "$ME")"
hostile "keyId of an actor that does not exist (404)" 401 'key' \
    --url "$INBOX" "${AS_ALICE[@]}" --key-id "$P2/users/nobody#main-key" \
    --body-text "$(follow "$P2/users/nobody/follows/1" "$P2/users/nobody" "$ME")"
t_eq "no broken actor document was cached" 0 "$(h_stats | t_jq .remote_actors)"

# --- origin rules ---
hostile "Create of a Note attributed to another actor" 403 'origin' \
    --url "$INBOX" "${AS_ALICE[@]}" \
    --body-text "$(create "$(fid)" "$ALICE" "$P2/notes/1" "$P2/users/bob")"
hostile "Create of a Note hosted on another origin" 403 'origin' \
    --url "$INBOX" "${AS_ALICE[@]}" \
    --body-text "$(create "$(fid)" "$ALICE" "$P3/notes/1" "$ALICE")"
hostile "Create of a Note claiming our own host" 403 'origin' \
    --url "$INBOX" "${AS_ALICE[@]}" \
    --body-text "$(create "$(fid)" "$ALICE" "$H_BASE/users/health/notes/forged" "$ALICE")"
hostile "activity id on our own host" 403 'origin' \
    --url "$INBOX" "${AS_ALICE[@]}" --body-text "$(follow "$H_BASE/follows/1" "$ALICE" "$ME")"
hostile "activity id on another origin than its actor" 403 'origin' \
    --url "$INBOX" "${AS_ALICE[@]}" --body-text "$(follow "$P3/follows/1" "$ALICE" "$ME")"
hostile "Undo of a Follow by someone else" 403 'origin' \
    --url "$INBOX" "${AS_ALICE[@]}" \
    --body-text "{\"@context\":\"$AS\",\"id\":\"$(fid)\",\"type\":\"Undo\",\"actor\":\"$ALICE\",\"object\":$(follow "$P2/users/bob/follows/9" "$P2/users/bob" "$ME")}"

# --- the body ---
{
    printf '{"@context":"%s","id":"%s","type":"Create","actor":"%s","object":{"type":"Note","content":"' \
        "$AS" "$(fid)" "$ALICE"
    head -c 300000 /dev/zero | tr '\0' x
    printf '"}}'
} >"$T_DIR/big.json"
# Sent the way hostile senders do (no Expect: the whole body follows the headers at once):
# the 413 must still reach the client, even though the server answers before reading it.
hostile "body over 256 KiB" 413 'large|size|big' \
    --url "$INBOX" "${AS_ALICE[@]}" --body "$T_DIR/big.json"
hostile "body over 256 KiB (Expect: 100-continue)" 413 'large|size|big' \
    --url "$INBOX" "${AS_ALICE[@]}" --body "$T_DIR/big.json" --header "Expect: 100-continue"
hostile "JSON that is not an object" 400 'object|json' \
    --url "$INBOX" "${AS_ALICE[@]}" --body-text '["Follow"]'
hostile "JSON that does not parse" 400 'json' \
    --url "$INBOX" "${AS_ALICE[@]}" --body-text '{"type":"Follow",'
{
    for _ in $(seq 1 10000); do printf '{"a":'; done
    printf '1'
    for _ in $(seq 1 10000); do printf '}'; done
} >"$T_DIR/deep.json"
hostile "JSON nested 10,000 levels deep" 400 'json|depth|nest' \
    --url "$INBOX" "${AS_ALICE[@]}" --body "$T_DIR/deep.json"
hostile "activity without an id" 400 'activity|id' \
    --url "$INBOX" "${AS_ALICE[@]}" \
    --body-text "{\"@context\":\"$AS\",\"type\":\"Follow\",\"actor\":\"$ALICE\",\"object\":\"$ME\"}"
hostile "duplicate keys in the JSON" 400 'json' \
    --url "$INBOX" "${AS_ALICE[@]}" \
    --body-text "{\"id\":\"$(fid)\",\"id\":\"$(fid)\",\"type\":\"Follow\",\"actor\":\"$ALICE\",\"object\":\"$ME\"}"

# --- routing and content type ---
hostile "unknown account" 404 'not.?found' \
    --url "$H_BASE/users/nobody/inbox" "${AS_ALICE[@]}" \
    --body-text "$(follow "$(fid)" "$ALICE" "$H_BASE/users/nobody")"
hostile "Follow of an unknown account through the shared inbox" 404 'not.?found' \
    --url "$H_BASE/inbox" "${AS_ALICE[@]}" \
    --body-text "$(follow "$(fid)" "$ALICE" "$H_BASE/users/nobody")"
hostile "wrong Content-Type" 415 'type|media|content' \
    --url "$INBOX" "${AS_ALICE[@]}" --content-type text/plain \
    --body-text "$(follow "$(fid)" "$ALICE" "$ME")"

# --- keyId on a private address, to an instance that does not allow them ---
SAVE_DATA=$H_DATA SAVE_PID=$H_PID SAVE_BASE=$H_BASE SAVE_PORT=$H_PORT
H_PORT=$(t_freeport)
H_DATA="$T_DIR/strict-$H_PORT"
H_BASE="http://127.0.0.1:$H_PORT"
"$HERALD_BIN" --data "$H_DATA" init --domain "127.0.0.1:$H_PORT" --base-url "$H_BASE" >/dev/null
printf 'allow_private_network = false\n' >>"$H_DATA/herald.conf"
"$HERALD_BIN" --data "$H_DATA" account add health --kind agency >/dev/null
h_serve "$H_DATA" "$H_PORT"
: >"$P3_ROOT/_fetched.log"
CAROL_HTTPS="https://${P3#http://}/users/carol"
hostile "keyId https://127.0.0.3 (private address refused)" 401 'key' \
    --url "$H_BASE/users/health/inbox" --key "$P3_ROOT/carol.key.pem" \
    --key-id "$CAROL_HTTPS#main-key" \
    --body-text "$(follow "$CAROL_HTTPS/follows/1" "$CAROL_HTTPS" "$H_BASE/users/health")"
hostile "keyId http://127.0.0.3 (private address refused)" 401 'key' \
    --url "$H_BASE/users/health/inbox" --key "$P3_ROOT/carol.key.pem" \
    --key-id "$P3/users/carol#main-key" \
    --body-text "$(follow "$P3/users/carol/follows/1" "$P3/users/carol" "$H_BASE/users/health")"
t_eq "the strict instance fetched nothing from 127.0.0.3" "" "$(cat "$P3_ROOT/_fetched.log")"
h_stop
H_DATA=$SAVE_DATA H_PID=$SAVE_PID H_BASE=$SAVE_BASE H_PORT=$SAVE_PORT

# Whatever a wrongly accepted request queued would have gone out by now.
t_wait 3 h_deliveries_drained || true
t_eq "no POST reached 127.0.0.2 during the hostile cases" 0 "$(fp_count "$P2_ROOT")"
t_eq "no follower after the hostile cases" "" "$(h_followers health)"

# --- the positive path ---
curl -s -H 'Accept: application/activity+json' "$ME" | t_jq .publicKey.publicKeyPem \
    >"$T_DIR/herald.pub.pem"
F1="$ALICE/follows/positive-1"
sc_as "$P2_ROOT" "$P2" alice "$INBOX" --body-text "$(follow "$F1" "$ALICE" "$ME")"
t_eq "valid Follow from alice: 202" 202 "$SC_STATUS"
t_eq "valid Follow: body says accepted" accepted "$(printf '%s' "$SC_BODY" | t_jq .status)"
t_eq "alice is a follower" "$ALICE" "$(h_followers health)"
fj=$("$HERALD_BIN" --data "$H_DATA" followers health --json)
t_eq "follower inbox" "$ALICE/inbox" "$(printf '%s' "$fj" | t_jq '.[0].inbox')"
t_eq "follower shared inbox" "$P2/inbox" "$(printf '%s' "$fj" | t_jq '.[0].shared_inbox')"
t_eq "alice's actor is cached" 1 "$(h_stats | t_jq .remote_actors)"
if t_wait 15 fp_has_posts "$P2_ROOT" Accept /users/alice/inbox "" 1; then
    t_pass "alice's inbox received an Accept"
else
    t_fail "alice's inbox received no Accept within 15 s"
fi
acc=$(fp_posts "$P2_ROOT" Accept /users/alice/inbox | head -n1)
if [ -n "$acc" ]; then
    R="$P2_ROOT/_received/$acc"
    t_match "Accept carries a Signature header" '^[Ss]ignature: ' "$(grep -i '^signature:' "$R.headers")"
    t_match "Accept carries a Digest header" '^[Dd]igest: SHA-256=' "$(grep -i '^digest:' "$R.headers")"
    t_match "Accept carries a Date header" '^[Dd]ate: ' "$(grep -i '^date:' "$R.headers")"
    t_match "Accept content type" 'application/(activity|ld)\+json' \
        "$(grep -i '^content-type:' "$R.headers")"
    t_eq "Accept signature verifies with our published key" ok \
        "$("$HERALD_TOOLS/sigcheck" "$R.headers" "$R.json" "$T_DIR/herald.pub.pem" "$ME#main-key")"
    t_eq "Accept actor" "$ME" "$(t_jq .actor "$R.json")"
    obj=$(t_jq .object.id "$R.json")
    [ -n "$obj" ] || obj=$(t_jq .object "$R.json")
    t_eq "Accept object is the Follow" "$F1" "$obj"
    t_match "Accept id is ours" "^$H_BASE/" "$(t_jq .id "$R.json")"
fi

sc_as "$P2_ROOT" "$P2" alice "$INBOX" --body-text "$(follow "$F1" "$ALICE" "$ME")"
t_eq "the same Follow again: 202" 202 "$SC_STATUS"
t_eq "still one follower" "$ALICE" "$(h_followers health)"

undo="{\"@context\":\"$AS\",\"id\":\"$ALICE/undos/1\",\"type\":\"Undo\",\"actor\":\"$ALICE\",\"object\":$(follow "$F1" "$ALICE" "$ME")}"
sc_as "$P2_ROOT" "$P2" alice "$INBOX" --body-text "$undo"
t_eq "Undo{Follow}: 202" 202 "$SC_STATUS"
t_eq "alice is no longer a follower" "" "$(h_followers health)"

# dave (127.0.0.3, own inbox) follows and stays, so a post has somewhere to go.
sc_as "$P3_ROOT" "$P3" dave "$H_BASE/inbox" \
    --body-text "$(follow "$P3/users/dave/follows/1" "$P3/users/dave" "$ME")"
t_eq "dave's Follow through the shared inbox: 202" 202 "$SC_STATUS"
before=$(fp_count "$P2_ROOT")
"$HERALD_BIN" --data "$H_DATA" post health "After alice left." >/dev/null
if t_wait 15 fp_has_posts "$P3_ROOT" Create /users/dave/inbox "" 1; then
    t_pass "dave received the post"
else
    t_fail "dave received no Create within 15 s"
fi
t_wait 15 h_deliveries_drained || t_fail "delivery queue not drained after 15 s"
t_eq "alice's server received nothing after Undo" "$before" "$(fp_count "$P2_ROOT")"
t_eq "no Create at 127.0.0.2 at all" "" "$(fp_posts "$P2_ROOT" Create)"

h_stop
t_done

#!/usr/bin/env bash
# tests/interop/test_fedify.sh - Herald against an independent ActivityPub implementation:
# a peer built on @fedify/fedify (pinned in package-lock.json, see peer.mjs).
#
# Checks, in order: WebFinger + actor as Fedify parses them; Follow -> Accept arriving
# through Fedify's verified inbox; `herald followers` lists the peer; `herald post` ->
# Create(Note) verified by Fedify, content HTML-escaped, attributed to the Herald actor;
# RFC 9421 both ways and double-knocking in both orders (4b-4g); Undo(Follow) -> follower
# gone; a later post is no longer delivered.
#
# Needs Node >= 20 and npm (the npm registry, the first time: `npm ci`); where the system
# Node is older or absent, scripts/node installs the pinned Node 22 of tools/node. It
# reports itself skipped (exit 77, reason appended to $HERALD_SKIP_FILE when set) only
# when npm or its registry is unreachable. HERALD_NODE_MIN=23 simulates an old system Node
# (see scripts/node). Env from ctest: HERALD_BIN, HERALD_SRC, HERALD_TOOLS.
# T_KEEP=1 keeps the work directory (peer log, control API dumps, herald log).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../.." && pwd)}"

# ---------------------------------------------------------------- Node, npm, harness
# shellcheck source=lib.sh
. "$HERE/lib.sh"
interop_init interop.test_fedify "$HERE" @fedify/fedify/package.json

# ---------------------------------------------------------------- start Herald + peer
h_start health agency
HERALD_ACTOR="$H_BASE/users/health"
HANDLE="health@127.0.0.1:$H_PORT"

peer_start
echo "herald $H_BASE (actor $HERALD_ACTOR), fedify peer $PEER_BASE (actor $PEER_ACTOR)"
trap 'dump_diagnostics; t_cleanup' EXIT

# ---------------------------------------------------------------- 1. WebFinger + actor
st=$(ctl POST /_control/lookup "{\"handle\":\"$HANDLE\"}" "$T_DIR/lookup.json")
t_eq "fedify resolves acct:$HANDLE (WebFinger + actor fetch)" 200 "$st"
[ "$st" = 200 ] || cat "$T_DIR/lookup.json" >&2
L="$T_DIR/lookup.json"
t_eq "webfinger subject" "acct:$HANDLE" "$(jsq "$L" 'd.webfinger.subject')"
t_eq "webfinger self link (activity+json)" "$HERALD_ACTOR" \
    "$(jsq "$L" '(d.webfinger.links||[]).filter(l => l.rel === "self" && l.type === "application/activity+json").map(l => l.href)[0]')"
t_eq "actor id" "$HERALD_ACTOR" "$(jsq "$L" 'd.actor.id')"
t_eq "actor parsed by fedify as Organization (kind agency)" "Organization true" \
    "$(jsq "$L" 'd.actor.type + " " + d.actor.isOrganization')"
t_eq "actor preferredUsername" health "$(jsq "$L" 'd.actor.preferredUsername')"
t_eq "actor inbox" "$HERALD_ACTOR/inbox" "$(jsq "$L" 'd.actor.inbox')"
t_eq "actor outbox" "$HERALD_ACTOR/outbox" "$(jsq "$L" 'd.actor.outbox')"
t_eq "actor followers" "$HERALD_ACTOR/followers" "$(jsq "$L" 'd.actor.followers')"
t_eq "actor endpoints.sharedInbox" "$H_BASE/inbox" "$(jsq "$L" 'd.actor.sharedInbox')"
t_eq "actor publicKey id/owner" "$HERALD_ACTOR#main-key $HERALD_ACTOR" \
    "$(jsq "$L" 'd.actor.publicKey.id + " " + d.actor.publicKey.owner')"
t_eq "actor publicKey is an RSA key fedify can import" "true RSASSA-PKCS1-v1_5" \
    "$(jsq "$L" 'd.actor.publicKey.isCryptographicKey + " " + d.actor.publicKey.algorithm')"
t_eq "actor assertionMethod has an Ed25519 Multikey controlled by the actor" yes \
    "$(jsq "$L" '(d.actor.assertionMethods||[]).some(m => m.isMultikey && m.algorithm === "Ed25519" && m.controller === d.actor.id) ? "yes" : JSON.stringify(d.actor.assertionMethods ?? d.actor.assertionMethodsError ?? null)')"

# ---------------------------------------------------------------- 2. Follow -> Accept
st=$(ctl POST /_control/follow "{\"handle\":\"$HANDLE\"}" "$T_DIR/follow.json")
t_eq "fedify delivers Follow to herald's inbox (2xx)" 200 "$st"
[ "$st" = 200 ] || cat "$T_DIR/follow.json" >&2
FOLLOW_ID=$(jsq "$T_DIR/follow.json" 'd.follow')
t_eq "Follow went to the actor's inbox" "$HERALD_ACTOR/inbox" "$(jsq "$T_DIR/follow.json" 'd.inbox')"
# Fedify knocks first with an RFC 9421 signature and retries with draft-cavage on a
# 400/401 ("double knocking"); only the outcome matters here, the first answer is shown.
ctl GET /_control/outbound "" "$T_DIR/outbound.json" >/dev/null
echo "note: herald's answers to Fedify's signed POSTs (spec: status): $(jsq "$T_DIR/outbound.json" \
    'd.filter(e => e.method === "POST").map(e => (e.headers["signature-input"] ? "rfc9421" : "cavage") + ": " + e.status + (e.status >= 400 ? " " + (e.responseBody || "").slice(0, 120) : "")).join("; ")')"

if wait_received "r.type === 'Accept' && r.object.id === '$FOLLOW_ID'" 20; then
    t_pass "Accept(Follow) arrives through fedify's verified inbox"
else
    t_fail "no verified Accept of $FOLLOW_ID within 20 s (received: $(jsq "$T_DIR/received.json" 'd.map(r => r.type + " " + r.id)'))"
fi
acc="(d||[]).find(r => r.type === 'Accept' && r.object.id === '$FOLLOW_ID')"
t_eq "Accept actor is the herald actor" "$HERALD_ACTOR" "$(jsq "$T_DIR/received.json" "($acc||{}).actor")"
t_eq "Accept delivered to the follower's own inbox" citizen "$(jsq "$T_DIR/received.json" "($acc||{}).inbox")"
t_eq "Accept HTTP signature verified by fedify with herald's key" "true $HERALD_ACTOR#main-key $HERALD_ACTOR" \
    "$(jsq "$T_DIR/received.json" "(s => s && (s.verified + ' ' + s.keyId + ' ' + s.keyOwner))(($acc||{}).httpSignature)")"
t_eq "Accept signed draft-cavage rsa-sha256 over (request-target) host date digest" \
    "draft-cavage-http-signatures-12 rsa-sha256 yes" \
    "$(jsq "$T_DIR/received.json" "(s => s && (s.spec + ' ' + s.algorithm + ' ' + (['(request-target)','host','date','digest'].every(h => (s.headers||'').toLowerCase().split(' ').includes(h)) ? 'yes' : 'headers=' + s.headers)))(($acc||{}).httpSignature)")"
t_eq "Accept Content-Type is activity+json or ld+json" yes \
    "$(jsq "$T_DIR/received.json" "/^application\/(activity\+json|ld\+json)/.test((($acc||{}).headers||{})['content-type']||'') ? 'yes' : (($acc||{}).headers||{})['content-type']")"

# ---------------------------------------------------------------- 3. herald followers
"$HERALD_BIN" --data "$H_DATA" followers health --json >"$T_DIR/followers.json" 2>"$T_DIR/followers.err" || true
t_eq "herald followers lists the fedify actor" yes \
    "$(jsq "$T_DIR/followers.json" "Array.isArray(d) && d.some(f => f.actor === '$PEER_ACTOR') ? 'yes' : JSON.stringify(d ?? null)")"
t_eq "follower inbox / shared_inbox as the peer published them" "$PEER_ACTOR/inbox $PEER_BASE/inbox" \
    "$(jsq "$T_DIR/followers.json" "(f => f && (f.inbox + ' ' + f.shared_inbox))((d||[]).find(f => f.actor === '$PEER_ACTOR'))")"

# ---------------------------------------------------------------- 4. post -> Create(Note)
note_url=$("$HERALD_BIN" --data "$H_DATA" post health "Interop notice <b>one</b>" 2>"$T_DIR/post1.err") || true
note_url=$(printf '%s' "$note_url" | tail -n 1 | tr -d '\r')
t_match "herald post prints the Note URL" "^$HERALD_ACTOR/notes/[^/]+$" "$note_url"

if wait_received "r.type === 'Create' && r.object.id === '$note_url'" 20; then
    t_pass "Create(Note) arrives through fedify's verified inbox"
else
    t_fail "no verified Create of $note_url within 20 s (received: $(jsq "$T_DIR/received.json" 'd.map(r => r.type + " " + r.id + " " + (r.object && r.object.id))'))"
fi
cr="(d||[]).find(r => r.type === 'Create' && r.object.id === '$note_url')"
R="$T_DIR/received.json"
t_eq "Create id is the Note URL + /activity" "$note_url/activity" "$(jsq "$R" "($cr||{}).id")"
t_eq "Create actor is the herald actor" "$HERALD_ACTOR" "$(jsq "$R" "($cr||{}).actor")"
t_eq "Create delivered to the peer's shared inbox" shared "$(jsq "$R" "($cr||{}).inbox")"
t_eq "Create HTTP signature verified by fedify with herald's key" "true $HERALD_ACTOR#main-key" \
    "$(jsq "$R" "(s => s && (s.verified + ' ' + s.keyId))(($cr||{}).httpSignature)")"
t_eq "Create signed draft-cavage rsa-sha256" "draft-cavage-http-signatures-12 rsa-sha256" \
    "$(jsq "$R" "(s => s && (s.spec + ' ' + s.algorithm))(($cr||{}).httpSignature)")"
t_eq "object is a Note" Note "$(jsq "$R" "($cr||{object:{}}).object.type")"
t_eq "Note attributedTo the herald actor" "$HERALD_ACTOR" "$(jsq "$R" "($cr||{object:{}}).object.attributedTo")"
content=$(jsq "$R" "($cr||{object:{}}).object.content")
t_match "Note content carries the text, HTML-escaped" '&lt;b&gt;one&lt;/b&gt;' "$content"
if grep -q '<b>' <<<"$content"; then
    t_fail "Note content contains raw <b> markup: [$content]"
else
    t_pass "Note content has no raw <b> markup"
fi
t_match "Note content on the wire (raw JSON) is escaped too" '&lt;b&gt;' \
    "$(jsq "$R" "(o => o && typeof o === 'object' ? o.content : '')((($cr||{}).raw||{}).object)")"
t_eq "Note addressed to Public" yes \
    "$(jsq "$R" "(o => o && (o.to||[]).concat(o.cc||[]).some(u => u === 'https://www.w3.org/ns/activitystreams#Public' || u === 'as:Public' || u === 'Public') ? 'yes' : JSON.stringify(o && [o.to, o.cc]))(($cr||{}).object)")"
t_eq "Create's Object Integrity Proof (FEP-8b32) verified by fedify's verifyObject" verified \
    "$(jsq "$R" "(p => p && p.present ? (p.verified ? 'verified' : 'FAILED ' + (p.error||'')) : 'absent')(($cr||{}).proof)")"
t_eq "the proof is one object, eddsa-jcs-2022, by herald's assertionMethod key" \
    "object eddsa-jcs-2022 $HERALD_ACTOR#ed25519-key" \
    "$(jsq "$R" "(p => p ? (Array.isArray(p) ? 'array' : typeof p) + ' ' + p.cryptosuite + ' ' + p.verificationMethod : 'none')((($cr||{}).raw||{}).proof)")"
st=$(ctl POST /_control/verify "{\"url\":\"$note_url\"}" "$T_DIR/verify-note.json")
t_eq "the Note fetched at its id: fedify's verifyObject accepts its proof" "true" \
    "$(jsq "$T_DIR/verify-note.json" 'd.verified + (d.error ? " " + d.error : "")')"

# ------------------------------------------------- 4b. herald checks fedify's proofs
out=$("$HERALD_BIN" --data "$H_DATA" follow health "@citizen@127.0.0.2:$PEER_PORT" 2>&1) || true
t_match "herald follows the fedify actor" "follows $PEER_ACTOR" "$out"
accepted() { "$HERALD_BIN" --data "$H_DATA" following health | grep -q '"state": "accepted"'; }
t_wait 20 accepted || true
t_match "fedify accepted herald's Follow" '"state": "accepted"' "$("$HERALD_BIN" --data "$H_DATA" following health)"
st=$(ctl POST /_control/post "{\"handle\":\"$HANDLE\",\"text\":\"Signed by fedify\"}" "$T_DIR/fpost.json")
t_eq "fedify sends a Create(Note) with its own proof to herald (2xx)" 200 "$st"
[ "$st" = 200 ] || cat "$T_DIR/fpost.json" >&2
FCREATE=$(jsq "$T_DIR/fpost.json" 'd.create')
in_timeline() { "$HERALD_BIN" --data "$H_DATA" timeline health | grep -q "Signed by fedify"; }
t_wait 20 in_timeline || true
"$HERALD_BIN" --data "$H_DATA" timeline health >"$T_DIR/timeline.json" 2>&1 || true
fe="(d||[]).find(e => e.activity && e.activity.id === '$FCREATE')"
t_eq "fedify's Create carried one proof object" object \
    "$(jsq "$T_DIR/timeline.json" "(e => e ? (Array.isArray(e.activity.proof) ? 'array' : typeof e.activity.proof) : 'not in timeline')($fe)")"
t_eq "herald verified fedify's proof of the Create (stored with it: proven)" \
    "proven $PEER_BASE" \
    "$(jsq "$T_DIR/timeline.json" "(e => e && e.proof ? e.proof.activity.state + ' ' + e.proof.activity.method.split('/users/')[0] : JSON.stringify(e))($fe)")"

# ---------------------------------------------------------------- 4b. Fedify -> Herald, both specs
t_eq "Fedify's Follow (RFC 9421, its first knock) accepted by herald at once" "rfc9421 202" \
    "$(jsq "$T_DIR/outbound.json" '(e => e && ((e.headers["signature-input"] ? "rfc9421" : "cavage") + " " + e.status))(d.filter(e => e.method === "POST")[0])')"
for spec in rfc9421 draft-cavage-http-signatures-12; do
    st=$(ctl POST /_control/signed-post "{\"url\":\"$HERALD_ACTOR/inbox\",\"spec\":\"$spec\",\"object\":\"$note_url\"}" "$T_DIR/signed-$spec.json")
    t_eq "Fedify signRequest($spec) Like accepted by herald's inbox" "200 202" \
        "$st $(jsq "$T_DIR/signed-$spec.json" 'd.status')"
done
t_match "the rfc9421 Like carried Signature-Input with content-digest and created" \
    'content-digest.*created=' "$(jsq "$T_DIR/signed-rfc9421.json" 'd.signatureInput')"

# post_and_wait LABEL: herald posts a note; waits until Fedify's verified inbox has its
# Create; sets NOTE (its URL) and SIG (the httpSignature record as JSON).
post_and_wait() {
    NOTE=$("$HERALD_BIN" --data "$H_DATA" post health "Interop knock $1" 2>>"$T_DIR/post.err" | tail -n 1 | tr -d '\r') || true
    if wait_received "r.type === 'Create' && r.object.id === '$NOTE'" 20; then
        t_pass "$1: Create(Note) arrives through fedify's verified inbox"
    else
        t_fail "$1: no verified Create of $NOTE within 20 s"
    fi
    SIG=$(jsq "$T_DIR/received.json" "(d.find(r => r.type === 'Create' && r.object.id === '$NOTE')||{}).httpSignature")
    ctl GET /_control/requests "" "$T_DIR/requests.json" >/dev/null
}
# knocks NOTE: the specs of herald's POSTs of NOTE's Create, in order, with their status
knocks() {
    jsq "$T_DIR/requests.json" "d.filter(e => e.method === 'POST' && (e.body||'').includes('\"$1/activity\"')).map(e => (e.headers['signature-input'] ? 'rfc9421' : 'cavage') + ':' + e.status).join(' ')"
}
sigspec() { printf '%s' "$SIG" | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>{const j=JSON.parse(s||"null");process.stdout.write(j?j.spec+" "+j.verified:"none")})'; }
knock_log() { grep -c "host=127.0.0.2:$PEER_PORT takes $1: remembered" "$H_DATA.log" || true; }

# ---------------------------------------------------------------- 4c. http_signature_first = rfc9421
h_stop
printf 'http_signature_first = rfc9421\n' >>"$H_DATA/herald.conf"
h_serve "$H_DATA" "$H_PORT" || t_fail "herald did not restart"
post_and_wait "rfc9421 first knock"
t_eq "rfc9421 first knock: one POST, RFC 9421, accepted" "rfc9421:202" "$(knocks "$NOTE")"
t_eq "rfc9421 first knock: Fedify verified it as rfc9421" "rfc9421 true" "$(sigspec)"

# ---------------------------------------------------------------- 4d. rfc9421 refused -> cavage
ctl POST /_control/refuse '{"spec":"rfc9421"}' "$T_DIR/refuse.json" >/dev/null
post_and_wait "rfc9421 refused"
t_eq "rfc9421 refused: herald knocks again with draft-cavage" "rfc9421:401 cavage:202" "$(knocks "$NOTE")"
t_eq "rfc9421 refused: Fedify verified the draft-cavage retry" "draft-cavage-http-signatures-12 true" "$(sigspec)"
t_eq "rfc9421 refused: herald remembers draft-cavage for the host" 1 "$(knock_log draft-cavage)"
ctl POST /_control/refuse '{"spec":null}' "$T_DIR/refuse.json" >/dev/null
post_and_wait "host remembered as draft-cavage"
t_eq "remembered draft-cavage beats http_signature_first = rfc9421" "cavage:202" "$(knocks "$NOTE")"

# ---------------------------------------------------------------- 4e. cavage refused -> rfc9421
ctl POST /_control/refuse '{"spec":"draft-cavage-http-signatures-12","acceptSignature":"sig2=(\"@method\" \"@target-uri\" \"@authority\" \"content-digest\");created;nonce=\"peer-nonce-1\""}' "$T_DIR/refuse.json" >/dev/null
post_and_wait "draft-cavage refused"
t_eq "draft-cavage refused: herald knocks again with RFC 9421" "cavage:401 rfc9421:202" "$(knocks "$NOTE")"
t_eq "draft-cavage refused: Fedify verified the RFC 9421 retry" "rfc9421 true" "$(sigspec)"
t_match "the retry signs what Accept-Signature asked (label, @authority, nonce)" \
    '^sig2=\("@method" "@target-uri" "@authority" "content-digest"\);created=[0-9]+;keyid="[^"]+";alg="rsa-v1_5-sha256";nonce="peer-nonce-1"$' \
    "$(printf '%s' "$SIG" | node -e 'let s="";process.stdin.on("data",c=>s+=c).on("end",()=>process.stdout.write((JSON.parse(s||"{}")||{}).signatureInput||""))')"
t_eq "draft-cavage refused: herald remembers rfc9421 for the host" 1 "$(knock_log rfc9421)"
ctl POST /_control/refuse '{"spec":null}' "$T_DIR/refuse.json" >/dev/null
post_and_wait "host remembered as rfc9421"
t_eq "the next delivery knocks first with the remembered RFC 9421" "rfc9421:202" "$(knocks "$NOTE")"

# ---------------------------------------------------------------- 5. Undo(Follow)
st=$(ctl POST /_control/unfollow '{}' "$T_DIR/unfollow.json")
t_eq "fedify delivers Undo(Follow) to herald (2xx)" 200 "$st"
[ "$st" = 200 ] || cat "$T_DIR/unfollow.json" >&2
"$HERALD_BIN" --data "$H_DATA" followers health --json >"$T_DIR/followers2.json" 2>"$T_DIR/followers2.err" || true
t_eq "herald followers no longer lists the fedify actor" gone \
    "$(jsq "$T_DIR/followers2.json" "Array.isArray(d) ? (d.some(f => f.actor === '$PEER_ACTOR') ? 'still there' : 'gone') : 'bad JSON: ' + JSON.stringify(d ?? null)")"

# ---------------------------------------------------------------- 6. no delivery after Undo
ctl GET /_control/received "" "$T_DIR/received-before.json" >/dev/null
before=$(jsq "$T_DIR/received-before.json" 'd.length')
note2=$("$HERALD_BIN" --data "$H_DATA" post health "Interop notice two" 2>"$T_DIR/post2.err") || true
note2=$(printf '%s' "$note2" | tail -n 1 | tr -d '\r')
t_match "second herald post prints the Note URL" "^$HERALD_ACTOR/notes/[^/]+$" "$note2"
sleep 5
ctl GET /_control/received "" "$T_DIR/received-after.json" >/dev/null
after=$(jsq "$T_DIR/received-after.json" 'd.length')
t_eq "nothing delivered to the former follower within 5 s" "$before" "$after"

# ---------------------------------------------------------------- 7. nothing refused
ctl GET /_control/unverified "" "$T_DIR/unverified.json" >/dev/null
t_eq "fedify refused no delivery from herald (bad signatures etc.)" 0 "$(jsq "$T_DIR/unverified.json" 'd.length')"
ctl GET /_control/requests "" "$T_DIR/requests.json" >/dev/null
t_eq "every herald request to the peer answered < 400" "" \
    "$(jsq "$T_DIR/requests.json" 'd.filter(e => e.status >= 400 && !e.refused).map(e => e.method + " " + e.url + " " + e.status).join("; ")')"

t_done

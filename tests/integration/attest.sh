#!/bin/bash
# tests/integration/attest.sh - official-status attestations across two Herald instances
# (I: a national registry, the trust anchor; S: an agency with a department) and a fake
# peer (a forged issuer, a rotated key, a remote author whose posts are checked):
# a good chain registry -> ministry -> department, verified by CLI, handle and /verify;
# and every refusal (expired, revoked, another actor, forged or tampered signature, an
# issuer nobody trusts, a superseded key, a post edited after signing), each with its clear
# message and nothing stored.
. "$(dirname "$0")/../harness/lib.sh"

PS="$HERALD_TOOLS/proofsign"

# start_instance NAME KIND EXTRA_CONFIG: init, account, config, serve; sets H_* like h_start.
start_instance() {
    H_PORT=$(t_freeport)
    H_DATA="$T_DIR/data-$H_PORT"
    H_BASE="http://127.0.0.1:$H_PORT"
    h_init "$H_DATA" "$H_PORT"
    "$HERALD_BIN" --data "$H_DATA" account add "$1" --kind "$2" --name "$3" >/dev/null
    "$HERALD_BIN" --data "$H_DATA" account set "$1" approvals 0 >/dev/null
    printf '%s\n' "$4" >>"$H_DATA/herald.conf"
    h_serve "$H_DATA" "$H_PORT"
}

# the registry's actor URL must be known to S's config before S starts: start I first
start_instance registry agency "National Registry" "verify_rate_per_minute = 2"
I_DATA=$H_DATA I_BASE=$H_BASE I_PORT=$H_PORT I_PID=$H_PID
i() { "$HERALD_BIN" --data "$I_DATA" "$@"; }
ANCHOR="$I_BASE/users/registry"
printf 'trust_anchors = %s\n' "$ANCHOR" >>"$I_DATA/herald.conf" # for the CLI on I
start_instance ministry agency "Ministry of Health" "trust_anchors = $ANCHOR"
S_DATA=$H_DATA S_BASE=$H_BASE S_PORT=$H_PORT S_PID=$H_PID
s() { "$HERALD_BIN" --data "$S_DATA" "$@"; }
s account add dept --kind department --parent ministry --name "Food Inspection" >/dev/null
s account add rogue --kind agency --name "Self-Declared Registry" >/dev/null
s account add dept2 --kind department --parent ministry --name "Another Department" >/dev/null
fp_start 127.0.0.2 peer
P_ROOT=$FP_ROOT P_BASE=$FP_BASE

# ---- issuing ----
A1=$(i attest issue --issuer registry --subject "$S_BASE/users/ministry" \
    --name "Ministry of Health" --kind agency)
t_match "issue prints the attestation's stable URL" "^$I_BASE/attestations/[0-9a-f]+$" "$A1"
hdr=$(curl -s -D - -o "$T_DIR/a1.json" "$A1")
t_match "it is served as JSON-LD" "[Cc]ontent-[Tt]ype: application/ld\+json" "$hdr"
t_match "with an ETag" "[Ee][Tt]ag: \"" "$hdr"
t_eq "its type" '["VerifiableCredential","OfficialStatusCredential"]' "$(t_jq .type "$T_DIR/a1.json")"
t_eq "its issuer is the registry actor" "$ANCHOR" "$(t_jq .issuer.id "$T_DIR/a1.json")"
t_eq "its subject" "$S_BASE/users/ministry" "$(t_jq .credentialSubject.id "$T_DIR/a1.json")"
t_eq "one proof by the issuer's assertionMethod key" "$ANCHOR#ed25519-key" \
    "$(t_jq .proof.verificationMethod "$T_DIR/a1.json")"
t_eq "eddsa-jcs-2022" "eddsa-jcs-2022" "$(t_jq .proof.cryptosuite "$T_DIR/a1.json")"
t_match "as ActivityStreams JSON when asked" "application/activity\+json" \
    "$(curl -s -D - -o /dev/null -H 'Accept: application/activity+json' "$A1" | tr -d '\r')"
t_eq "the issuer's list names it" "$A1" "$(curl -s "$I_BASE/attestations" | t_jq '.items[0]')"
rl=$(curl -s -D - "$I_BASE/attestations/revoked/registry" | tr -d '\r')
t_match "the revocation list is signed" '"proofValue"' "$rl"
t_match "and never cached" "no-cache" "$rl"
t_eq "an unknown attestation is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$I_BASE/attestations/00ff")"

i operator add clerk >/dev/null
if i --as clerk attest issue --issuer registry --subject "$S_BASE/users/dept" --name X \
    --kind agency 2>"$T_DIR/err"; then t_fail "an operator without admin issued"; fi
t_match "issuing needs admin on the issuer account" "does not hold the admin role on registry" "$(cat "$T_DIR/err")"
if i attest issue --issuer registry --subject "$S_BASE/users/dept" --name X --kind mayor 2>"$T_DIR/err"; then
    t_fail "a bad kind was issued"; fi
t_match "a bad kind is refused" "kind must be agency, department or official" "$(cat "$T_DIR/err")"
if i attest issue --issuer registry --subject "ftp://x" --name X --kind agency 2>"$T_DIR/err"; then
    t_fail "a bad subject was issued"; fi
t_match "a bad subject is refused" "subject must be an http" "$(cat "$T_DIR/err")"
if i attest issue --issuer registry --subject "$S_BASE/users/dept" --name X --kind agency \
    --valid-until 2001-01-01 2>"$T_DIR/err"; then t_fail "an expired attestation was issued"; fi
t_match "a past validity end is refused" "must be in the future" "$(cat "$T_DIR/err")"
t_eq "nothing was issued by the refusals" 1 "$(i attest list --json | t_jq '|length')"

# ---- importing: the good chain registry -> ministry -> dept ----
out=$(s attest import "$A1")
t_match "import checks and keeps the attestation" "ministry now shows: verified agency" "$out"
actor=$(curl -s -H 'Accept: application/activity+json' "$S_BASE/users/ministry")
t_eq "the actor links to it" "$A1" "$(t_jq '.attestations[0]' <<<"$actor")"
t_match "and shows the verified field" \
    "Verified official account — attested by National Registry \\(127.0.0.1:$I_PORT\\)" "$actor"
t_match "in Chinese too" "已认证官方账号——由National Registry \\(127.0.0.1:$I_PORT\\)认证" "$actor"
t_match "the term is defined in the @context" '"attestations":\{"@id":"https://w3id.org/herald/ns#attestations"' "$actor"
A2=$(s attest issue --issuer ministry --subject "$S_BASE/users/dept" --name "Food Inspection" \
    --kind department)
s attest import "$A2" >/dev/null
out=$(s attest verify "$S_BASE/users/dept")
t_match "the department's chain reaches the anchor" "trust anchor: $ANCHOR" "$out"
t_match "each link is proven" "proven: $S_BASE/users/ministry is agency \"Ministry of Health\", attested by National Registry" "$out"
t_match "verified" "^VERIFIED$" "$(tail -n1 <<<"$out")"
t_match "by handle too" "^VERIFIED$" "$(s attest verify "@dept@127.0.0.1:$S_PORT" | tail -n1)"
t_match "and from the issuer's instance, over the network" "^VERIFIED$" \
    "$(i attest verify "@dept@127.0.0.1:$S_PORT" | tail -n1)"
v=$(curl -s "$S_BASE/verify?url=$S_BASE/users/dept&format=json")
t_eq "/verify says verified (JSON)" true "$(t_jq .verified <<<"$v")"
t_eq "/verify names the anchor" "$ANCHOR" "$(t_jq .anchor <<<"$v")"
page=$(curl -s -H 'Accept: text/html' -H 'Accept-Language: en' "$S_BASE/verify?url=$S_BASE/users/dept")
t_match "the page explains it in English" "is attested as department" "$page"
page=$(curl -s -H 'Accept: text/html' -H 'Accept-Language: zh-CN,zh;q=0.9' \
    "$S_BASE/verify?url=$S_BASE/users/dept")
t_match "and in Chinese, for a reader who asks for it" "已验证" "$page"
t_match "the Chinese page says so in its lang attribute" '<html lang="zh-CN">' "$page"

# ---- refusals, each storing nothing ----
snap() { s stats --json; s account list --json; curl -s -H 'Accept: application/activity+json' "$S_BASE/users/ministry" "$S_BASE/users/dept" "$S_BASE/users/dept2"; }
before=$(snap)
refused() { # WHAT REGEX URL [import options]
    local what=$1 re=$2 url=$3; shift 3
    if s attest import "$url" "$@" 2>"$T_DIR/err"; then t_fail "$what: imported"; return; fi
    t_match "$what: refused" "$re" "$(cat "$T_DIR/err")"
    t_eq "$what: nothing stored" "$before" "$(snap)"
}
UNTIL=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)
A_EXP=$(i attest issue --issuer registry --subject "$S_BASE/users/ministry" --name "Ministry of Health" \
    --kind agency --valid-until "$UNTIL")
past() { [ "$(date -u +%s)" -gt "$(date -u -d "$UNTIL" +%s)" ]; }
t_wait 10 past
refused "expired" "the attestation expired on $UNTIL" "$A_EXP"

A_REV=$(i attest issue --issuer registry --subject "$S_BASE/users/ministry" --name "Ministry of Health" --kind agency)
t_match "revoke puts it in the list" "revoked" "$(i attest revoke "${A_REV##*/}" --reason "merged into another ministry")"
t_match "the list shows it" "$A_REV" "$(curl -s "$I_BASE/attestations/revoked/registry")"
if i attest revoke "${A_REV##*/}" 2>"$T_DIR/err"; then t_fail "revoked twice"; fi
t_match "revoking twice is a clear error" "already revoked" "$(cat "$T_DIR/err")"
if i --as clerk attest revoke "${A1##*/}" 2>"$T_DIR/err"; then t_fail "clerk revoked"; fi
t_match "revoking needs admin on the issuer" "does not hold the admin role on registry" "$(cat "$T_DIR/err")"
refused "revoked" "the issuer revoked this attestation on .*merged into another ministry" "$A_REV"

A_OTHER=$(i attest issue --issuer registry --subject "$I_BASE/users/registry" --name "Registry" --kind agency)
refused "an attestation of an actor elsewhere" "about $I_BASE/users/registry, which is not one of our accounts" "$A_OTHER"
refused "an attestation of another of our accounts" "about $S_BASE/users/ministry, not account dept" "$A1" --account dept

# a fake issuer on the fake peer, with its own Ed25519 key
K1=$("$PS" key "$T_DIR/k1.pem"); K2=$("$PS" key "$T_DIR/k2.pem")
mkdir -p "$P_ROOT/users" "$P_ROOT/attestations" "$P_ROOT/notes"
actor_json() { # NAME ASSERTION_METHOD_JSON [EXTRA]
    printf '{"@context":["https://www.w3.org/ns/activitystreams"],"id":"%s/users/%s","type":"Organization","preferredUsername":"%s","name":"%s","inbox":"%s/users/%s/inbox","assertionMethod":%s%s}\n' \
        "$P_BASE" "$1" "$1" "$1" "$P_BASE" "$1" "$2" "${3:-}"
}
mk() { printf '{"id":"%s","type":"Multikey","controller":"%s","publicKeyMultibase":"%s"%s}' "$1" "${1%#*}" "$2" "${3:-}"; }
actor_json fakeissuer "[$(mk "$P_BASE/users/fakeissuer#ed25519-key" "$K1")]" >"$P_ROOT/users/fakeissuer.json"
cred() { # ID ISSUER SUBJECT
    printf '{"@context":["https://www.w3.org/ns/credentials/v2"],"id":"%s","type":["VerifiableCredential","OfficialStatusCredential"],"issuer":{"id":"%s","name":"Fake"},"validFrom":"2026-01-01T00:00:00Z","credentialSubject":{"id":"%s","name":"Ministry of Health","kind":"agency"},"credentialStatus":{"id":"%s/attestations/revoked#x","type":"RevocationListEntry","revocationList":"%s/attestations/revoked"}}' \
        "$1" "$2" "$3" "$P_BASE" "$P_BASE"
}
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
cred "$P_BASE/attestations/forged" "$P_BASE/users/fakeissuer" "$S_BASE/users/ministry" |
    "$PS" sign "$T_DIR/k2.pem" "$P_BASE/users/fakeissuer#ed25519-key" "$NOW" >"$P_ROOT/attestations/forged.json"
refused "a signature by another key" "the issuer's signature on the attestation does not verify" "$P_BASE/attestations/forged"
cred "$P_BASE/attestations/tampered" "$P_BASE/users/fakeissuer" "$S_BASE/users/ministry" |
    "$PS" sign "$T_DIR/k1.pem" "$P_BASE/users/fakeissuer#ed25519-key" "$NOW" |
    sed 's/Ministry of Health/Ministry of Finance/' >"$P_ROOT/attestations/tampered.json"
refused "a tampered attestation" "the issuer's signature on the attestation does not verify" "$P_BASE/attestations/tampered"
# a rotated issuer: the old key expired before the proof was made
actor_json rotated "[$(mk "$P_BASE/users/rotated#old" "$K1" ',"expires":"2026-01-01T00:00:00Z"'),$(mk "$P_BASE/users/rotated#new" "$K2")]" \
    >"$P_ROOT/users/rotated.json"
cred "$P_BASE/attestations/oldkey" "$P_BASE/users/rotated" "$S_BASE/users/ministry" |
    "$PS" sign "$T_DIR/k1.pem" "$P_BASE/users/rotated#old" "$NOW" >"$P_ROOT/attestations/oldkey.json"
refused "a proof by a superseded key" "superseded before this proof was made" "$P_BASE/attestations/oldkey"
sed "s#\"id\":\"$A1\"#\"id\":\"$P_BASE/attestations/copy\"#" "$T_DIR/a1.json" >"$P_ROOT/attestations/copy.json"
refused "a copy of a real attestation served elsewhere" "not served by its issuer's server" "$P_BASE/attestations/copy"

# an issuer nobody trusts: S's rogue account attests dept2
A_ROGUE=$(s attest issue --issuer rogue --subject "$S_BASE/users/dept2" --name "Another Department" --kind department)
s attest import "$A_ROGUE" >/dev/null
if s attest verify "$S_BASE/users/dept2" >"$T_DIR/out"; then t_fail "an untrusted chain verified"; fi
t_match "an issuer not in the trust list is not trusted" \
    "not proven: $S_BASE/users/rogue is not a trust anchor of this server and lists no attestation" "$(cat "$T_DIR/out")"
t_match "NOT VERIFIED" "^NOT VERIFIED$" "$(tail -n1 "$T_DIR/out")"

# ---- posts: a remote author attested by the registry ----
K4=$("$PS" key "$T_DIR/k4.pem")
A_POSTER=$(i attest issue --issuer registry --subject "$P_BASE/users/poster" --name "Water Board" --kind agency)
actor_json poster "[$(mk "$P_BASE/users/poster#ed25519-key" "$K4")]" ",\"attestations\":[\"$A_POSTER\"]" \
    >"$P_ROOT/users/poster.json"
note() { printf '{"@context":["https://www.w3.org/ns/activitystreams"],"id":"%s/notes/%s","type":"Note","attributedTo":"%s/users/poster","content":"Boil water until Friday.","to":["https://www.w3.org/ns/activitystreams#Public"]}' "$P_BASE" "$1" "$P_BASE"; }
note 1 | "$PS" sign "$T_DIR/k4.pem" "$P_BASE/users/poster#ed25519-key" "$NOW" >"$P_ROOT/notes/1.json"
v=$(curl -s "$S_BASE/verify?url=$P_BASE/notes/1&format=json")
t_eq "a signed post of an attested author verifies" true "$(t_jq .verified <<<"$v")"
t_eq "its proof is valid" valid "$(t_jq .post.proof <<<"$v")"
page=$(curl -s -H 'Accept: text/html' "$S_BASE/verify?url=$P_BASE/notes/1")
t_match "the page says who signed it" "This post was signed by the key of $P_BASE/users/poster and has not been changed" "$page"
t_match "and who attests that author" "attested as agency &#34;Water Board&#34;|attested as agency “Water Board”" "$page"
note 2 | "$PS" sign "$T_DIR/k4.pem" "$P_BASE/users/poster#ed25519-key" "$NOW" |
    sed 's/until Friday/until Monday/' >"$P_ROOT/notes/2.json"
v=$(curl -s "$S_BASE/verify?url=$P_BASE/notes/2&format=json")
t_eq "a post edited after signing is not verified" false "$(t_jq .verified <<<"$v")"
t_eq "its proof is invalid" invalid "$(t_jq .post.proof <<<"$v")"
if s attest verify "$P_BASE/notes/2" >"$T_DIR/out"; then t_fail "the CLI verified an edited post"; fi
t_match "the CLI says why" "post $P_BASE/notes/2: proof invalid" "$(cat "$T_DIR/out")"
# the same key, listed by another author as superseded before the post was signed
actor_json poster2 "[$(mk "$P_BASE/users/poster2#ed25519-key" "$K4" ',"expires":"2026-01-01T00:00:00Z"')]" \
    ",\"attestations\":[\"$A_POSTER\"]" >"$P_ROOT/users/poster2.json"
printf '{"@context":["https://www.w3.org/ns/activitystreams"],"id":"%s/notes/3","type":"Note","attributedTo":"%s/users/poster2","content":"x"}' "$P_BASE" "$P_BASE" |
    "$PS" sign "$T_DIR/k4.pem" "$P_BASE/users/poster2#ed25519-key" "$NOW" >"$P_ROOT/notes/3.json"
v=$(curl -s "$S_BASE/verify?url=$P_BASE/notes/3&format=json")
t_eq "a post signed with a superseded key is not verified" invalid "$(t_jq .post.proof <<<"$v")"
t_match "and the reason says so" "superseded" "$(t_jq .post.reason <<<"$v")"
# an actor listing an attestation of someone else
actor_json borrower "[$(mk "$P_BASE/users/borrower#ed25519-key" "$K4")]" ",\"attestations\":[\"$A1\"]" \
    >"$P_ROOT/users/borrower.json"
if s attest verify "$P_BASE/users/borrower" >"$T_DIR/out"; then t_fail "a borrowed attestation verified"; fi
t_match "an attestation for another actor proves nothing" "is about $S_BASE/users/ministry, not $P_BASE/users/borrower" "$(cat "$T_DIR/out")"

# ---- our own post: checked from the store, without the network ----
NOTE=$(s post ministry "Clinics open on Saturday.")
v=$(curl -s "$S_BASE/verify?url=$NOTE&format=json")
t_eq "/verify reads our own post and names its author" "$S_BASE/users/ministry" "$(t_jq .actor <<<"$v")"
t_match "and checks its proof: valid (every post of ours is signed)" '"proof":"valid"' "$v"
t_match "and the author's chain" "\"anchor\":\"$ANCHOR\"" "$v"

# ---- the profile key can only be cleared by hand ----
if s account set dept2 attestations "[]" 2>"$T_DIR/err"; then t_fail "attestations were set by hand"; fi
t_match "attestations cannot be set by hand" "added with herald attest import" "$(cat "$T_DIR/err")"
s account set dept2 attestations >/dev/null
t_eq "clearing removes them from the actor" "" \
    "$(curl -s -H 'Accept: application/activity+json' "$S_BASE/users/dept2" | t_jq .attestations)"

# ---- /verify's own limits (on I: 2 per minute) ----
t_eq "/verify without url is a clear 400" 400 "$(curl -s -o /dev/null -w '%{http_code}' "$I_BASE/verify")"
curl -s -o /dev/null "$I_BASE/verify?url=$ANCHOR&format=json"
curl -s -o /dev/null "$I_BASE/verify?url=$ANCHOR&format=json"
r=$(curl -s -D - "$I_BASE/verify?url=$ANCHOR&format=json" | tr -d '\r')
t_match "past the rate limit: 429" "^HTTP/1.1 429" "$r"
t_match "with Retry-After" "Retry-After: [0-9]+" "$r"
t_match "and a clear message" "too many checks" "$r"

# ---- revoking the root link breaks the chain ----
i attest revoke "${A1##*/}" --reason "reorganised" >/dev/null
if s attest verify "$S_BASE/users/dept" >"$T_DIR/out"; then t_fail "a revoked chain verified"; fi
t_match "a revoked link is named" "the issuer revoked this attestation on .*reorganised" "$(cat "$T_DIR/out")"

# ---- admin API: the same through tokens ----
i operator add boss >/dev/null
i grant boss admin --account registry >/dev/null
TOK=$(i token create boss 2>/dev/null)
api() { curl -s -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' "$@"; }
r=$(api -X POST -d "{\"issuer\":\"registry\",\"subject\":\"$S_BASE/users/dept\",\"name\":\"Food Inspection\",\"kind\":\"department\"}" \
    "$I_BASE/api/herald/v1/attestations")
A_API=$(t_jq .url <<<"$r")
t_match "POST /attestations issues" "^$I_BASE/attestations/[0-9a-f]+$" "$A_API"
t_match "GET /attestations lists" "$A_API" "$(api "$I_BASE/api/herald/v1/attestations")"
t_eq "POST /attestations/ID/revoke revokes" true \
    "$(api -X POST -d '{"reason":"test"}' "$I_BASE/api/herald/v1/attestations/${A_API##*/}/revoke" | t_jq .revoked)"
# import through the API on S (it fetches, on a thread of its own)
s operator add sboss >/dev/null
s grant sboss admin --account dept >/dev/null
STOK=$(s token create sboss 2>/dev/null)
sapi() { curl -s -H "Authorization: Bearer $STOK" -H 'Content-Type: application/json' "$@"; }
A_DEPT=$(i attest issue --issuer registry --subject "$S_BASE/users/dept" --name "Food Inspection" --kind department)
r=$(sapi -X POST -d "{\"url\":\"$A_DEPT\",\"account\":\"dept\"}" "$S_BASE/api/herald/v1/attestations/import")
t_eq "POST /attestations/import keeps a checked attestation" "$A_DEPT" "$(t_jq .url <<<"$r")"
t_match "the actor shows it" "$A_DEPT" "$(curl -s -H 'Accept: application/activity+json' "$S_BASE/users/dept")"
r=$(sapi -w '\n%{http_code}' -X POST -d "{\"url\":\"$A_REV\",\"account\":\"ministry\"}" "$S_BASE/api/herald/v1/attestations/import")
t_eq "importing for an account one is not admin of is 403" 403 "$(tail -n1 <<<"$r")"
r=$(sapi -w '\n%{http_code}' -X POST -d "{\"url\":\"$P_BASE/attestations/tampered\",\"account\":\"dept\"}" "$S_BASE/api/herald/v1/attestations/import")
t_eq "a tampered attestation is 422 through the API" 422 "$(tail -n1 <<<"$r")"
t_match "with the reason" "does not verify" "$r"
t_eq "a bad kind is 422" 422 "$(api -o /dev/null -w '%{http_code}' -X POST -d "{\"issuer\":\"registry\",\"subject\":\"$S_BASE/users/dept\",\"name\":\"x\",\"kind\":\"king\"}" "$I_BASE/api/herald/v1/attestations")"

h_stop
H_PID=$I_PID H_DATA=$I_DATA
h_stop
t_done

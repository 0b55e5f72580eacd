#!/bin/bash
# tests/hostile/run.sh - the hostile-input suite. Every row of tests/hostile/cases/*.tsv is
# one request a hostile peer could send; each is sent to a running Herald and must get its
# status and JSON error code while nothing is stored (`herald stats --json` unchanged) and
# nothing is sent (no POST reaches a fake peer). The positive path (Follow -> signed Accept,
# Undo, a post that reaches the remaining follower only) runs around the cases, so a server
# that refuses everything cannot pass. Format of the tables: tests/hostile/README.md.
#
# Instances: MAIN (allow_private_network = true, so it fetches from the fake peers;
# fetch_timeout = 4 s, 10 s under valgrind, for the slow-response rows) and STRICT
# (allow_private_network = false, for the SSRF rows on private addresses: they must be
# refused before any fetch).
# Peers: 127.0.0.2 (P2) serves alice, bob, mallory and the broken actor and key documents;
# 127.0.0.3 (P3) serves carol, dave and the documents that live on "another host".
#
# HOSTILE_ONLY=REGEX runs only the rows whose name matches (the set-up and final checks
# always run).
. "$(dirname "$0")/../harness/lib.sh"

HOSTILE_DIR=$(cd "$(dirname "$0")" && pwd)
AS='https://www.w3.org/ns/activitystreams'
PUBLIC="$AS#Public"
FETCH_MS=4000 # long enough for a good fetch by a server under valgrind on a busy machine
[ "${HERALD_VALGRIND:-0}" != 1 ] || FETCH_MS=10000

# ---- instances and peers ----

# instance NAME CONF-LINE...: init + account health + serve, with extra herald.conf lines;
# sets INST_DIR, INST_PORT, INST_PID.
instance() {
    local port dir
    port=$(t_freeport)
    dir="$T_DIR/$1-$port"
    "$HERALD_BIN" --data "$dir" init --domain "127.0.0.1:$port" --base-url "http://127.0.0.1:$port" \
        >/dev/null
    printf '%s\n' "${@:2}" >>"$dir/herald.conf"
    "$HERALD_BIN" --data "$dir" account add health --kind agency --name "Test health" >/dev/null
    "$HERALD_BIN" --data "$dir" account set health approvals 0 >/dev/null
    h_serve "$dir" "$port"
    INST_DIR=$dir INST_PORT=$port INST_PID=$H_PID
}

instance strict "allow_private_network = false"
S_DIR=$INST_DIR S_PORT=$INST_PORT S_PID=$INST_PID
instance main "allow_private_network = true" "fetch_timeout = $FETCH_MS" \
    "key_fetch_timeout = $FETCH_MS"
H_DATA=$INST_DIR H_PORT=$INST_PORT H_PID=$INST_PID H_BASE="http://127.0.0.1:$INST_PORT"
# a blocked domain for the redirect rows (*.localhost resolves to loopback inside curl)
"$HERALD_BIN" --data "$H_DATA" domain block blocked.localhost --reason hostile >/dev/null
ME="$H_BASE/users/health"
INBOX="$ME/inbox"

fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_start 127.0.0.3 p3
P3_ROOT=$FP_ROOT P3=$FP_BASE P3_PORT=$FP_PORT
for a in alice bob mallory; do fp_actor "$P2_ROOT" "$P2" "$a"; done
fp_actor "$P3_ROOT" "$P3" carol
fp_actor "$P3_ROOT" "$P3" dave --no-shared-inbox
ALICE="$P2/users/alice" BOB="$P2/users/bob"
KEY="$P2_ROOT/alice.key.pem" # the broken documents below list this key: only they are wrong

# doc ROOT BASE NAME [FROM TO]...: NAME's actor document, alice's with her key but NAME's
# ids (what mkactor would write, without a process per document), with each literal FROM
# replaced by TO.
ALICE_DOC=$(<"$P2_ROOT/users/alice.json")
doc() {
    local root=$1 base=$2 name=$3 d=$ALICE_DOC
    d=${d//"$P2/users/alice"/"$base/users/$name"}
    d=${d//"$P2/inbox"/"$base/inbox"}
    d=${d//'"alice"'/"\"$name\""}
    d=${d//'Remote alice'/"Remote $name"}
    shift 3
    while [ $# -ge 2 ]; do
        d=${d//"$1"/"$2"}
        shift 2
    done
    mkdir -p "$root/users"
    printf '%s\n' "$d" >"$root/users/$name.json"
}
pem_json() { awk '{ printf "%s\\n", $0 }' "$1"; } # a PEM file as a JSON string body
# rsa_pub OUT N-HEX E: an SPKI public key with that modulus and exponent (no private key
# exists for most of these: only the server's key policy may stop them).
rsa_pub() {
    printf 'asn1=SEQUENCE:k\n[k]\nn=INTEGER:0x%s\ne=INTEGER:%s\n' "$2" "$3" >"$1.cnf"
    openssl asn1parse -genconf "$1.cnf" -out "$1.der" -noout
    openssl rsa -RSAPublicKey_in -inform DER -in "$1.der" -pubout -out "$1" 2>/dev/null
}
PEM_ALICE=$(pem_json "$P2_ROOT/alice.pub.pem")
MOD_ALICE=$(openssl rsa -in "$KEY" -noout -modulus | cut -d= -f2)

# --- broken actor documents on P2, each signed for with the key it lists ---
doc "$P2_ROOT" "$P2" liar "\"id\":\"$P2/users/liar\"" "\"id\":\"$P2/users/liar2\""
doc "$P2_ROOT" "$P2" htmly
echo 'text/html; charset=utf-8' >"$P2_ROOT/users/htmly.json.type"
doc "$P2_ROOT" "$P2" plainjson
echo 'application/json' >"$P2_ROOT/users/plainjson.json.type"
doc "$P2_ROOT" "$P2" ldnoprofile
echo 'application/ld+json' >"$P2_ROOT/users/ldnoprofile.json.type"
doc "$P2_ROOT" "$P2" ownedbybob "\"owner\":\"$P2/users/ownedbybob\"" "\"owner\":\"$BOB\""
doc "$P2_ROOT" "$P2" otherkey "#main-key\"" "#other-key\""
doc "$P2_ROOT" "$P2" inboxelsewhere "\"inbox\":\"$P2/users/inboxelsewhere/inbox\"" \
    "\"inbox\":\"$P3/users/dave/inbox\""
doc "$P2_ROOT" "$P2" sharedelsewhere "\"sharedInbox\":\"$P2/inbox\"" "\"sharedInbox\":\"$P3/inbox\""
doc "$P2_ROOT" "$P2" inboxours "\"inbox\":\"$P2/users/inboxours/inbox\"" "\"inbox\":\"$INBOX\""
doc "$P2_ROOT" "$P2" nopem "\"publicKeyPem\":\"$PEM_ALICE\"" "\"publicKeyPem\":null"
doc "$P2_ROOT" "$P2" garbagepem "$PEM_ALICE" "-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\\n"
doc "$P2_ROOT" "$P2" privpem "$PEM_ALICE" "$(pem_json "$KEY")"
doc "$P2_ROOT" "$P2" ecpem "$PEM_ALICE" "$(pem_json "$HERALD_SRC/tests/fixtures/keys/ec256.pub.pem")"
openssl genpkey -algorithm ED25519 -out "$T_DIR/ed.pem" 2>/dev/null
openssl pkey -in "$T_DIR/ed.pem" -pubout -out "$T_DIR/ed.pub.pem"
doc "$P2_ROOT" "$P2" edpem "$PEM_ALICE" "$(pem_json "$T_DIR/ed.pub.pem")"
# weak: a real 1024-bit key (the rows sign with it through sigclient --sign-cmd)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$T_DIR/weak.key.pem" 2>/dev/null
openssl pkey -in "$T_DIR/weak.key.pem" -pubout -out "$T_DIR/weak.pub.pem"
doc "$P2_ROOT" "$P2" weak "$PEM_ALICE" "$(pem_json "$T_DIR/weak.pub.pem")"
# e3: a real 2048-bit key with public exponent 3 (refused like a short key)
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -pkeyopt rsa_keygen_pubexp:3 \
    -out "$T_DIR/e3.key.pem" 2>/dev/null
openssl pkey -in "$T_DIR/e3.key.pem" -pubout -out "$T_DIR/e3.pub.pem"
doc "$P2_ROOT" "$P2" e3 "$PEM_ALICE" "$(pem_json "$T_DIR/e3.pub.pem")"
# absurd: a 16384-bit modulus (all ones: verifying with it would cost a lot, for nothing)
rsa_pub "$T_DIR/huge.pub.pem" "$(head -c 4096 /dev/zero | tr '\0' F)" 65537
doc "$P2_ROOT" "$P2" huge "$PEM_ALICE" "$(pem_json "$T_DIR/huge.pub.pem")"
# exponent 1: anyone can "sign" (the signature is the padded digest itself: forge-e1 below)
rsa_pub "$T_DIR/e1.pub.pem" "$MOD_ALICE" 1
doc "$P2_ROOT" "$P2" e1 "$PEM_ALICE" "$(pem_json "$T_DIR/e1.pub.pem")"
rsa_pub "$T_DIR/e2.pub.pem" "$MOD_ALICE" 2 # even: not an RSA key at all
doc "$P2_ROOT" "$P2" e2 "$PEM_ALICE" "$(pem_json "$T_DIR/e2.pub.pem")"
cat >"$T_DIR/forge-e1" <<'EOF'
# PKCS#1 v1.5 encoding of SHA-256(stdin) for a 2048-bit modulus: with e = 1 it verifies
{ printf '\000\001'; head -c 202 /dev/zero | tr '\0' '\377'; printf '\000'
  printf '3031300d060960864801650304020105000420' | xxd -r -p; openssl dgst -sha256 -binary
} | base64 -w0
EOF

# --- standalone key documents (GoToSocial style) ---
# on P3, owned by alice on P2: a key on another host than its owner
mkdir -p "$P3_ROOT/keys" "$P2_ROOT/keys"
printf '{"@context":"https://w3id.org/security/v1","id":"%s/keys/alice","type":"Key","owner":"%s","publicKeyPem":"%s"}\n' \
    "$P3" "$ALICE" "$PEM_ALICE" >"$P3_ROOT/keys/alice.json"
# on P2, owned by alice, but alice's document does not list it back
printf '{"@context":"https://w3id.org/security/v1","id":"%s/keys/unclaimed","type":"Key","owner":"%s","publicKeyPem":"%s"}\n' \
    "$P2" "$ALICE" "$PEM_ALICE" >"$P2_ROOT/keys/unclaimed.json"
# on P2, owned by our own account
printf '{"@context":"https://w3id.org/security/v1","id":"%s/keys/ours","type":"Key","owner":"%s","publicKeyPem":"%s"}\n' \
    "$P2" "$ME" "$PEM_ALICE" >"$P2_ROOT/keys/ours.json"

# --- what the fetch of a key document runs into ---
redirect() { # NAME LOCATION: P2's /users/NAME answers 302 to LOCATION
    doc "$P2_ROOT" "$P2" "$1"
    mv "$P2_ROOT/users/$1.json" "$P2_ROOT/users/$1.json.unused"
    echo 302 >"$P2_ROOT/users/$1.json.status"
    echo "$2" >"$P2_ROOT/users/$1.json.location"
}
# redirect to another host that answers with the id asked for (only the origin is wrong)
redirect hopper "$P3/users/hopper"
mkdir -p "$P3_ROOT/users"
cp "$P2_ROOT/users/hopper.json.unused" "$P3_ROOT/users/hopper.json"
redirect tofile "file:///etc/passwd"
redirect toftp "ftp://127.0.0.3:$P3_PORT/users/carol"
redirect togopher "gopher://127.0.0.3:$P3_PORT/_users"
redirect todata "data:application/activity+json,{}"
redirect toours "$ME"
redirect looper "$P2/users/looper"
# a same-origin hop, then a hop into a blocked domain (refused before it connects)
redirect hopchain "$P2/users/hopblocked"
redirect hopblocked "http://x.blocked.localhost:$P3_PORT/users/carol"
doc "$P2_ROOT" "$P2" slow
echo $((FETCH_MS * 2)) >"$P2_ROOT/users/slow.json.delay"
doc "$P2_ROOT" "$P2" trickle
echo "1 400" >"$P2_ROOT/users/trickle.json.chunk" # ~1 KB: minutes in all, 0.4 s a byte
pad() { # NAME BYTES: the document grows a "pad" member of BYTES bytes
    local f="$P2_ROOT/users/$1.json"
    { head -c -2 "$f"; printf ',"pad":"'; head -c "$2" /dev/zero | tr '\0' x; printf '"}\n'; } \
        >"$f.tmp"
    mv "$f.tmp" "$f"
}
doc "$P2_ROOT" "$P2" oversize
pad oversize 2000000
doc "$P2_ROOT" "$P2" oversizechunked
pad oversizechunked 2000000
echo "65536 0" >"$P2_ROOT/users/oversizechunked.json.chunk"
DEAD=$(t_freeport 127.0.0.2)

# ---- placeholders: {NAME} in the tables ----
declare -A PH
ph_main() { # the instance a row is sent to
    PH[H_BASE]="http://127.0.0.1:$1"
    PH[H_HOST]="127.0.0.1:$1"
    PH[ME]="http://127.0.0.1:$1/users/health"
    PH[INBOX]="http://127.0.0.1:$1/users/health/inbox"
    PH[SHARED]="http://127.0.0.1:$1/inbox"
}
PH[AS]=$AS PH[PUBLIC]=$PUBLIC PH[P2]=$P2 PH[P3]=$P3 PH[P2_HOST]=${P2#http://}
PH[P3_HOST]=${P3#http://} PH[P3_PORT]=$P3_PORT PH[ALICE]=$ALICE PH[BOB]=$BOB
PH[MALLORY]="$P2/users/mallory" PH[CAROL]="$P3/users/carol" PH[DEAD]="127.0.0.2:$DEAD"
PH[P2_ROOT]=$P2_ROOT PH[P3_ROOT]=$P3_ROOT PH[T_DIR]=$T_DIR
PH[AS_ALICE]="--key $P2_ROOT/alice.key.pem --key-id $ALICE#main-key"
PH[AS_BOB]="--key $P2_ROOT/bob.key.pem --key-id $BOB#main-key"
PH[AS_MALLORY]="--key $P2_ROOT/mallory.key.pem --key-id $P2/users/mallory#main-key"
PH[AS_CAROL]="--key $P3_ROOT/carol.key.pem --key-id $P3/users/carol#main-key"
PH[LONG_NAME]=$(head -c 3000 /dev/zero | tr '\0' a)
PH[LONG_URL]="$ALICE/$(head -c 500 /dev/zero | tr '\0' a)"
PH[LONG_PATH]="/users/$(head -c 20000 /dev/zero | tr '\0' a)"
PH[PAD9K]=$(head -c 9000 /dev/zero | tr '\0' x)

# expand TEXT: every {NAME} with a value replaced (placeholder values hold no braces).
expand() {
    local s=$1 k
    for k in "${!PH[@]}"; do
        [[ $s == *"{$k}"* ]] && s=${s//"{$k}"/"${PH[$k]}"}
    done
    printf '%s' "$s"
}

# Templates: tests/hostile/bodies.tsv, NAME<TAB>JSON.
declare -A TPL
while IFS=$'\t' read -r tname ttext; do
    case $tname in '' | '#'*) continue ;; esac
    TPL[$tname]=$ttext
done <"$HOSTILE_DIR/bodies.tsv"

# ---- generated bodies (@NAME in the body column) ----
gen_body() { # NAME FILE
    local follow
    follow=$(expand "${TPL[follow]}")
    case $1 in
    big) # 300 KB: over inbox_max_body (256 KiB)
        printf '{"@context":"%s","id":"%s","type":"Create","actor":"%s","object":{"type":"Note","content":"' \
            "$AS" "${PH[FID]}" "$ALICE"
        head -c 300000 /dev/zero | tr '\0' x
        printf '"}}' ;;
    deep) # 10,000 levels (jansson's own limit is 2048)
        for _ in $(seq 1 10000); do printf '{"a":'; done
        printf '1'
        for _ in $(seq 1 10000); do printf '}'; done ;;
    deep65) # one level past json_max_depth (64), inside a valid Follow
        printf '%s' "${follow%\}}"
        printf ',"x":'
        for _ in $(seq 1 64); do printf '['; done
        for _ in $(seq 1 64); do printf ']'; done
        printf '}' ;;
    hugestring) # 200 KB content: over json_max_string (128 KiB), under the body limit
        printf '{"@context":"%s","id":"%s","type":"Create","actor":"%s","object":{"id":"%s/note","type":"Note","attributedTo":"%s","content":"' \
            "$AS" "${PH[FID]}" "$ALICE" "${PH[FID]}" "$ALICE"
        head -c 200000 /dev/zero | tr '\0' x
        printf '"}}' ;;
    hugekey) # a 140 KB member name
        printf '%s,"' "${follow%\}}"
        head -c 140000 /dev/zero | tr '\0' k
        printf '":1}' ;;
    hugeto) # to with 100,000 entries in 200 KB: over json_max_items (10,000)
        printf '{"@context":"%s","id":"%s","type":"Create","actor":"%s","to":[0' \
            "$AS" "${PH[FID]}" "$ALICE"
        printf ',0%.0s' $(seq 1 99999)
        printf '],"object":{"id":"%s/note","type":"Note","attributedTo":"%s","content":"x"}}' \
            "${PH[FID]}" "$ALICE" ;;
    hugecc) # cc with 12,001 entries (short: the body stays under 256 KiB)
        printf '{"@context":"%s","id":"%s","type":"Create","actor":"%s","cc":["%s"' \
            "$AS" "${PH[FID]}" "$ALICE" "$ALICE"
        for i in $(seq 1 12000); do printf ',"f%d"' "$i"; done
        printf '],"object":{"id":"%s/note","type":"Note","attributedTo":"%s","content":"x"}}' \
            "${PH[FID]}" "$ALICE" ;;
    members) # an object with 20,000 members
        printf '%s,"m":{"a0":0' "${follow%\}}"
        for i in $(seq 1 19999); do printf ',"a%d":0' "$i"; done
        printf '}}' ;;
    nul) # a NUL byte inside a JSON string (valid JSON would write \u0000)
        printf '%s' "${follow%\"\}}"
        printf '\000"}' ;;
    latin1) # ISO-8859-1 "é" (0xE9): not UTF-8
        printf '%s,"name":"caf\351"}' "${follow%\}}" ;;
    overlong) # "/" as the overlong UTF-8 sequence C0 AF
        printf '%s,"name":"\300\257"}' "${follow%\}}" ;;
    surrogate) # a UTF-16 surrogate half encoded in UTF-8 (ED A0 80)
        printf '%s,"name":"\355\240\200"}' "${follow%\}}" ;;
    bom) # a UTF-8 byte order mark before the JSON
        printf '\357\273\277%s' "$follow" ;;
    empty) ;;
    *) echo "unknown generated body @$1" >&2; return 1 ;;
    esac >"$2"
}

# tests/hostile/cases/9-quota.tsv: MAIN with a byte quota that one activity can pass
printf 'inbound_max_bytes_per_actor = 200000\n' >>"$H_DATA/herald.conf"
h_stop
h_serve "$H_DATA" "$H_PORT"

# ---- set-up: the positive traffic the cases are measured against ----
stats_of() { "$HERALD_BIN" --data "$1" stats --json 2>&1 || true; }
fetches() { { cat "$P2_ROOT/_fetched.log" "$P3_ROOT/_fetched.log" 2>/dev/null || true; } | wc -l; }
posts() { # POSTs recorded at P2 and P3 (fp_count without a process: it runs twice a case)
    local a b
    shopt -s nullglob
    a=("$P2_ROOT"/_received/[0-9]*.json)
    b=("$P3_ROOT"/_received/[0-9]*.json)
    shopt -u nullglob
    echo "${#a[@]} ${#b[@]}"
}

NOTE=$("$HERALD_BIN" --data "$H_DATA" post health "A notice to like.")
t_match "a note of ours to point at" "^$ME/notes/" "$NOTE"
PH[NOTE]=$NOTE
ph_main "$H_PORT"
# a followers-only note (issue #10): only a follower's signed GET may read it (10-visibility)
FNOTE=$("$HERALD_BIN" --data "$H_DATA" draft new health "For followers only." --visibility followers --submit)
t_match "a followers-only note of ours" "^$ME/notes/" "$FNOTE"
PH[FNOTE]=$FNOTE PH[FNOTE_PATH]=${FNOTE#"${PH[H_BASE]}"}
# polls (cases/10-votes.tsv), made before alice follows (no Create reaches her server):
# {QUESTION} open, alice voted Yes (its results sent to her inbox before the rows, so the
# scheduler writes nothing while they run); {CLOSED_Q} closed; {DELETED_Q} deleted
in_future() { date -u -d "@$(($(date +%s) + $1))" +%Y-%m-%dT%H:%M:%SZ; }
new_poll() {
    "$HERALD_BIN" --data "$H_DATA" draft new health "$1" --poll Yes --poll No --closes "$2" \
        ${3:+--multiple} --submit
}
PH[QUESTION]=$(new_poll "Open the pool on Sundays?" "$(in_future 86400)")
PH[MULTI_Q]=$(new_poll "Which days?" "$(in_future 86400)" multiple)
PH[CLOSED_Q]=$(new_poll "Closing soon?" "$(in_future 2)")
PH[DELETED_Q]=$(new_poll "Withdrawn?" "$(in_future 86400)")
"$HERALD_BIN" --data "$H_DATA" draft new health --deletes "${PH[DELETED_Q]}" --submit >/dev/null
t_match "set-up: polls published" "^$ME/notes/" "${PH[QUESTION]} ${PH[MULTI_Q]}"
sc_as "$P2_ROOT" "$P2" alice "$INBOX" --body-text \
    "{\"@context\":\"$AS\",\"id\":\"$ALICE/votes/1\",\"type\":\"Create\",\"actor\":\"$ALICE\",\"object\":{\"id\":\"$ALICE/votes/1/note\",\"type\":\"Note\",\"name\":\"Yes\",\"attributedTo\":\"$ALICE\",\"to\":\"$ME\",\"inReplyTo\":\"${PH[QUESTION]}\"}}"
t_eq "set-up: alice votes Yes (202)" 202 "$SC_STATUS"
sc_as "$P2_ROOT" "$P2" alice "$INBOX" --body-text \
    "{\"@context\":\"$AS\",\"id\":\"$ALICE/votes/2\",\"type\":\"Create\",\"actor\":\"$ALICE\",\"object\":{\"id\":\"$ALICE/votes/2/note\",\"type\":\"Note\",\"name\":\"Yes\",\"attributedTo\":\"$ALICE\",\"to\":\"$ME\",\"inReplyTo\":\"${PH[MULTI_Q]}\"}}"
t_eq "set-up: alice chooses Yes in the multiple-choice poll (202)" 202 "$SC_STATUS"
poll_reported() { # the results of both polls and the closing went out
    local q
    for q in QUESTION MULTI_Q CLOSED_Q; do
        [ -n "$(curl -s -H 'Accept: application/activity+json' "${PH[$q]}" |
            grep -E '"votersCount":1|"closed"')" ] || return 1
    done
    h_deliveries_drained
}
t_wait 30 poll_reported || t_fail "set-up: poll results not sent within 30 s"
PH[FID]="$ALICE/follows/1"
sc_as "$P2_ROOT" "$P2" alice "$INBOX" --body-text "$(expand "${TPL[follow]}")"
t_eq "set-up: alice follows (202)" 202 "$SC_STATUS"
t_eq "set-up: alice is a follower" "$ALICE" "$(h_followers health)"
if t_wait 20 fp_has_posts "$P2_ROOT" Accept /users/alice/inbox "" 1; then
    t_pass "set-up: alice's inbox received the Accept"
else
    t_fail "set-up: no Accept reached alice within 20 s"
fi
t_wait 20 h_deliveries_drained || t_fail "set-up: delivery queue not drained"
sc_as "$P2_ROOT" "$P2" bob "$INBOX" \
    --body-text "{\"@context\":\"$AS\",\"id\":\"$BOB/likes/1\",\"type\":\"Like\",\"actor\":\"$BOB\",\"object\":\"$NOTE\"}"
t_eq "set-up: bob likes our note (202; bob is known from now on)" 202 "$SC_STATUS"
PH[SEEN]="$ALICE/likes/seen"
sc_as "$P2_ROOT" "$P2" alice "$INBOX" --body-text "$(expand "${TPL[seen]}")"
t_eq "set-up: alice likes our note (202; its id is replayed below)" 202 "$SC_STATUS"


# ---- the cases ----
# One row: NAME KIND STATUS-REGEX CODE-REGEX BODY ARGS (see README.md). Sets ROW_ERRS.
ROWS=0
declare -A SEEN_NAMES
row_check() { # WHAT EXPECTED ACTUAL
    [ "$2" = "$3" ] || ROW_ERRS+=("$1: expected [$2], got [$3]")
}
row_match() { # WHAT REGEX ACTUAL
    [[ $3 =~ ^($2)$ ]] || ROW_ERRS+=("$1: [$3] does not match /^($2)\$/")
}

send_raw() { # FILE: the bytes of a whole request to MAIN; sets STATUS, BODY
    local out
    out=$( (
        trap '' PIPE
        exec 3<>"/dev/tcp/127.0.0.1/$H_PORT" || exit 0
        cat "$1" >&3 2>/dev/null
        timeout 20 cat <&3
    ) | tr -d '\r') || true
    read -r _ STATUS _ <<<"${out%%$'\n'*}" || true
    BODY=${out#*$'\n\n'}
    [ "$BODY" != "$out" ] || BODY=
    [ -n "$STATUS" ] || STATUS=000
}

# The last stats seen of each instance: nothing else runs between two cases, so the state
# after one case is the state before the next (one `herald stats` per case, not two).
declare -A STATS
run_row() {
    local name=$1 kind=$2 want=$3 code=$4 body=$5 args=$6 argv=() i bodyf="" stats1
    local data fetch0=0 posts0 tpl got=""
    ROWS=$((ROWS + 1))
    ROW_ERRS=()
    [ -z "${SEEN_NAMES[$name]:-}" ] || ROW_ERRS+=("row name used twice")
    SEEN_NAMES[$name]=1
    case $kind in
    strict) ph_main "$S_PORT"; data=$S_DIR ;;
    sig | curl | get | raw) ph_main "$H_PORT"; data=$H_DATA ;;
    *) t_fail "$name: unknown kind '$kind'"; return ;;
    esac
    PH[N]=$ROWS
    PH[FID]="$ALICE/hostile/$ROWS"
    eval "argv=($(expand "$args"))"
    PH[KACTOR]=$ALICE
    for ((i = 0; i + 1 < ${#argv[@]}; i++)); do
        if [ "${argv[i]}" = --key-id ]; then PH[KACTOR]=${argv[i + 1]%%#*}; fi
    done
    if [ "$body" != - ]; then
        bodyf="$T_DIR/body.$ROWS"
        case $body in
        @*) gen_body "${body#@}" "$bodyf" ;;
        %*)
            tpl=${TPL[${body#%}]:-}
            [ -n "$tpl" ] || ROW_ERRS+=("no template $body")
            expand "$tpl" >"$bodyf" ;;
        *) expand "$body" >"$bodyf" ;;
        esac
    fi
    [ -n "${STATS[$data]:-}" ] || STATS[$data]=$(stats_of "$data")
    if [ "$kind" = strict ]; then fetch0=$(fetches); fi
    posts0=$(posts)
    STATUS=000 BODY=
    case $kind in
    sig | strict)
        sc_send "${argv[@]}" ${bodyf:+--body "$bodyf"}
        STATUS=$SC_STATUS BODY=$SC_BODY
        [ "$STATUS" != 000 ] || ROW_ERRS+=("no answer: $SC_ERR") ;;
    curl)
        BODY=$(curl -s --path-as-is --max-time 60 -w '\n%{http_code}' "${argv[@]}" \
            ${bodyf:+--data-binary "@$bodyf"} || true)
        STATUS=${BODY##*$'\n'} BODY=${BODY%$'\n'*} ;;
    get)
        BODY=$(curl -s --path-as-is --max-time 60 -w '\n%{http_code}' \
            -H 'Accept: application/activity+json' "${PH[H_BASE]}${argv[0]}" || true)
        STATUS=${BODY##*$'\n'} BODY=${BODY%$'\n'*} ;;
    raw)
        printf '%b' "$(cat "$bodyf")" >"$bodyf.raw"
        send_raw "$bodyf.raw" ;;
    esac
    row_match "status" "$want" "$STATUS"
    [ "$code" != - ] || code=
    # the error code of our compact JSON error body (a regex: no process per case)
    if [[ $BODY =~ ^\{\"error\":\"([a-z_]*)\" ]]; then got=${BASH_REMATCH[1]}; fi
    row_match "error code" "$code" "$got"
    stats1=$(stats_of "$data")
    row_check "nothing stored (stats)" "${STATS[$data]}" "$stats1"
    STATS[$data]=$stats1
    row_check "nothing sent (POSTs at P2 P3)" "$posts0" "$(posts)"
    if [ "$kind" = strict ]; then
        row_check "nothing fetched" "$fetch0" "$(fetches)"
    fi
    if [ ${#ROW_ERRS[@]} -eq 0 ]; then
        t_pass "$name ($STATUS${got:+ $got})"
    else
        for i in "${ROW_ERRS[@]}"; do t_fail "$name: $i"; done
        echo "  response: $STATUS ${BODY:0:300}" >&2
    fi
}

POSTS_BEFORE=$(posts)
for table in "$HOSTILE_DIR"/cases/*.tsv; do
    echo "== ${table##*/}"
    while IFS=$'\t' read -r name kind want code body args; do
        case $name in '' | '#'*) continue ;; esac
        if [ -n "${HOSTILE_ONLY:-}" ] && ! [[ $name =~ $HOSTILE_ONLY ]]; then continue; fi
        run_row "$name" "$kind" "$want" "$code" "$body" "${args:-}"
    done <"$table"
done
echo "== $ROWS cases"

# ---- final checks: nothing went out late, and the positive path still works ----
ph_main "$H_PORT"
t_wait 5 h_deliveries_drained || t_fail "delivery queue not drained after the cases"
t_eq "no POST reached a peer during the cases" "$POSTS_BEFORE" "$(posts)"
t_eq "alice is still the only follower" "$ALICE" "$(h_followers health)"

curl -s -H 'Accept: application/activity+json' "$ME" | t_jq .publicKey.publicKeyPem \
    >"$T_DIR/herald.pub.pem"
acc=$(fp_posts "$P2_ROOT" Accept /users/alice/inbox | head -n1)
if [ -n "$acc" ]; then
    R="$P2_ROOT/_received/$acc"
    t_match "Accept carries a Digest header" '^[Dd]igest: SHA-256=' "$(grep -i '^digest:' "$R.headers")"
    t_match "Accept content type" 'application/(activity|ld)\+json' \
        "$(grep -i '^content-type:' "$R.headers")"
    t_eq "Accept signature verifies with our published key" ok \
        "$("$HERALD_TOOLS/sigcheck" "$R.headers" "$R.json" "$T_DIR/herald.pub.pem" "$ME#main-key")"
    t_eq "Accept actor" "$ME" "$(t_jq .actor "$R.json")"
    obj=$(t_jq .object.id "$R.json")
    [ -n "$obj" ] || obj=$(t_jq .object "$R.json")
    t_eq "Accept object is the Follow" "$ALICE/follows/1" "$obj"
    t_match "Accept id is ours" "^$H_BASE/" "$(t_jq .id "$R.json")"
else
    t_fail "no Accept recorded at alice's inbox"
fi

PH[FID]="$ALICE/follows/1"
sc_as "$P2_ROOT" "$P2" alice "$INBOX" --body-text "$(expand "${TPL[follow]}")"
t_eq "the same Follow again: 202" 202 "$SC_STATUS"
t_eq "still one follower" "$ALICE" "$(h_followers health)"
sc_as "$P2_ROOT" "$P2" alice "$INBOX" --body-text "$(expand "${TPL[undo]}")"
t_eq "Undo{Follow}: 202" 202 "$SC_STATUS"
t_eq "alice is no longer a follower" "" "$(h_followers health)"

# dave (P3, own inbox only) follows through the shared inbox and stays, so a post has
# somewhere to go, and alice's server must get nothing after her Undo
sc_as "$P3_ROOT" "$P3" dave "$H_BASE/inbox" --body-text \
    "{\"@context\":\"$AS\",\"id\":\"$P3/users/dave/follows/1\",\"type\":\"Follow\",\"actor\":\"$P3/users/dave\",\"object\":\"$ME\"}"
t_eq "dave's Follow through the shared inbox: 202" 202 "$SC_STATUS"
before=$(fp_count "$P2_ROOT")
"$HERALD_BIN" --data "$H_DATA" post health "After alice left." >/dev/null
if t_wait 20 fp_has_posts "$P3_ROOT" Create /users/dave/inbox "" 1; then
    t_pass "dave received the post"
else
    t_fail "dave received no Create within 20 s"
fi
t_wait 20 h_deliveries_drained || t_fail "delivery queue not drained after 20 s"
t_eq "alice's server received nothing after Undo" "$before" "$(fp_count "$P2_ROOT")"
t_eq "no Create at 127.0.0.2 at all" "" "$(fp_posts "$P2_ROOT" Create)"

h_stop
H_PID=$S_PID H_DATA=$S_DIR
h_stop
t_done

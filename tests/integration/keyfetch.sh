#!/bin/bash
# tests/integration/keyfetch.sh - nobody outside can starve the verifiers (issue 8 §4, §5):
# a slow key server on many subdomain-like origins holds key fetches open (fakepeer .hold:
# the GET arrives and is not answered until the test lets it go). While they are held, a
# genuine peer whose key we know is still verified, the per-domain and total caps refuse
# further fetches at once (503 key_fetch_busy, Retry-After) instead of queuing them, and
# after the slow server fails, the failure is answered from memory (no new fetch). Then:
# one error body for "name does not resolve" and "connection refused"; redirect chains into
# a blocked domain and out of the allow-list refused before connecting; the burst limit per
# actor and the Follow limit per registrable domain (429, Retry-After).
# Names: curl resolves *.localhost to loopback by itself (no DNS query leaves the machine);
# libpsl gives "slow.localhost" as the registrable domain of s1.slow.localhost.
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
h_start health agency
ME="$H_BASE/users/health"
fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_actor "$P2_ROOT" "$P2" alice
ALICE="$P2/users/alice"
# the slow key server: on 127.0.0.1 (where *.localhost resolves), every key 404 once let go
fp_start 127.0.0.1 slow
SLOW_ROOT=$FP_ROOT SLOW_PORT=$FP_PORT
mkdir -p "$SLOW_ROOT/users"
echo 404 >"$SLOW_ROOT/users/s.json.status"
touch "$SLOW_ROOT/users/s.json.hold"
fp_start 127.0.0.3 p3
P3_ROOT=$FP_ROOT P3=$FP_BASE

restart_with() {
    h_stop
    printf '%s\n' "$@" >>"$H_DATA/herald.conf"
    h_serve "$H_DATA" "$H_PORT"
}
restart_with "inbox_threads = 6" "key_fetch_max_total = 3" "key_fetch_max_per_domain = 2" \
    "key_fetch_timeout = 60000" "key_fail_cache = 300"

body() { # TYPE N: an activity of alice's (a Follow of health, or a Like of a note of hers)
    local obj="\"$ME\""
    [ "$1" = Like ] && obj="\"$ALICE/notes/1\""
    printf '{"@context":"%s","id":"%s/a/%s","type":"%s","actor":"%s","object":%s}' \
        "$AS" "$ALICE" "$2" "$1" "$ALICE" "$obj"
}
slow_fetches() { grep -c ' host=' "$SLOW_ROOT/_fetched.log" 2>/dev/null || echo 0; }
slow_has() { [ "$(slow_fetches)" -ge "$1" ]; }
# slow_send KEYHOST N: a request whose keyId is on KEYHOST of the slow server, in the
# background; its answer goes to $T_DIR/held.N
slow_send() {
    "$HERALD_TOOLS/sigclient" --url "$ME/inbox" --key "$P2_ROOT/alice.key.pem" \
        --key-id "http://$1:$SLOW_PORT/users/s#main-key" --body-text "$(body Like "held$2")" \
        >"$T_DIR/held.$2" 2>&1 &
    HELD+=($!)
}
# curl_signed KEY KEYID BODY: a draft-cavage POST to our inbox signed with openssl (sigclient
# shows no response headers); sets SC_STATUS, SC_BODY and SC_HDRS (the response head).
curl_signed() {
    local date digest sig path=${ME#"$H_BASE"}/inbox
    date=$(LC_ALL=C TZ=GMT date '+%a, %d %b %Y %H:%M:%S GMT')
    digest="SHA-256=$(printf '%s' "$3" | openssl dgst -sha256 -binary | base64 -w0)"
    sig=$(printf '(request-target): post %s\nhost: 127.0.0.1:%s\ndate: %s\ndigest: %s' \
        "$path" "$H_PORT" "$date" "$digest" | openssl dgst -sha256 -sign "$1" | base64 -w0)
    SC_HDRS=$(curl -s -D - -o "$T_DIR/curl_signed.body" -X POST --data-binary "$3" \
        -H 'Content-Type: application/activity+json' -H "Date: $date" -H "Digest: $digest" \
        -H "Signature: keyId=\"$2\",algorithm=\"rsa-sha256\",headers=\"(request-target) host date digest\",signature=\"$sig\"" \
        "$ME/inbox" | tr -d '\r')
    SC_STATUS=$(head -n1 <<<"$SC_HDRS" | cut -d' ' -f2)
    SC_BODY=$(cat "$T_DIR/curl_signed.body")
}
busy_send() { # KEYHOST: the same as slow_send, in the foreground
    curl_signed "$P2_ROOT/alice.key.pem" "http://$1:$SLOW_PORT/users/s#main-key" "$(body Like busy)"
}

# the genuine peer is known before the flood (its key is in our cache)
sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body-text "$(body Follow 1)"
t_eq "alice's Follow is accepted" 202 "$SC_STATUS"

# ---- slow key servers: two subdomains of one registrable domain fill its cap ----
t_wait 30 h_deliveries_drained || true # alice's Accept: out before the snapshots below
HELD=()
slow_send s1.slow.localhost 1
slow_send s2.slow.localhost 2
t_wait 30 slow_has 2 || t_fail "the two key fetches did not reach the slow server"
before=$(h_stats)
busy_send s3.slow.localhost
t_eq "a third subdomain of slow.localhost is refused, not queued" 503 "$SC_STATUS"
t_eq "with key_fetch_busy" key_fetch_busy "$(printf '%s' "$SC_BODY" | t_jq .error)"
t_match "and a Retry-After" "Retry-After: [0-9]+" "$SC_HDRS"
t_eq "no fetch was made for it" 2 "$(slow_fetches)"
# a third registrable domain fills the total cap (3); a fourth is refused
slow_send k.other.localhost 3
t_wait 30 slow_has 3 || t_fail "the third key fetch did not reach the slow server"
busy_send k.third.localhost
t_eq "a fourth domain past the total cap is refused" 503 "$SC_STATUS"
t_eq "with key_fetch_busy too" key_fetch_busy "$(printf '%s' "$SC_BODY" | t_jq .error)"
t_eq "nothing stored for refused requests" "$before" "$(h_stats)"

# ---- a genuine peer is verified while all of that is held ----
for i in 1 2 3; do
    sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body-text "$(body Like "genuine$i")"
    t_eq "alice's Like $i is verified while the slow fetches are held" 202 "$SC_STATUS"
done
t_eq "the slow server has still not answered" yes \
    "$([ -e "$SLOW_ROOT/users/s.json.hold" ] && [ "$(slow_fetches)" = 3 ] && echo yes)"
alive=0
for pid in "${HELD[@]}"; do kill -0 "$pid" 2>/dev/null && alive=$((alive + 1)); done
t_eq "the three held requests are still waiting" 3 "$alive"

# ---- the slow server fails; the failure is remembered by keyId ----
rm "$SLOW_ROOT/users/s.json.hold"
wait "${HELD[@]}" || true
for n in 1 2 3; do
    t_eq "held request $n ends 401" 401 "$(head -n1 "$T_DIR/held.$n")"
done
before=$(h_stats) f0=$(slow_fetches)
busy_send s1.slow.localhost
t_eq "a keyId that just failed is refused at once" 401 "$SC_STATUS"
t_eq "with key_unavailable" key_unavailable "$(printf '%s' "$SC_BODY" | t_jq .error)"
t_eq "from memory: not fetched again" "$f0" "$(slow_fetches)"
t_eq "nothing stored" "$before" "$(h_stats)"

# ---- one body for every way a key fetch fails (remote callers learn nothing more) ----
LONG=$(printf 'a%.0s' $(seq 1 64)) # a 64-byte label: refused by the resolver, no query sent
DEAD=$(t_freeport 127.0.0.1)
sc_send --url "$ME/inbox" --key "$P2_ROOT/alice.key.pem" \
    --key-id "http://$LONG.test/users/x#main-key" --body-text "$(body Like nx)"
nx_status=$SC_STATUS nx_body=$SC_BODY
sc_send --url "$ME/inbox" --key "$P2_ROOT/alice.key.pem" \
    --key-id "http://127.0.0.1:$DEAD/users/x#main-key" --body-text "$(body Like refused)"
t_eq "an unresolvable key host gets 401" 401 "$nx_status"
t_eq "the same status as a refused connection" "$nx_status" "$SC_STATUS"
t_eq "and the very same body" "$nx_body" "$SC_BODY"
t_match "which names no cause" '^\{"error":"key_unavailable","message":"[^"]*"\}$' "$nx_body"
t_eq "the cause is in our log only" yes \
    "$(grep -q 'Could not resolve host' "$H_DATA.log" && echo yes)"

# ---- redirect chains into a blocked domain, and out of the allow-list ----
mkdir -p "$P2_ROOT/users"
echo 302 >"$P2_ROOT/users/hop1.json.status"
echo "$P2/users/hop2" >"$P2_ROOT/users/hop1.json.location"
echo 302 >"$P2_ROOT/users/hop2.json.status"
echo "$P3/users/carol" >"$P2_ROOT/users/hop2.json.location"
fp_actor "$P3_ROOT" "$P3" carol
p3_fetches() { grep -c . "$P3_ROOT/_fetched.log" 2>/dev/null || echo 0; }
"$HERALD_BIN" --data "$H_DATA" domain block 127.0.0.3 --reason test >/dev/null
before=$(h_stats) p3f=$(p3_fetches) p2p=$(fp_count "$P2_ROOT") p3p=$(fp_count "$P3_ROOT")
sc_send --url "$ME/inbox" --key "$P2_ROOT/alice.key.pem" \
    --key-id "$P2/users/hop1#main-key" --body-text "$(body Like hop-blocked)"
t_eq "a key behind a redirect chain into a blocked domain: 401" 401 "$SC_STATUS"
t_eq "key_unavailable" key_unavailable "$(printf '%s' "$SC_BODY" | t_jq .error)"
t_eq "the blocked domain saw no connection" "$p3f" "$(p3_fetches)"
t_match "refused by the domain policy at the hop" \
    "redirect to a blocked \(or not allowed\) domain refused" "$(cat "$H_DATA.log")"
t_eq "nothing stored" "$before" "$(h_stats)"
t_eq "nothing sent" "$p2p $p3p" "$(fp_count "$P2_ROOT") $(fp_count "$P3_ROOT")"
"$HERALD_BIN" --data "$H_DATA" domain unblock 127.0.0.3 >/dev/null
restart_with "federation_mode = allowlist" "key_fail_cache = 0"
"$HERALD_BIN" --data "$H_DATA" domain allow 127.0.0.2 >/dev/null
before=$(h_stats) p3f=$(p3_fetches) p2p=$(fp_count "$P2_ROOT") p3p=$(fp_count "$P3_ROOT")
mark=$(wc -c <"$H_DATA.log")
sc_send --url "$ME/inbox" --key "$P2_ROOT/alice.key.pem" \
    --key-id "$P2/users/hop1#main-key" --body-text "$(body Like hop-allow)"
t_eq "a redirect chain out of the allow-list: 401 key_unavailable" "401 key_unavailable" \
    "$SC_STATUS $(printf '%s' "$SC_BODY" | t_jq .error)"
t_eq "the unlisted domain saw no connection" "$p3f" "$(p3_fetches)"
t_match "refused by the allow-list at the hop" \
    "redirect to a blocked \(or not allowed\) domain refused" "$(tail -c +"$mark" "$H_DATA.log")"
t_eq "nothing stored (allow-list)" "$before" "$(h_stats)"
t_eq "nothing sent (allow-list)" "$p2p $p3p" "$(fp_count "$P2_ROOT") $(fp_count "$P3_ROOT")"

# ---- a bounded verification queue: 503 before the body is read ----
restart_with "federation_mode = open" "inbox_threads = 1" "inbox_queue_max = 1"
touch "$SLOW_ROOT/users/s.json.hold"
f0=$(slow_fetches)
HELD=()
slow_send q.slow.localhost 4 # holds the only verifier
t_wait 30 slow_has $((f0 + 1)) || t_fail "the key fetch did not reach the slow server"
"$HERALD_TOOLS/sigclient" --url "$ME/inbox" --key "$P2_ROOT/alice.key.pem" \
    --key-id "$ALICE#main-key" --body-text "$(body Like queued)" >"$T_DIR/queued" 2>&1 &
HELD+=($!) # waits in the queue behind it
# headers only, promising a body that never comes: answered all the same once the queue is
# full (polled: the queued request is in once its body has arrived)
headers_only() {
    local hdrs
    hdrs=$(curl -s -D - -o "$T_DIR/busy.body" --max-time 2 -X POST \
        -H 'Content-Type: application/activity+json' -H 'Content-Length: 100000' \
        "$ME/inbox" | tr -d '\r') || true
    BUSY_HDRS=$hdrs
    [ "$(head -n1 <<<"$hdrs" | cut -d' ' -f2)" = 503 ]
}
before=$(h_stats)
if t_wait 30 headers_only; then
    t_pass "an inbox POST past inbox_queue_max gets 503 before its body is read"
else
    t_fail "no 503 while the queue was full: [$BUSY_HDRS]"
fi
t_eq "with inbox_busy" inbox_busy "$(t_jq .error "$T_DIR/busy.body")"
t_match "and a Retry-After" "Retry-After: [0-9]+" "$BUSY_HDRS"
t_eq "nothing stored while busy" "$before" "$(h_stats)"
rm "$SLOW_ROOT/users/s.json.hold"
wait "${HELD[@]}" || true
t_eq "the held request ends 401" 401 "$(head -n1 "$T_DIR/held.4")"
t_eq "the queued one is verified once a verifier is free" 202 "$(head -n1 "$T_DIR/queued")"

# ---- burst limit per actor, Follow limit per registrable domain ----
restart_with "inbox_threads = 4" "inbox_queue_max = 256" "inbox_actor_per_second = 1" \
    "inbox_follows_per_minute = 1"
t_wait 30 h_deliveries_drained || true
before=$(h_stats) p2p=$(fp_count "$P2_ROOT")
out=$("$HERALD_TOOLS/sigclient" --url "$ME/inbox" --key "$P2_ROOT/alice.key.pem" \
    --key-id "$ALICE#main-key" --body-text "$(body Like 'burst{n}')" --each 1:20 2>/dev/null || true)
t_match "one actor's burst gets 429 actor_rate_limited" '"error":"actor_rate_limited"' "$out"
n429=$(grep -c '^429$' <<<"$out" || true)
n202=$(grep -c '^202$' <<<"$out" || true)
t_eq "every request got 202 or 429" 20 "$((n202 + n429))"
t_match "logged with its reason" "reason=actor_rate_limited" "$(cat "$H_DATA.log")"
t_eq "nothing sent for the burst" "$p2p" "$(fp_count "$P2_ROOT")"
# two followers on two subdomains of one registrable domain (peer.localhost): one allowance
for who in bob:a carol:b; do
    name=${who%%:*} sub=${who#*:}
    fp_actor "$SLOW_ROOT" "http://127.0.0.1:$SLOW_PORT" "$name"
    sed -i "s#http://127.0.0.1:$SLOW_PORT#http://$sub.peer.localhost:$SLOW_PORT#g" \
        "$SLOW_ROOT/users/$name.json"
done
follow_of() { # NAME SUB
    local a="http://$2.peer.localhost:$SLOW_PORT/users/$1"
    curl_signed "$SLOW_ROOT/$1.key.pem" "$a#main-key" \
        "$(printf '{"@context":"%s","id":"%s/f/1","type":"Follow","actor":"%s","object":"%s"}' \
            "$AS" "$a" "$a" "$ME")"
}
follow_of bob a
t_eq "the first Follow from peer.localhost is accepted" 202 "$SC_STATUS"
t_wait 30 h_deliveries_drained || true
before=$(h_stats) sp=$(fp_count "$SLOW_ROOT")
follow_of carol b
t_eq "a second one from another subdomain in the minute gets 429" 429 "$SC_STATUS"
t_eq "follow_rate_limited" follow_rate_limited "$(printf '%s' "$SC_BODY" | t_jq .error)"
t_match "with a Retry-After" "Retry-After: [0-9]+" "$SC_HDRS"
t_eq "carol is not a follower" "" "$(h_followers health | grep carol || true)"
t_eq "nothing stored for it" "$before" "$(h_stats)"
t_eq "no Accept sent to it" "$sp" "$(fp_count "$SLOW_ROOT")"

h_stop
t_done

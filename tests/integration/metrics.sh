#!/bin/bash
# tests/integration/metrics.sh - /metrics (issue #12 part 6) read with the Prometheus
# project's own text-format parser (python3-prometheus-client): every family parses, the
# Content-Type is the exposition format's; counters move as requests, inbox refusals and
# acceptances, and deliveries happen; posts per account and the queue gauges match the
# store; the bearer token is required (and compared whole) on the main listener, the
# separate metrics_listen listener needs none and serves nothing else; neither key set:
# 404; a token too short stops the server from starting; the answer is never cached.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
TOKEN=metrics-token-0123456789abcdef
AS=https://www.w3.org/ns/activitystreams

H_PORT=$(t_freeport)
M_PORT=$(t_freeport)
H_DATA="$T_DIR/data"
H_BASE="http://127.0.0.1:$H_PORT"
h_init "$H_DATA" "$H_PORT"
cp "$H_DATA/herald.conf" "$T_DIR/herald.conf.plain"
printf 'metrics_token = %s\nmetrics_listen = 127.0.0.1:%s\n' "$TOKEN" "$M_PORT" >>"$H_DATA/herald.conf"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
h account add health --kind agency --name "Health" >/dev/null
h account set health approvals 0 >/dev/null
h_serve "$H_DATA" "$H_PORT"
ME="$H_BASE/users/health"

# scrape [CURL ARGS...]: the main listener's /metrics with the token, parsed
scrape() {
    curl -s -H "Authorization: Bearer $TOKEN" "$H_BASE/metrics" | "$PY" "$HERALD_TOOLS/promparse.py"
}
# value SAMPLE-LINE-PREFIX: the value of the one parsed sample starting with it (0 if none)
value() {
    local v
    v=$(scrape | grep -F -- "$1} " | awk '{ print $NF }' | head -n1)
    echo "${v:-0}"
}

# --- access ---
t_eq "no token: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' "$H_BASE/metrics")"
t_eq "a wrong token: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer ${TOKEN}x" "$H_BASE/metrics")"
t_eq "a prefix of the token: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' \
    -H "Authorization: Bearer ${TOKEN:0:20}" "$H_BASE/metrics")"
t_eq "the token as Basic: 401" 401 "$(curl -s -o /dev/null -w '%{http_code}' \
    -H "Authorization: Basic $TOKEN" "$H_BASE/metrics")"
hdrs=$(curl -s -D - -o "$T_DIR/m1" -H "Authorization: Bearer $TOKEN" "$H_BASE/metrics")
t_match "the token: 200" "^HTTP/1.1 200" "$hdrs"
t_match "Content-Type of the text format 0.0.4" \
    "Content-Type: text/plain; version=0.0.4; charset=utf-8" "$hdrs"
t_match "never cached: Cache-Control no-store" "Cache-Control: no-store" "$hdrs"
if "$PY" "$HERALD_TOOLS/promparse.py" <"$T_DIR/m1" >"$T_DIR/m1.parsed"; then
    t_pass "the reply parses with prometheus_client"
else
    t_fail "the reply does not parse: $(head -c 400 "$T_DIR/m1")"
fi
for fam in "herald_build_info gauge" "herald_process_start_time_seconds gauge" \
    "herald_http_requests counter" "herald_inbox_activities counter" \
    "herald_deliveries counter" "herald_webhook_deliveries counter" \
    "herald_delivery_queue_depth gauge" "herald_delivery_queue_oldest_seconds gauge" \
    "herald_posts counter" "herald_cases_open gauge" "herald_cases_overdue gauge" \
    "herald_watchdog_alarms gauge"; do
    t_match "family $fam" "^family $fam$" "$(cat "$T_DIR/m1.parsed")"
done
t_match "every line of the reply is a HELP, TYPE or sample line" "^0$" \
    "$(grep -cvE '^(# HELP |# TYPE |herald_[a-z_]+(\{[^}]*\})? [0-9.e+-]+$)' "$T_DIR/m1" || true)"
m2=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $TOKEN" "$H_BASE/metrics")
if grep -qi '^X-Cache: hit' <<<"$m2"; then t_fail "a second scrape came from the page cache"; else
    t_pass "a second scrape is rendered again, not served from the page cache"; fi

# --- the separate listener ---
M="http://127.0.0.1:$M_PORT"
t_eq "metrics_listen: /metrics without a token" 200 \
    "$(curl -s -o "$T_DIR/m3" -w '%{http_code}' "$M/metrics")"
if "$PY" "$HERALD_TOOLS/promparse.py" <"$T_DIR/m3" >/dev/null; then t_pass "and it parses"; else
    t_fail "metrics_listen's reply does not parse"; fi
t_eq "metrics_listen serves nothing else" 404 "$(curl -s -o /dev/null -w '%{http_code}' \
    "$M/users/health")"
t_eq "metrics_listen: POST refused" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST \
    -d x "$M/metrics")"

# --- requests by route and status: fixed names, never raw paths ---
before=$(value 'herald_http_requests_total{route=webfinger,status=200')
for i in 1 2 3; do curl -s -o /dev/null "$H_BASE/.well-known/webfinger?resource=acct:health@127.0.0.1:$H_PORT"; done
t_eq "three webfinger replies counted" $((before + 3)) \
    "$(value 'herald_http_requests_total{route=webfinger,status=200')"
curl -s -o /dev/null "$H_BASE/no/such/path/$RANDOM"
curl -s -o /dev/null "$H_BASE/users/nobody_here"
out=$(scrape)
t_match "an unknown path counts as route other" "route=other,status=404" "$out"
if grep -q 'no/such' <<<"$out"; then t_fail "a raw path became a label"; else
    t_pass "no raw path in any label"; fi

# --- inbox: refusals by reason, acceptances ---
fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_actor "$P2_ROOT" "$P2" ann
ANN="$P2/users/ann"
unsigned=$(curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/activity+json' \
    --data '{"type":"Follow"}' "$ME/inbox")
t_eq "an unsigned POST is refused" 401 "$unsigned"
t_eq "refused: signature_missing counted" 1 \
    "$(value 'herald_inbox_activities_total{reason=signature_missing,result=refused')"
follow="$(printf '{"@context":"%s","id":"%s/follows/1","type":"Follow","actor":"%s","object":"%s"}' \
    "$AS" "$ANN" "$ANN" "$ME")"
sc_as "$P2_ROOT" "$P2" ann "$ME/inbox" --body-text "$follow"
t_eq "ann's Follow accepted" 202 "$SC_STATUS"
t_eq "accepted counted" 1 "$(value 'herald_inbox_activities_total{reason=none,result=accepted')"
t_eq "the inbox route counts the 202" 1 "$(value 'herald_http_requests_total{route=inbox,status=202')"

# --- deliveries and posts ---
delivered() { [ "$(value 'herald_deliveries_total{outcome=delivered')" -ge "$1" ]; }
if t_wait 15 delivered 1; then t_pass "the Accept's delivery counted as delivered"; else
    t_fail "no delivery counted: $(scrape | grep deliveries)"; fi
h post health "Metrics: one post" >/dev/null
t_eq "posts_total of health counts the outbox" 1 "$(value 'herald_posts_total{account=health')"
if t_wait 15 delivered 2; then t_pass "the Create's delivery counted"; else
    t_fail "the Create's delivery not counted"; fi
t_wait 15 h_deliveries_drained || true
t_eq "queue depth 0 when drained" 0 "$(value 'herald_delivery_queue_depth{')"
t_eq "oldest job 0 s when drained" 0 "$(value 'herald_delivery_queue_oldest_seconds{')"
# a follower whose inbox refuses: the job waits with a retry; depth 1, its age grows
kill "$FP_PID" 2>/dev/null || true
wait "$FP_PID" 2>/dev/null || true
h post health "Metrics: a post nobody receives now" >/dev/null
retried() { [ "$(value 'herald_deliveries_total{outcome=retried')" -ge 1 ]; }
if t_wait 20 retried; then t_pass "an unreachable inbox counts as retried"; else
    t_fail "no retry counted: $(scrape | grep deliveries)"; fi
t_eq "queue depth 1 while it waits" 1 "$(value 'herald_delivery_queue_depth{')"
age=$(value 'herald_delivery_queue_oldest_seconds{')
t_match "the oldest job's age is positive" '^[0-9]+\.?[0-9]*$' "$age"
awk -v a="$age" 'BEGIN { exit !(a > 0) }' && t_pass "age $age > 0" || t_fail "age $age not > 0"

# --- restart: counters reset, neither key: 404; a short token refuses to start ---
h_stop
cp "$T_DIR/herald.conf.plain" "$H_DATA/herald.conf"
h_serve "$H_DATA" "$H_PORT"
t_eq "neither metrics_token nor metrics_listen: 404" 404 \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "$H_BASE/metrics")"
h_stop
printf 'metrics_token = short\n' >>"$H_DATA/herald.conf"
if "$HERALD_BIN" --data "$H_DATA" serve --listen "127.0.0.1:$H_PORT" >"$T_DIR/short.out" 2>&1; then
    t_fail "a 5-character metrics_token was accepted"
else
    t_match "a short metrics_token stops the start with a clear error" "at least 16" \
        "$(cat "$T_DIR/short.out")"
fi
if grep -q "$TOKEN" "$H_DATA.log" "$T_DIR/short.out"; then t_fail "the token reached a log"; else
    t_pass "the token is in no log"; fi

t_done

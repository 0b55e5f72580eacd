#!/bin/bash
# tests/integration/webhooks.sh - webhooks end to end (issue #12 part 7) with a loopback
# receiver (tests/tools/hookrecv.py) that checks every X-Herald-Signature the way
# docs/operating.md tells a webcare tool to: a real draft workflow (submit, approve,
# publish) sends draft.submitted, draft.approved and post.published to the webhook that
# wants all events and only post.published to the one that asked for that; a first answer
# of 500 is retried and the event delivered once; events queued while the server is down
# (killed with SIGKILL) go out after the restart; `webhook test` sends a ping; bad URLs,
# unknown events and an operator without the admin role are refused with nothing stored;
# the admin API does the same; secrets are shown once and never listed or logged; a
# removed webhook gets nothing more.
. "$(dirname "$0")/../harness/lib.sh"

PY=/usr/bin/python3
H_APPROVALS=1 h_start health agency
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
h operator add ed >/dev/null
h operator add ap >/dev/null
h operator add boss >/dev/null
h grant ed editor --account health >/dev/null
h grant ap approver --account health >/dev/null
h grant boss admin >/dev/null

RECV="$T_DIR/recv"
mkdir -p "$RECV"
"$PY" "$HERALD_TOOLS/hookrecv.py" --listen 127.0.0.1 --dir "$RECV" --plan 500 >"$T_DIR/recv.out" \
    2>"$T_DIR/recv.log" &
T_PIDS+=("$!")
t_wait 10 grep -q '^ready ' "$T_DIR/recv.out" || { cat "$T_DIR/recv.log" >&2; exit 1; }
RPORT=$(awk '/^ready /{ print $2 }' "$T_DIR/recv.out")
HOOK="http://127.0.0.1:$RPORT/hook"

# recs PATH EVENT STATUS: how many requests to PATH of EVENT the receiver answered STATUS
recs() {
    "$PY" - "$RECV" "$@" <<'EOF'
import glob, json, sys
d, path, event, status = sys.argv[1:5]
n = 0
for f in glob.glob(d + "/*.json"):
    r = json.load(open(f))
    n += r["path"] == path and r["event"] == event and str(r["status"]) == status
print(n)
EOF
}
# all_signed: every request the receiver got carried a valid signature and JSON type
all_signed() {
    "$PY" - "$RECV" <<'EOF'
import glob, json, sys
rs = [json.load(open(f)) for f in glob.glob(sys.argv[1] + "/*.json")]
bad = [r for r in rs if not r["signature_ok"] or r["content_type"] != "application/json"]
print("%d %d" % (len(rs), len(bad)))
EOF
}
has_recs() { [ "$(recs "$1" "$2" "$3")" -ge "$4" ]; }
hooks_count() { h webhook list --json | t_jq '.[].id' | wc -l; }

# --- add: the secret once; refusals store nothing ---
out=$(h webhook add "$HOOK")
t_match "webhook add prints the id" "^webhook wh[0-9]+ -> $HOOK" "$out"
SECRET=$(awk '/^secret: /{ print $2 }' <<<"$out")
t_match "and a 64-hex-digit secret" '^[0-9a-f]{64}$' "$SECRET"
printf '%s\n' "$SECRET" >"$RECV/secret.hook"
ALL_ID=$(awk '/^webhook /{ print $2 }' <<<"$out")
out=$(h webhook add "http://127.0.0.1:$RPORT/pub" --events post.published)
PUB_ID=$(awk '/^webhook /{ print $2 }' <<<"$out")
awk '/^secret: /{ print $2 }' <<<"$out" >"$RECV/secret.pub"
t_eq "two webhooks" 2 "$(hooks_count)"
t_match "list shows the events" "post.published" "$(h webhook list)"
if h webhook list --json | grep -q "$SECRET"; then t_fail "list shows a secret"; else
    t_pass "list never shows a secret"; fi
expect_refused() { # WHAT MESSAGE-REGEX CMD...
    local what=$1 re=$2
    shift 2
    if "$@" >"$T_DIR/out" 2>"$T_DIR/err"; then
        t_fail "$what: succeeded: $(cat "$T_DIR/out")"
    else
        t_match "$what: refused" "$re" "$(cat "$T_DIR/err")"
    fi
}
expect_refused "an ftp URL" "https" h webhook add "ftp://127.0.0.1/x"
expect_refused "http to a host not on loopback" "https" h webhook add "http://webcare.example/x"
expect_refused "a URL with a password" "password" h webhook add "https://u:p@webcare.example/x"
expect_refused "an unknown event" "unknown event" h webhook add "$HOOK" --events case.lost
expect_refused "an editor may not add webhooks" "." h --as ed webhook add "$HOOK"
expect_refused "an editor may not remove webhooks" "." h --as ed webhook remove "$ALL_ID"
expect_refused "removing an unknown webhook" "no webhook" h webhook remove wh999999
t_eq "still two webhooks after the refusals" 2 "$(hooks_count)"
t_eq "usage errors exit 2" 2 "$(h webhook frobnicate >/dev/null 2>&1; echo $?)"

# --- a draft workflow: submitted, approved, published; the first POST answered 500 ---
out=$(h --as ed post health "Webhook test: water main repair tonight")
D=${out%% *}
R=$(h draft show "$D" | t_jq .rev_sha256)
h --as ap draft approve "$D" --rev "$R" >/dev/null
for ev in draft.submitted draft.approved post.published; do
    if t_wait 40 has_recs /hook "$ev" 200 1; then t_pass "$ev delivered to the all-events webhook"
    else t_fail "$ev not delivered (receiver: $(ls "$RECV"))"; fi
done
if t_wait 20 has_recs /pub post.published 200 1; then t_pass "post.published to the other"; else
    t_fail "post.published not delivered to the post.published webhook"; fi
# the events may be claimed together and POSTed in any order: whichever came first got 500
t_eq "the first POST was answered 500" 1 \
    "$(( $(recs /hook draft.submitted 500) + $(recs /hook draft.approved 500) + $(recs /hook post.published 500) ))"
for ev in draft.submitted draft.approved post.published; do
    t_eq "$ev delivered exactly once" 1 "$(recs /hook "$ev" 200)"
done
t_eq "the other webhook got nothing else" 0 \
    "$(( $(recs /pub draft.submitted 200) + $(recs /pub draft.approved 200) ))"
t_wait 15 h_deliveries_drained || true
first=$("$PY" -c 'import json,sys; r=json.load(open(sys.argv[1])); b=r["body"]; print(r["delivery"] == b["id"], b["type"] in ("draft.submitted", "draft.approved", "post.published"), b["data"]["id"], b["instance"])' "$RECV/000000.json")
t_eq "X-Herald-Delivery is the event id; the body names its type, the draft, the instance" \
    "True True $D $H_BASE" "$first"
t_eq "every request's signature verifies (HMAC-SHA256 of timestamp.body, its own secret)" \
    "0" "$(all_signed | cut -d' ' -f2)"

# --- durable: events of a workflow while the server is down go out after the restart ---
kill -9 "$H_PID"
wait "$H_PID" 2>/dev/null || true
out=$(h --as ed post health "Webhook test: queued while the server is down")
D2=${out%% *}
t_match "a draft submitted while the server is down" "^d[0-9]+ submitted" "$out"
before=$(recs /hook draft.submitted 200)
h_serve "$H_DATA" "$H_PORT"
if t_wait 20 has_recs /hook draft.submitted 200 $((before + 1)); then
    t_pass "the event queued while down was delivered after the restart"
else
    t_fail "the event queued while down was not delivered"
fi
t_eq "the event names the second draft" "$D2" "$("$PY" - "$RECV" <<'EOF'
import glob, json, sys
rs = sorted(glob.glob(sys.argv[1] + "/*.json"))
print(json.load(open(rs[-1]))["body"]["data"]["id"])
EOF
)"

# --- webhook test: a ping to that webhook alone ---
t_match "webhook test queues a ping" "ping queued" "$(h webhook test "$ALL_ID")"
if t_wait 20 has_recs /hook ping 200 1; then t_pass "the ping arrived, signed"; else
    t_fail "no ping"; fi
t_eq "no ping to the other webhook" 0 "$(recs /pub ping 200)"

# --- the admin API ---
TOK=$(h token create boss 2>/dev/null)
api() { curl -s -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' "$@"; }
API="$H_BASE/api/herald/v1/webhooks"
t_eq "GET /webhooks lists two" 2 "$(api "$API" | t_jq '.[].id' | wc -l)"
if api "$API" | grep -q '"secret"'; then t_fail "GET /webhooks shows secrets"; else
    t_pass "GET /webhooks shows no secret"; fi
st=$(api -o "$T_DIR/api.out" -w '%{http_code}' -X POST -d '{"url":"ftp://x/"}' "$API")
t_eq "POST /webhooks with a bad URL: 422" 422 "$st"
t_match "with a clear error" '"error":"invalid"' "$(cat "$T_DIR/api.out")"
st=$(api -o "$T_DIR/api.out" -w '%{http_code}' -X POST -d '{"url":"https://w.example/h","events":["nope"]}' "$API")
t_eq "POST /webhooks with an unknown event: 422" 422 "$st"
st=$(api -o "$T_DIR/api.out" -w '%{http_code}' -X POST -d '{"url":"https://w.example/h","events":7}' "$API")
t_eq "POST /webhooks with events of the wrong type: 422" 422 "$st"
t_eq "nothing stored by the refused POSTs" 2 "$(hooks_count)"
st=$(api -o "$T_DIR/api.out" -w '%{http_code}' -X POST \
    -d '{"url":"https://w.example/h","events":["case.opened","case.overdue"]}' "$API")
t_eq "POST /webhooks: 201" 201 "$st"
t_match "with the secret, once" '"secret":"[0-9a-f]{64}"' "$(cat "$T_DIR/api.out")"
NEW_ID=$(t_jq .id "$T_DIR/api.out")
t_eq "POST /webhooks/ID/remove" true "$(api -X POST "$API/$NEW_ID/remove" | t_jq .removed)"
t_eq "removing it again: 404" 404 "$(api -o /dev/null -w '%{http_code}' -X POST "$API/$NEW_ID/remove")"
t_eq "an unknown verb: 404" 404 "$(api -o /dev/null -w '%{http_code}' -X POST "$API/$ALL_ID/frob")"

# --- remove: nothing more to that webhook ---
h webhook remove "$ALL_ID" >/dev/null
t_eq "one webhook left" 1 "$(hooks_count)"
n=$(ls "$RECV" | grep -c json)
out=$(h --as ed post health "Webhook test: after the removal")
R=$(h draft show "${out%% *}" | t_jq .rev_sha256)
h --as ap draft approve "${out%% *}" --rev "$R" >/dev/null
if t_wait 20 has_recs /pub post.published 200 2; then t_pass "the remaining webhook still gets posts"
else t_fail "the remaining webhook got no second post.published"; fi
t_wait 15 h_deliveries_drained || true
t_eq "the removed webhook got nothing more" 0 "$("$PY" - "$RECV" "$n" <<'EOF'
import glob, json, sys
rs = sorted(glob.glob(sys.argv[1] + "/*.json"))[int(sys.argv[2]):]
print(len([1 for f in rs if json.load(open(f))["path"] == "/hook"]))
EOF
)"
if grep -q -e "$SECRET" -e "$(cat "$RECV/secret.pub")" "$H_DATA.log"; then
    t_fail "a webhook secret reached the server log"
else
    t_pass "no secret in the server log"
fi
h_stop
t_done

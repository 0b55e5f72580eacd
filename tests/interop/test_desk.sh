#!/usr/bin/env bash
# tests/interop/test_desk.sh - issue #12 "how it will be checked": citizens on an independent
# server, through a real Mastodon client, reply to, mention and write directly to an agency;
# the cases appear in the right departments with the right deadlines; the answers go through
# approval and reach the citizens with the visibility they wrote with; time moves past the
# deadline and a silence limit, and the alarms, the webhooks and the report figures match a
# hand count; `herald status` exit codes; /metrics parses (docs/desk.md).
#
# The citizens' server is citizen/facade.mjs (Fedify + a Mastodon client API, 127.0.0.3),
# the client masto.js (citizen/client.mjs), as in test_citizen.sh. Herald: the agency `city`
# with the departments `roads` and `health`; operators `admin` (admin), `ed` (editor),
# `resp` (responder on roads, health and service), `appr` (approver); routing #pothole ->
# roads, "vaccine" -> health, everything else to city's default department service (the
# Citizen Service Centre); city's calendar
# Europe/Berlin, mon-fri 09:00-17:00, deadline 2 working days, one holiday from an .ics file.
#
# The desk's clock (HERALD_CLOCK_SHIFT, every herald process of the test) is pinned to a
# Friday 10:00 in Berlin 8 to 14 days ago, so the deadline story is the same every run: a
# message on Friday morning (the day of receipt does not count), Saturday, Sunday, Monday
# the holiday, Tuesday day 1, Wednesday day 2: due Wednesday 17:00. Then the clock moves to
# five days after the real now: the unanswered case is overdue and health (max_silence_days
# 3, its last post the answer written today) is silent.
#
# Hand count (what the figures must be): 4 cases opened (A: citizen's public reply #pothole
# -> roads; B: neighbour's public mention about a vaccine -> health, answered, then closed;
# C: citizen's direct message -> service; D: neighbour's unlisted reply, then a follow-up
# that joins D and is deleted -> service), 3 answered (A, B, C; each within its deadline), 1
# overdue (D). Webhooks: case.opened x4, case.answered x3, case.overdue x1. Alarms five days
# on: overdue_case (service, 1, D) and silent (health), nothing else. Report (docs/
# evaluation.md: due = answered or past the deadline; share = within / due): city 4 opened,
# 3 answered, 1 overdue, 0.75; departments roads 1, 1, 0, 1; health 1, 1, 0, 1; service 2,
# 1, 1, 0.5. /metrics: herald_cases_open (not closed) roads 1, health 0, service 2;
# herald_cases_overdue service 1.
#
# Needs Node >= 20 and npm (skips with 77 like test_citizen.sh), /usr/bin/python3 with
# python3-prometheus-client (Debian; scripts/deps). T_KEEP=1 keeps the work directory.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${HERALD_SRC:=$(cd "$HERE/../.." && pwd)}"
C="$HERE/citizen"

# shellcheck source=lib.sh
. "$HERE/lib.sh"
interop_init interop.test_desk "$C" masto/package.json
PY=/usr/bin/python3

# ---------------------------------------------------------------- python: the calendar
# Independent of Herald's code: `pin` (the desk clock's Friday), `due` (a deadline counted by
# the rule docs/desk.md states). The webhook receiver (each signature checked as
# docs/operating.md tells a webcare tool) and the Prometheus parser are tests/tools'
# hookrecv.py and promparse.py.
cat >"$T_DIR/desk.py" <<'PYEOF'
import sys, time
from datetime import datetime, timedelta, time as dtime
from zoneinfo import ZoneInfo

TZ = "Europe/Berlin"

def pin():
    """The Friday 8 to 14 days ago, 10:00 in Berlin: the shift to it (s), the Friday, the
    Monday after (the holiday) and the hand-counted deadline: Wednesday 17:00."""
    z = ZoneInfo(TZ)
    d = datetime.now(z).date() - timedelta(days=8)
    while d.weekday() != 4:
        d -= timedelta(days=1)
    p = datetime.combine(d, dtime(10, 0), z)
    wed = datetime.combine(d + timedelta(days=5), dtime(17, 0), z)
    print(int(p.timestamp() - time.time()), d.isoformat(), (d + timedelta(days=3)).isoformat(),
          int(wed.timestamp() * 1000))

def due(opened_ms, spec, tz, weekdays, hours, holidays):
    """The deadline of a case opened at OPENED_MS: "Nd" ends with the close of the Nth working
    day after the day of receipt (the working day of the first working moment at or after
    the opening; it does not count); "Nh" counts N working hours from the opening."""
    z = ZoneInfo(tz)
    names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    a, b = weekdays.split("-")
    work = set(range(names.index(a), names.index(b) + 1))
    sh, sm, eh, em = int(hours[0:2]), int(hours[3:5]), int(hours[6:8]), int(hours[9:11])
    hol = set(holidays.split(",")) if holidays else set()
    opened = datetime.fromtimestamp(opened_ms / 1000, z)
    def window(d):
        mid = datetime.combine(d, dtime(0, 0))  # local wall time, then the zone
        s = (mid + timedelta(minutes=sh * 60 + sm)).replace(tzinfo=z)
        e = (mid + timedelta(minutes=eh * 60 + em)).replace(tzinfo=z)
        return s, e
    n, unit, d = int(spec[:-1]), spec[-1], opened.date()
    left = timedelta(hours=n)
    received = False
    for _ in range(1100):
        if d.weekday() in work and d.isoformat() not in hol:
            s, e = window(d)
            if unit == "h" and e > opened:
                s = max(s, opened)
                if left <= e - s:
                    return int((s + left).timestamp() * 1000)
                left -= e - s
            elif unit == "d" and (received or e > opened):
                if received:
                    n -= 1
                    if n == 0:
                        return int(e.timestamp() * 1000)
                received = True
        d += timedelta(days=1)
    raise SystemExit("no deadline")

cmd, args = sys.argv[1], sys.argv[2:]
{"pin": pin, "due": lambda *a: print(due(int(a[0]), *a[1:]))}[cmd](*args)
PYEOF

read -r SHIFT_S FRIDAY HOLIDAY DUE_HAND <<<"$($PY "$T_DIR/desk.py" pin)"
export HERALD_CLOCK_SHIFT="${SHIFT_S}s" # every herald below: the server and the CLI
LATER=+5d                               # the moved clock: five days after the real now
echo "desk clock: Friday $FRIDAY 10:00 Europe/Berlin (shift $HERALD_CLOCK_SHIFT), holiday $HOLIDAY"

# ---------------------------------------------------------------- the citizens' server
facade_spawn

# ---------------------------------------------------------------- the webhook receiver
# one file a delivery in $W_DIR (event, signature_ok, body), the secret in $W_DIR/secret.hook
W_DIR="$T_DIR/webhooks"
mkdir -p "$W_DIR"
$PY "$HERALD_TOOLS/hookrecv.py" --listen 127.0.0.1 --dir "$W_DIR" >"$T_DIR/receiver.out" 2>"$T_DIR/receiver.err" &
T_PIDS+=("$!")
# webhooks: every delivery so far as one JSON array, in $T_DIR/webhooks.json
webhooks() {
    local f sep=
    {
        echo '['
        for f in "$W_DIR"/[0-9]*.json; do
            [ -e "$f" ] || continue
            printf '%s' "$sep"
            cat "$f"
            sep=,
        done
        echo ']'
    } >"$T_DIR/webhooks.json"
}

# ---------------------------------------------------------------- Herald
facade_herald_init
CITY="$H_BASE/users/city"
ROADS="$H_BASE/users/roads"
HEALTH="$H_BASE/users/health"
SERVICE="$H_BASE/users/service"
METRICS_TOKEN=metrics-token-of-the-test-0123456789abcdef
# setup STEP CMD...: a setup command that must work (its failure is a named failure)
setup() {
    local what=$1
    shift
    "$@" >>"$T_DIR/setup.out" 2>"$T_DIR/setup.err" || t_fail "setup $what: $* -> $(tail -n 1 "$T_DIR/setup.err")"
}
printf 'metrics_token = %s\n' "$METRICS_TOKEN" >>"$H_DATA/herald.conf"
h stats >/dev/null 2>&1 || { sed -i '/^metrics_token/d' "$H_DATA/herald.conf"; echo "(no metrics_token key in this build)"; }
setup 0a h account add city --kind agency --name "City of Example"
setup 0a h account add roads --kind department --parent city --name "Roads Department"
setup 0a h account add health --kind department --parent city --name "Health Department"
setup 0a h account add service --kind department --parent city --name "Citizen Service Centre"
for a in city roads health service; do setup 0a h account set "$a" approvals 1; done
for o in admin ed resp appr; do setup 0b h operator add "$o"; done
setup 0b h grant admin admin
for a in city roads health service; do
    setup 0b h grant ed editor --account "$a"
    setup 0b h grant appr approver --account "$a"
done
setup 0b h grant resp responder --account roads
setup 0b h grant resp responder --account health
setup 0b h grant resp responder --account service
# routing: tags, then keywords; everything unmatched goes to city's default department service
setup 0c h --as admin route add --department roads --tag pothole
setup 0c h --as admin route add --department health --keyword vaccine
setup 0c h --as admin desk set city department service
setup 0c h --as admin desk set city deadline 2d
setup 0c h --as admin desk set city timezone Europe/Berlin
setup 0c h --as admin desk set city weekdays mon-fri
setup 0c h --as admin desk set city hours 09:00-17:00
setup 0c h --as admin desk set health max_silence_days 3
cat >"$T_DIR/holidays.ics" <<EOF
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Example City HR//Holidays//EN
BEGIN:VEVENT
UID:holiday-$HOLIDAY@city.example
DTSTAMP:20260101T000000Z
DTSTART;VALUE=DATE:${HOLIDAY//-/}
SUMMARY:City holiday
END:VEVENT
END:VCALENDAR
EOF
sed -i 's/$/\r/' "$T_DIR/holidays.ics" # RFC 5545 §3.1: lines end in CRLF
setup 0c h --as admin desk holidays city import "$T_DIR/holidays.ics"
t_wait 10 grep -q '^ready ' "$T_DIR/receiver.out" || t_fail "setup 0d: the webhook receiver did not start: $(cat "$T_DIR/receiver.err")"
W_PORT=$(awk '/^ready /{ print $2 }' "$T_DIR/receiver.out")
WH_OUT=$(h --as admin webhook add "http://127.0.0.1:$W_PORT/hook" --events \
    case.opened,case.overdue,case.answered 2>"$T_DIR/webhook.err") || t_fail "setup 0d webhook add: $(tail -n 1 "$T_DIR/webhook.err")"
W_SECRET=$(awk '/^secret: /{ print $2 }' <<<"$WH_OUT")
t_match "0d webhook add shows the secret once" '^[0-9a-f]{64}$' "$W_SECRET"
printf '%s\n' "$W_SECRET" >"$W_DIR/secret.hook"
h_serve "$H_DATA" "$H_PORT"

facade_wait
echo "herald $H_BASE, the citizens' server $F_BASE, webhooks to 127.0.0.1:$W_PORT"

diagnostics() {
    [ "$T_FAILS" -gt 0 ] || return 0
    {
        echo "=================== desk diagnostics ($T_DIR) ==================="
        echo "--- what the citizens' server sent (/_control/sent) ---"
        curl -s --max-time 5 "$F_BASE/_control/sent" || true
        echo; echo "--- what it received ---"
        curl -s --max-time 5 "$F_BASE/_control/received" || true
        echo; echo "--- cases ---"
        h case list --json 2>&1 | cut -c1-4000 || true
        echo "--- webhooks received ---"
        cat "$W_DIR"/[0-9]*.json 2>/dev/null | cut -c1-600 || true
        echo "--- facade log (last 80 lines) ---"
        tail -n 80 "$T_DIR/facade.log" | cut -c1-1200 || true
        echo "--- herald log (last 60 lines) ---"
        tail -n 60 "$H_DATA.log" || true
    } >&2
}
trap 'diagnostics; t_cleanup' EXIT

# cases [SHIFT]: the case list as resp reads it, into $T_DIR/cases.json; cq EXPR: EXPR with
# `cs` the array of cases; ck WHO WHY: the expression of the case of citizen WHO (citizen|
# neighbour) opened by WHY (reply|mention|direct)
cases() { h --as resp case list --json >"$T_DIR/cases.json" 2>"$T_DIR/cases.err" || true; }
cq() { jv "$T_DIR/cases.json" "(cs => ($1))(Array.isArray(d) ? d : (d && d.cases) || [])"; }
ck() { printf "(cs.find(c => c.citizen === '%s/users/%s' && c.why === '%s') || {})" "$F_BASE" "$1" "$2"; }
# show ID: case ID in full (messages, answers), as resp reads it, into $T_DIR/case-ID.json;
# sq ID EXPR: EXPR with `c` that case
show() { h --as resp case show "$1" --json >"$T_DIR/case-$1.json" 2>"$T_DIR/case-$1.err" || true; }
sq() { jv "$T_DIR/case-$1.json" "(c => ($2))(d || {})"; }
# wait_cases N: polls until resp's case list holds N cases (the facade's write answers
# after Herald's inbox took it, so this is normally at once)
wait_cases() {
    for _ in $(seq 1 50); do
        cases
        [ "$(cq 'cs.length')" = "$1" ] && return 0
        sleep 0.2
    done
    return 1
}
# approve DRAFT: appr approves the revision `draft show` names; prints the published URL
approve() {
    local rev
    rev=$(h draft show "$1" 2>>"$T_DIR/approve.err" | t_jq .rev_sha256)
    h --as appr draft approve "$1" --rev "$rev" 2>>"$T_DIR/approve.err" | tail -n 1 | tr -d '\r' || true
}
# answer CASE TEXT: resp drafts the answer from the case (submitted), appr approves it;
# prints the URL of the published answer
answer() {
    local d
    d=$(h --as resp case answer "$1" "$2" --submit 2>>"$T_DIR/answer.err" | grep -oE '\bd[0-9]+\b' | head -n 1) || true
    [ -n "$d" ] || { echo "case answer $1 failed: $(tail -n 1 "$T_DIR/answer.err")" >&2; return 0; }
    approve "$d"
}

# ---------------------------------------------------------------- 1. the watchdog is quiet
rc=0; h status >"$T_DIR/status0.out" 2>&1 || rc=$?
t_eq "1a herald status exits 0 while no alarm is up (everyone has operators, nothing waits)" 0 "$rc"

# ---------------------------------------------------------------- 2. the agency's post; citizens find it
d=$(h --as ed draft new city "Road works on Elm Street start on Monday; tell us what you see" --submit 2>>"$T_DIR/setup.err" | cut -d' ' -f1) || true
POST=$(approve "$d")
t_match "2a city's post is published after its approval" "^$CITY/" "$POST"
mc $CIT search "$POST"
S_CIT=$(v 'd.value && d.value.statuses[0] && d.value.statuses[0].id')
t_match "2b the citizen's server resolves the post for citizen" '^[0-9]+$' "$S_CIT"
mc $NEI search "$POST"
S_NEI=$(v 'd.value && d.value.statuses[0] && d.value.statuses[0].id')
mc $NEI search "service@127.0.0.1:$H_PORT"
SERVICE_ID=$(v 'd.value && d.value.accounts[0] && d.value.accounts[0].id')
mc $NEI follow "$SERVICE_ID"
if mc_until 20 'd.value && d.value[0] && d.value[0].following' $NEI relationship "$SERVICE_ID"; then
    t_pass "2c neighbour follows service (a follower must still not see its direct answer)"
else
    t_fail "2c neighbour's follow of service not accepted within 20 s: $(cat "$MC")"
fi

# ---------------------------------------------------------------- 3. the citizens' refusals (Mastodon's)
cases
n0=$(cq 'cs.length')
mc $CIT post "a reply to nothing" inReplyToId=999999999
t_eq "3a a reply to an unknown status: Mastodon's 404" 404 "$(v 'd.error && d.error.statusCode')"
mc $CIT post "   "
t_eq "3b an empty status: Mastodon's 422" 422 "$(v 'd.error && d.error.statusCode')"
mc $CIT post "@city@127.0.0.1:$H_PORT hello" visibility=secret
t_eq "3c an unknown visibility: 422" 422 "$(v 'd.error && d.error.statusCode')"
mc $CIT post "$(printf 'x%.0s' $(seq 1 501))"
t_eq "3d 501 characters: 422" 422 "$(v 'd.error && d.error.statusCode')"
mc $NEI delete "$S_CIT"
t_eq "3e deleting someone else's status: 404" 404 "$(v 'd.error && d.error.statusCode')"
t_eq "3f nothing was sent for the refused writes" "[]" "$(curl -s --max-time 5 "$F_BASE/_control/sent")"
cases
t_eq "3g  and no case opened" "${n0:-0}" "$(cq 'cs.length')"

# ---------------------------------------------------------------- 4. citizens write
T0=$(($(date +%s%3N) + SHIFT_S * 1000))
mc $CIT post "Deep pothole outside Elm Street 12, please fix it #pothole" inReplyToId="$S_CIT"
A_ID=$(v 'd.value && d.value.id')
A_URI=$(v 'd.value && d.value.uri')
t_eq "4a citizen's public reply to the post, with #pothole" "public pothole" "$(v 'd.value && [d.value.visibility, d.value.tags.map(t => t.name).join()].join(" ")')"
mc $NEI post "@city@127.0.0.1:$H_PORT when can I get the flu vaccine at the clinic?"
B_ID=$(v 'd.value && d.value.id')
t_eq "4b neighbour's public mention of @city (WebFinger-resolved)" "public city@127.0.0.1:$H_PORT" \
    "$(v 'd.value && [d.value.visibility, d.value.mentions.map(m => m.acct).join()].join(" ")')"
mc $CIT post "@city@127.0.0.1:$H_PORT my permit application 4711 has had no answer, where is it?" visibility=direct
C_ID=$(v 'd.value && d.value.id')
C_URI=$(v 'd.value && d.value.uri')
t_eq "4c citizen's direct message to @city" "direct city@127.0.0.1:$H_PORT" \
    "$(v 'd.value && [d.value.visibility, d.value.mentions.map(m => m.acct).join()].join(" ")')"
mc $NEI post "The bus stop sign on Oak Road fell over" inReplyToId="$S_NEI" visibility=unlisted
t_eq "4d neighbour's unlisted reply to the post" unlisted "$(v 'd.value && d.value.visibility')"
mc $NEI post "It now blocks the pavement" inReplyToId="$S_NEI" visibility=unlisted
D2_ID=$(v 'd.value && d.value.id')
D2_URI=$(v 'd.value && d.value.uri')
T1=$(($(date +%s%3N) + SHIFT_S * 1000))
t_eq "4e every write was delivered to Herald (no delivery error at the citizens' server)" "" \
    "$(curl -s --max-time 5 "$F_BASE/_control/sent" >"$T_DIR/sent.json"; jv "$T_DIR/sent.json" 'd.filter(e => e.error).map(e => e.type + " " + e.object + ": " + e.error).join("; ")')"
t_eq "4f  the public reply went to city (the replied-to author); the direct message to city only" \
    "$CITY|$CITY" "$(jv "$T_DIR/sent.json" "[d.find(e => e.object === '$A_URI'), d.find(e => e.object === '$C_URI')].map(e => e ? e.to.join() : 'none').join('|')")"
if mc_until 20 'd.value && d.value.repliesCount === 3' $CIT status "$S_CIT"; then
    t_pass "4g Herald counts the three replies on city's post (replies_count, refetched)"
else
    t_fail "4g replies_count of city's post: $(v 'd.value && d.value.repliesCount') after 20 s"
fi

# ---------------------------------------------------------------- 5. the cases
if wait_cases 4; then t_pass "5a four cases (the follow-up joined neighbour's reply)"; else t_fail "5a cases: $(cq 'cs.length') after 10 s: $(cut -c1-300 "$T_DIR/cases.json") $(cat "$T_DIR/cases.err")"; fi
A=$(ck citizen reply) B=$(ck neighbour mention) CC=$(ck citizen direct) D=$(ck neighbour reply)
A_CASE=$(cq "$A.id") B_CASE=$(cq "$B.id") C_CASE=$(cq "$CC.id") D_CASE=$(cq "$D.id")
for c in "$A_CASE" "$B_CASE" "$C_CASE" "$D_CASE"; do show "$c"; done
t_eq "5b A: citizen's reply -> roads (tag #pothole), public, new" "city roads public new" "$(cq "[$A.account, $A.department, $A.visibility, $A.status].join(' ')")"
t_eq "5c B: neighbour's mention -> health (keyword \"vaccine\"), public, new" "city health public new" "$(cq "[$B.account, $B.department, $B.visibility, $B.status].join(' ')")"
t_eq "5d C: citizen's direct message -> service (city's default department), direct" "city service direct new" "$(cq "[$CC.account, $CC.department, $CC.visibility, $CC.status].join(' ')")"
t_eq "5e D: neighbour's reply -> service (default), unlisted, two messages" "city service unlisted new 2" \
    "$(cq "[$D.account, $D.department, $D.visibility, $D.status].join(' ')") $(sq "$D_CASE" '(c.messages || []).length')"
t_eq "5f  A's tags (the Note's one Hashtag)" "pothole" "$(sq "$A_CASE" "(c.tags || []).join(' ')")"
t_eq "5g opened on the desk's clock (the pinned Friday morning)" "yes yes yes yes" \
    "$(cq "[$A, $B, $CC, $D].map(c => c.opened_ms >= $T0 - 1000 && c.opened_ms <= $T1 + 1000 ? 'yes' : 'no').join(' ')")"
for c in A B CC D; do
    opened=$(cq "${!c}.opened_ms")
    want=$($PY "$T_DIR/desk.py" due "${opened:-0}" 2d Europe/Berlin mon-fri 09:00-17:00 "$HOLIDAY" 2>/dev/null || echo "?")
    t_eq "5h case $c's deadline, counted in city's calendar: Wednesday 17:00 Berlin (Friday, weekend, Monday holiday, Tuesday, Wednesday)" \
        "$DUE_HAND $DUE_HAND" "$want $(cq "${!c}.deadline_ms")"
done
t_eq "5i the message as received and as shown (sanitised)" "yes yes" \
    "$(sq "$A_CASE" "(m => m ? [/#<span>pothole/.test(m.original) ? 'yes' : 'no', /Elm Street 12/.test(m.html) && !/<script/.test(m.html) ? 'yes' : 'no'].join(' ') : 'none')((c.messages || [])[0])")"
rc=0; h --as ed case list --json >"$T_DIR/ed.json" 2>"$T_DIR/ed.err" || rc=$?
t_eq "5j an editor (not responder, auditor or admin) lists no case" "0 []" "$rc $(tr -d ' \n' <"$T_DIR/ed.json")"
rc=0; h --as ed case show "${A_CASE:-c0}" >/dev/null 2>"$T_DIR/ed.err" || rc=$?
t_eq "5k  and may not show one: exit 1" 1 "$rc"

# ---------------------------------------------------------------- 6. an edit and a delete reach the case
mc $CIT edit "$A_ID" "Deep pothole outside Elm Street 12, now 30 cm wide #pothole"
t_match "6a the citizen edits the reply (Update)" '30 cm' "$(v 'd.value && d.value.content')"
mc $NEI delete "$D2_ID"
t_eq "6b neighbour deletes the follow-up (Delete)" "It now blocks the pavement" "$(v 'd.value && d.value.text')"
for _ in $(seq 1 50); do
    show "$A_CASE"
    show "$D_CASE"
    [ "$(sq "$A_CASE" '((c.messages || [])[0] || {}).edited_ms ? 1 : 0')$(sq "$D_CASE" '((c.messages || [])[1] || {}).deleted_ms ? 1 : 0')" = 11 ] && break
    sleep 0.2
done
t_eq "6c case A shows the message edited, with the new text" "yes yes" \
    "$(sq "$A_CASE" "(m => [m.edited_ms ? 'yes' : 'no', /30 cm/.test(m.html) ? 'yes' : 'no'].join(' '))((c.messages || [])[0] || {})")"
t_eq "6d case D shows the follow-up deleted (and still has it)" "$D2_URI deleted" \
    "$(sq "$D_CASE" "(m => m ? m.id + (m.deleted_ms ? ' deleted' : ' not deleted') : 'none')((c.messages || [])[1])")"
cases
if mc_until 20 'd.value && d.value.repliesCount === 2' $CIT status "$S_CIT"; then
    t_pass "6f Herald took the Delete: replies_count back to 2"
else
    t_fail "6f replies_count of city's post after the Delete: $(v 'd.value && d.value.repliesCount') after 20 s"
fi
t_eq "6e the status stays new (an edit or a delete is no new message)" "new new" "$(cq "[$A.status, $D.status].join(' ')")"

# ---------------------------------------------------------------- 7. answers through approval
ANS_A=$(answer "$A_CASE" "Thank you, a crew repairs the pothole on Elm Street this week.")
t_match "7a the answer to A is published by roads after appr's approval" "^$ROADS/" "$ANS_A"
ANS_B=$(answer "$B_CASE" "Flu vaccines are available at every clinic from Monday, no appointment needed.")
t_match "7b the answer to B is published by health" "^$HEALTH/" "$ANS_B"
ANS_C=$(answer "$C_CASE" "Your permit application 4711 was approved yesterday; the letter is on its way.")
t_match "7c the answer to C is published by service" "^$SERVICE/" "$ANS_C"
cases
t_eq "7d A, B and C answered; D still new" "answered answered answered new" "$(cq "[$A, $B, $CC, $D].map(c => c.status).join(' ')")"
t_eq "7e  each with its first answer on the desk's clock, before its deadline" "yes yes yes" \
    "$(cq "[$A, $B, $CC].map(c => c.first_answer_ms >= c.opened_ms && c.first_answer_ms < c.deadline_ms ? 'yes' : 'no').join(' ')")"

# the public answers reach the citizens
if mc_until 30 "d.value && d.value.descendants.some(s => s.uri === '$ANS_A')" $CIT context "$A_ID"; then
    t_pass "7f the citizen sees roads' answer below the reply (context)"
else
    t_fail "7f $ANS_A not in the context of the citizen's reply within 30 s: $(cut -c1-400 "$MC")"
fi
t_eq "7g  public, a reply to the citizen's message" "public $A_ID" \
    "$(v "(s => s ? s.visibility + ' ' + s.inReplyToId : 'none')(d.value && d.value.descendants.find(s => s.uri === '$ANS_A'))")"
mc $CIT notifications
t_eq "7h  and a mention notification from roads" "mention $ROADS" \
    "$(v "(n => n ? n.type + ' ' + n.account.uri : 'none')(d.value && d.value.find(n => n.status && n.status.uri === '$ANS_A'))")"
if mc_until 30 "d.value && d.value.descendants.some(s => s.uri === '$ANS_B')" $NEI context "$B_ID"; then
    t_pass "7i neighbour sees health's public answer to the mention"
else
    t_fail "7i $ANS_B not in the context of neighbour's mention within 30 s: $(cut -c1-400 "$MC")"
fi
t_eq "7j  public" public "$(v "(s => s ? s.visibility : 'none')(d.value && d.value.descendants.find(s => s.uri === '$ANS_B'))")"

# the direct answer reaches the citizen only
if mc_until 30 "d.value && d.value.some(c => c.lastStatus && c.lastStatus.uri === '$ANS_C')" $CIT conversations; then
    t_pass "7k the direct answer is the last status of the citizen's conversation"
else
    t_fail "7k $ANS_C not in the citizen's conversations within 30 s: $(cut -c1-400 "$MC")"
fi
t_eq "7l  direct, service among its participants" "direct yes" \
    "$(v "(c => c ? c.lastStatus.visibility + ' ' + (c.accounts.some(a => a.uri === '$SERVICE') ? 'yes' : 'no') : 'none')(d.value && d.value.find(c => c.lastStatus && c.lastStatus.uri === '$ANS_C'))")"
mc $CIT context "$C_ID"
t_eq "7m  below the direct message, as a direct reply" "direct $C_ID" \
    "$(v "(s => s ? s.visibility + ' ' + s.inReplyToId : 'none')(d.value && d.value.descendants.find(s => s.uri === '$ANS_C'))")"
if [ -n "$ANS_C" ]; then
    mc $NEI conversations
    t_eq "7n neighbour (a follower of service) has no conversation with it" no \
        "$(v "d.value && d.value.some(c => c.lastStatus && c.lastStatus.uri === '$ANS_C') ? 'yes' : 'no'")"
    mc $NEI notifications
    t_eq "7o  no notification of it" no "$(v "d.value && d.value.some(n => n.status && n.status.uri === '$ANS_C') ? 'yes' : 'no'")"
    mc $NEI home
    t_eq "7p  it is not in neighbour's home timeline" no "$(v "d.value && d.value.some(s => s.uri === '$ANS_C') ? 'yes' : 'no'")"
    sget() { curl -s --max-time 20 -G --data-urlencode "as=$1" --data-urlencode "url=$2" "$F_BASE/_control/fetch" | sed -n 's/.*"status":\([0-9]*\).*/\1/p'; }
    t_eq "7q  Herald serves it to a GET signed as the citizen" 200 "$(sget citizen "$ANS_C")"
    t_match "7r  but not to one signed as neighbour" '^(401|403|404|410)$' "$(sget neighbour "$ANS_C")"
    t_match "7s an unsigned GET of the direct answer is refused by Herald" '^(401|403|404|410)$' \
        "$(curl -s -o /dev/null -w '%{http_code}' -H 'Accept: application/activity+json' "$ANS_C")"
else
    t_fail "7n-7s not run: no direct answer was published"
fi

# a case is closed once answered
rc=0; h --as resp case close "$B_CASE" >/dev/null 2>"$T_DIR/close.err" || rc=$?
t_eq "7t resp closes the answered case B" "0 closed" "$rc $(cases; cq "$B.status")"
rc=0; h --as resp case close "$B_CASE" >/dev/null 2>"$T_DIR/close2.err" || rc=$?
t_eq "7u  closing it again: refused, exit 1" 1 "$rc"


# ---------------------------------------------------------------- 8. time moves
rc=0; h status >"$T_DIR/status1.out" 2>&1 || rc=$?
t_eq "8a herald status still exits 0 on the pinned Friday (nothing overdue yet)" 0 "$rc"
rc=0; HERALD_CLOCK_SHIFT=$LATER h status --json >"$T_DIR/status2.json" 2>"$T_DIR/status2.err" || rc=$?
t_eq "8b HERALD_CLOCK_SHIFT=$LATER herald status exits 3 (alarms up)" 3 "$rc"
AL="(Array.isArray(d) ? d : (d && d.alarms) || {filter: () => [{kind: 'no alarm list'}]})"
t_eq "8c  overdue_case: service, one case, D" "service 1 ${D_CASE:-case D}" \
    "$(jv "$T_DIR/status2.json" "$AL.filter(a => a.kind === 'overdue_case').map(a => [a.account, a.count, a.oldest].join(' ')).join('; ')")"
t_eq "8d  silent for health only (max_silence_days 3; the others have 14)" health \
    "$(jv "$T_DIR/status2.json" "$AL.filter(a => a.kind === 'silent').map(a => a.account).join(' ')")"
t_eq "8e  and no other alarm" "" "$(jv "$T_DIR/status2.json" "$AL.filter(a => !['overdue_case', 'silent'].includes(a.kind)).map(a => JSON.stringify(a)).join(' ')")"
rc=0; h status --bogus >/dev/null 2>"$T_DIR/status3.err" || rc=$?
t_eq "8f herald status with an unknown option: usage, exit 2" 2 "$rc"

# the server restarted on the moved clock: its watchdog flags D, the webhook gets case.overdue
h_stop
HERALD_CLOCK_SHIFT=$LATER h_serve "$H_DATA" "$H_PORT"
t_wait 30 grep -qs '"event": "case.overdue"' "$W_DIR"/[0-9]*.json || true
webhooks
t_eq "8g the webhook receiver got case.overdue for D" "${D_CASE:-case D}" \
    "$(jv "$T_DIR/webhooks.json" "d.filter(e => e.event === 'case.overdue').map(e => e.body && e.body.data && e.body.data.id).join(' ')")"
t_eq "8h every webhook delivery carries a valid HMAC-SHA256 signature" "yes" \
    "$(jv "$T_DIR/webhooks.json" "d.length > 0 && d.every(e => e.signature_ok) ? 'yes' : d.filter(e => !e.signature_ok).length + ' of ' + d.length + ' bad'")"
t_eq "8i  hand count: case.opened 4, case.answered 3, case.overdue 1 (nothing else subscribed)" \
    "case.answered=3 case.opened=4 case.overdue=1" \
    "$(jv "$T_DIR/webhooks.json" "Object.entries(d.reduce((m, e) => (m[e.event] = (m[e.event] || 0) + 1, m), {})).sort().map(([k, n]) => k + '=' + n).join(' ')")"
t_eq "8j  each event's case is a case of the hand count, and D's case.opened names its deadline" \
    "yes $(cq "$D.deadline_ms")" \
    "$(jv "$T_DIR/webhooks.json" "[d.every(e => ['$A_CASE', '$B_CASE', '$C_CASE', '$D_CASE'].includes(e.body && e.body.data && e.body.data.id)) ? 'yes' : 'no', (d.find(e => e.event === 'case.opened' && e.body.data.id === '$D_CASE') || {body: {data: {}}}).body.data.deadline_ms].join(' ')")"
cases
t_eq "8k D carries overdue_ms now" yes "$(cq "$D.overdue_ms ? 'yes' : 'no'")"

# ---------------------------------------------------------------- 9. the report against the hand count
FROM=$(date -u -d "$FRIDAY -1 day" +%Y-%m-%d) TO=$(date -u -d '+6 days' +%Y-%m-%d)
rc=0; HERALD_CLOCK_SHIFT=$LATER h --as admin report --from "$FROM" --to "$TO" --format json >"$T_DIR/report.json" 2>"$T_DIR/report.err" || rc=$?
t_eq "9a herald report --format json exits 0" 0 "$rc"
# fig ROWS NAME: the case figures of account (ROWS accounts) or department (departments) NAME:
# opened, answered, overdue, share answered within the deadline (docs/evaluation.md:
# within / due, due = answered or past the deadline)
fig() {
    jv "$T_DIR/report.json" "(r => (c => [c.opened, c.answered, c.overdue, c.share_within_deadline].join(' '))((r && r.cases) || {}))((d && d.$1 || []).find(x => (x.account || x.department) === '$2'))"
}
t_eq "9b city (the account written to): 4 opened, 3 answered, 1 overdue (D), 3 of 4 due within" "4 3 1 0.75" "$(fig accounts city)"
t_eq "9c department roads: 1 opened (A), 1 answered, 0 overdue, 1 of 1 within" "1 1 0 1" "$(fig departments roads)"
t_eq "9d department health: 1 opened (B), 1 answered, 0 overdue, 1 of 1 within" "1 1 0 1" "$(fig departments health)"
t_eq "9e department service: 2 opened (C, D), 1 answered, 1 overdue, 1 of 2 within" "2 1 1 0.5" "$(fig departments service)"

# ---------------------------------------------------------------- 10. /metrics
code=$(curl -s -o "$T_DIR/metrics.txt" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $METRICS_TOKEN" "$H_BASE/metrics" || true)
t_eq "10a /metrics with the token: 200" 200 "$code"
rc=0; $PY "$HERALD_TOOLS/promparse.py" <"$T_DIR/metrics.txt" >"$T_DIR/metrics.out" 2>"$T_DIR/metrics.err" || rc=$?
t_eq "10b it parses with prometheus_client's text-format parser" "0" "$rc$(head -c 300 "$T_DIR/metrics.err")"
t_eq "10c open (not closed) cases by department: roads 1 (A answered), health 0 (B closed), service 2 (C answered, D)" \
    "roads=1 health=0 service=2" \
    "$(for dep in roads health service; do printf '%s=%s ' "$dep" "$(sed -n "s/^herald_cases_open{department=$dep} //p" "$T_DIR/metrics.out" | grep . || echo 0)"; done | sed 's/ $//')"
t_eq "10d overdue cases: service 1 (D), nowhere else" "herald_cases_overdue{department=service} 1" \
    "$(grep '^herald_cases_overdue{' "$T_DIR/metrics.out" | grep -v ' 0$' | tr '\n' ' ' | sed 's/ $//')"
t_eq "10e the watchdog's alarms by kind: overdue_case 1, silent 1" "overdue_case=1 silent=1" \
    "$(sed -n 's/^herald_watchdog_alarms{kind=\([a-z_]*\)} \([1-9][0-9]*\)$/\1=\2/p' "$T_DIR/metrics.out" | sort | tr '\n' ' ' | sed 's/ $//')"
code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$H_BASE/metrics" || true)
t_match "10f /metrics without the token is refused" '^(401|403|404)$' "$code"

h_stop
t_done

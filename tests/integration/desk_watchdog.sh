#!/bin/bash
# tests/integration/desk_watchdog.sh - the desk settings and the watchdog through the real
# binary: herald status exits 0 with nothing up and 3 with an alarm (the desk's clock moved
# with HERALD_CLOCK_SHIFT): a silent account (and a longer max_silence_days clearing it),
# an unstaffed one (too few approvers, then its only editor disabled), a submitted draft
# waiting, deliveries failing at a host for a day (a follower whose server went away);
# GET /status and /desk/NAME through the admin API with a token; bad input to desk set and
# desk holidays refused with a clear error and nothing stored.
#
# Peer: 127.0.0.2 ann (its server is stopped after the Follow).
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
API=/api/herald/v1
FIX="$HERALD_SRC/tests/fixtures/desk"
H() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
# status [SHIFT] [--json]: herald status with the desk's clock moved; prints its output, then
# "exit=N" on the last line.
status() {
    local shift=$1 rc=0 out
    shift
    out=$(HERALD_CLOCK_SHIFT=$shift "$HERALD_BIN" --data "$H_DATA" status "$@" 2>&1) || rc=$?
    printf '%s\nexit=%s\n' "$out" "$rc"
}
api() { # api METHOD TOKEN PATH [BODY]: prints STATUS then the body
    local data=()
    [ $# -ge 4 ] && data=(--data "$4")
    curl -s -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $2" \
        -H 'Content-Type: application/json' "${data[@]}" "$H_BASE$API$3" |
        { b=$(cat); printf '%s\n%s\n' "${b##*$'\n'}" "${b%$'\n'*}"; }
}

h_start health agency
ME="$H_BASE/users/health"
for op in adm ed ap; do H operator add "$op" >/dev/null; done
H grant adm admin >/dev/null
H grant ed editor --account health >/dev/null
TOK_ADM=$(H token create adm 2>/dev/null)

# --- nothing up, then silence ---
H post health "Opening hours this week" >/dev/null
out=$(status "")
t_match "herald status exits 0 with nothing up" 'exit=0$' "$out"
t_match "and says so" 'no alarms' "$out"
out=$(status +15d)
t_match "15 days later herald status exits 3" 'exit=3$' "$out"
t_match "naming the silent account" "silent +health .*published nothing for 15 days" "$out"
json=$(status +15d --json | sed '$d')
t_eq "status --json: ok is false" false "$(t_jq .ok <<<"$json")"
t_eq "status --json: the alarm's kind" silent "$(t_jq '.alarms[0].kind' <<<"$json")"
t_eq "status --json: the alarm's account" health "$(t_jq '.alarms[0].account' <<<"$json")"
H desk set health max_silence_days 30 >/dev/null
t_match "a 30-day limit clears it" 'exit=0$' "$(status +15d)"

# --- a host failing for a day: a follower whose server went away ---
fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE P2_PID=$FP_PID
fp_actor "$P2_ROOT" "$P2" ann --no-shared-inbox
sc_as "$P2_ROOT" "$P2" ann "$ME/inbox" --body-text \
    "$(printf '{"@context":"%s","id":"%s/users/ann/follows/1","type":"Follow","actor":"%s/users/ann","object":"%s"}' \
        "$AS" "$P2" "$P2" "$ME")"
t_eq "ann's Follow accepted" 202 "$SC_STATUS"
t_wait 15 fp_has_posts "$P2_ROOT" Accept /users/ann/inbox "" 1 || t_fail "ann got no Accept"
kill "$P2_PID" && wait "$P2_PID" 2>/dev/null || true
H post health "A post ann's server will not take" >/dev/null
host_up() { status +2d --json | grep -q '"host_failing"'; }
t_wait 30 host_up || t_fail "no host_failing alarm"
out=$(status +2d)
t_match "two days on, deliveries failing at ann's host are an alarm" \
    'host_failing +127\.0\.0\.2.*deliveries to 127\.0\.0\.2.* have failed' "$out"
t_match "a failure of minutes is none" 'exit=0$' "$(status "")"

# --- unstaffed: too few approvers, then the only editor disabled ---
H account set health approvals 1 >/dev/null
out=$(status "")
t_match "one approval needed and no approver: exit 3" 'exit=3$' "$out"
t_match "unstaffed names the missing approver" "unstaffed +health .*1 approval.*0 active approvers" "$out"
H operator disable ed >/dev/null
out=$(status "")
t_match "the only editor disabled: unstaffed names the editor" \
    "unstaffed +health .*no active editor" "$out"
H operator add ed2 >/dev/null
H grant ed2 editor --account health >/dev/null
H grant ap approver --account health >/dev/null
t_match "an editor and an approver again: exit 0" 'exit=0$' "$(status "")"

# --- a submitted draft waiting past draft_wait_hours (48 by default) ---
H --as ed2 draft new health "Waiting for a second pair of eyes" --submit >/dev/null
t_match "a draft submitted just now is no alarm" 'exit=0$' "$(status "")"
out=$(status +3d)
t_match "three days on it is draft_waiting" "draft_waiting +health .*waited for approval" "$out"

# --- the admin API, on a server whose desk clock is three days ahead ---
h_stop
export HERALD_CLOCK_SHIFT=+3d
h_serve "$H_DATA" "$H_PORT"
unset HERALD_CLOCK_SHIFT
TOK_ED2=$(H token create ed2 2>/dev/null)
r=$(api GET "$TOK_ED2" /status)
t_eq "GET /status: 200 for any operator" 200 "${r%%$'\n'*}"
t_eq "GET /status: ok false" false "$(t_jq .ok <<<"${r#*$'\n'}")"
t_match "GET /status lists draft_waiting and host_failing" \
    '"draft_waiting".*"host_failing"' "${r#*$'\n'}"
r=$(curl -s -o /dev/null -w '%{http_code}' "$H_BASE$API/status")
t_eq "GET /status without a token: 401" 401 "$r"
r=$(api GET "$TOK_ADM" /desk/health)
t_eq "GET /desk/health: 200" 200 "${r%%$'\n'*}"
t_eq "GET /desk/health: the limit set" 30 "$(t_jq .settings.max_silence_days <<<"${r#*$'\n'}")"
r=$(api POST "$TOK_ADM" /desk/health '{"key":"deadline","value":"8h"}')
t_eq "POST /desk/health deadline 8h: 200" 200 "${r%%$'\n'*}"
t_eq "and it is set" 8h "$(H desk show health --json | t_jq .settings.deadline)"
r=$(api POST "$TOK_ADM" /desk/health '{"key":"deadline","value":"9x"}')
t_eq "POST /desk/health bad deadline: 422" 422 "${r%%$'\n'*}"
t_match "with a clear message" 'working days' "${r#*$'\n'}"
r=$(api POST "$TOK_ED2" /desk/health '{"key":"ack","value":"on"}')
t_eq "an editor cannot change the desk: 403" 403 "${r%%$'\n'*}"
shown=$(H desk show health --json)
t_eq "neither changed the deadline" 8h "$(t_jq .settings.deadline <<<"$shown")"
t_eq "nor the acknowledgement" false "$(t_jq .settings.ack <<<"$shown")"
r=$(api POST "$TOK_ADM" /desk/health/holidays '{"ics":"Date,Holiday\n2027-01-01,New Year\n"}')
t_eq "POST holidays that are not iCalendar: 422" 422 "${r%%$'\n'*}"
t_eq "and nothing stored" "" "$(H desk holidays health list)"
ics=$(sed 's/\r$//' "$FIX/holidays.ics" | awk '{printf "%s\\r\\n", $0}')
r=$(api POST "$TOK_ADM" /desk/health/holidays "{\"ics\":\"$ics\"}")
t_eq "POST an iCalendar file: 200" 200 "${r%%$'\n'*}"
t_match "Christmas is a holiday now" '2026-12-25  Weihnachten' "$(H desk holidays health list)"
h_stop

# --- bad input on the command line: a clear error, exit 1, nothing stored ---
before=$(H desk show health --json)
for bad in "deadline 0d" "deadline 61d" "timezone Mars/Olympus" "weekdays funday" \
    "hours 17:00-09:00" "ack maybe" "max_silence_days 0" "draft_wait_hours 721" \
    "department nobody" "colour red"; do
    # shellcheck disable=SC2086
    out=$(H desk set health $bad 2>&1) && t_fail "desk set health $bad succeeded"
    t_match "desk set health $bad: a clear error" '^herald: .+' "$out"
done
t_eq "refused settings changed nothing" "$before" "$(H desk show health --json)"
out=$(H desk set health ack_text "Case {nummer}" 2>&1) && t_fail "a bad placeholder passed"
t_match "ack_text names its placeholders" '\{case\} and \{deadline\}' "$out"
H desk holidays health clear >/dev/null
out=$(H desk holidays health import "$FIX/not-ics.csv" 2>&1) && t_fail "a CSV file imported"
t_match "a CSV file is not iCalendar" 'not an iCalendar file.*nothing imported' "$out"
out=$(H desk holidays health import "$FIX/broken.ics" 2>&1) && t_fail "a broken file imported"
t_match "a broken date refuses the whole file" 'nothing imported' "$out"
t_eq "nothing stored from either" "" "$(H desk holidays health list)"
out=$(H desk holidays health import "$T_DIR/missing.ics" 2>&1) && t_fail "a missing file imported"
t_match "a missing file: a clear error" 'cannot read' "$out"
rc=0; H desk set health deadline >/dev/null 2>&1 || rc=$?
t_eq "desk set without a value: usage, exit 2" 2 "$rc"
rc=0; H status --verbose >/dev/null 2>&1 || rc=$?
t_eq "status with an unknown option: usage, exit 2" 2 "$rc"
rc=0; H --as nobody status >/dev/null 2>&1 || rc=$?
t_eq "status for an unknown operator: exit 1" 1 "$rc"

t_done

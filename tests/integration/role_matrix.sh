#!/bin/bash
# tests/integration/role_matrix.sh - the role matrix, walked whole: every endpoint of
# server/admin.c's route table x every role x own/other account, each call asserted
# allowed or 403, and every refused call shown to have changed nothing (audit log length,
# herald stats, drafts, operators, tokens, accounts). The same case table then runs through
# the CLI (herald --as ROLE ...), and each case must get the same verdict from both faces:
# both ask the one authorization table (agency/authz.c). Then: 401 for no / garbage / revoked /
# disabled-operator tokens on every route (the public audit head excepted), edits,
# deletions and boosts (same roles; edits and deletions only of the account's own posts),
# hand-over refusal, four-eyes cases beyond one role per person, and last the per-address
# limit on failed authentications (it blocks that address for a minute).
# The citizen desk (issue #12) is in the same table: cases (list, show, assign, answer,
# close, reopen) on a case of each account, routes, desk settings and holidays, status,
# reports and webhooks; a list of cases answers 200 to everyone and shows only the cases
# the caller may read (the sixth column: how many).
#
# Cast: account "own" (agency, 1 approval) and "other" (department, 1 approval by its kind).
# Operators named after their role, each holding it on "own" only: admin editor approver
# responder auditor; "gadmin" holds admin instance-wide; "nobody" holds nothing.
# "oresp" answers other's cases (the assignee there). A citizen on a test peer (127.0.0.2)
# wrote one direct message to both accounts: case CASE[own] and CASE[other].
. "$(dirname "$0")/../harness/lib.sh"
# one call may create an account (RSA key generation): slow under valgrind
CURL_MAX=10
[ "${HERALD_VALGRIND:-0}" = 1 ] && CURL_MAX=120

H_APPROVALS=1 h_start own agency
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
rev() { h draft show "$1" | t_jq .rev_sha256; } # the revision an approver read
declare -A REV_FIX # the revisions of the long-lived submitted drafts (refused calls keep them)
rev_of() { if [ -n "${REV_FIX[$1]:-}" ]; then echo "${REV_FIX[$1]}"; else rev "$1"; fi; }
API="$H_BASE/api/herald/v1"
h account add other --kind department --parent own >/dev/null

ROLES="admin editor approver responder auditor"
declare -A TOK
for r in $ROLES; do
    h operator add "$r" >/dev/null
    h grant "$r" "$r" --account own >/dev/null
done
h operator add gadmin >/dev/null
h grant gadmin admin >/dev/null
h operator add nobody >/dev/null
h operator add spare >/dev/null # the harmless target of refused operator/token calls
h operator add oresp >/dev/null
h grant oresp responder --account other >/dev/null
for r in $ROLES gadmin nobody; do TOK[$r]=$(h token create "$r" 2>/dev/null); done
SPARE_TOK_ID=$(h token create spare 2>&1 >/dev/null | awk '{ print $2 }')

# ---- calling the API ----
# call_args SRC-ADDR TOKEN METHOD PATH BODY OUTFILE: appends one transfer to CURL_ARGS.
call_args() {
    local src=$1 tok=$2 m=$3 p=$4 body=$5 out=$6 empty='{}'
    CURL_ARGS+=(-s -o "$out" --max-time "$CURL_MAX" --interface "$src" -X "$m")
    case $tok in
    "") ;;
    H:*) CURL_ARGS+=(-H "${tok#H:}") ;; # a raw header instead of a bearer token
    *) CURL_ARGS+=(-H "Authorization: Bearer $tok") ;;
    esac
    if [ "$m" = POST ]; then
        CURL_ARGS+=(-H 'Content-Type: application/json' --data-binary "${body:-$empty}")
    fi
    CURL_ARGS+=("$API$p")
}
# api SRC-ADDR TOKEN METHOD PATH [BODY]: prints the status; the body lands in $T_DIR/resp.
api() {
    CURL_ARGS=(-w '%{http_code}')
    call_args "$1" "$2" "$3" "$4" "${5:-}" "$T_DIR/resp"
    curl "${CURL_ARGS[@]}" || true
}
RESP=$T_DIR/resp # the answer to the last call

# Failed authentications are limited per client address (10 a minute): the calls meant to
# fail come from 127.0.0.10, .11, ... at most 9 each (next_src sets SRC), so only the last
# section trips the limit. Everything else comes from 127.0.0.1 with good tokens.
FAILS=0
next_src() { SRC="127.0.0.$((10 + FAILS / 9))"; FAILS=$((FAILS + 1)); }

# ---- refused calls change nothing ----
# Around every refused call the API view of the state is read (gadmin's token): the audit
# chain's length and verdict, every draft, operator (with roles), token and account, the
# cases, routes and webhooks and both accounts' desk settings. Around
# each batch of consecutive refused calls the CLI view too: herald audit verify, herald
# stats --json, herald draft list. One curl process runs a whole batch (the machine is
# small; a process per request would not fit the time budget).
SNAP_PATHS=(/audit/verify /drafts /operators /tokens /accounts /cases /routes /webhooks /desk/own
    /desk/other)
snap_args() { # PREFIX: the transfers of one API snapshot, into PREFIX.0 ...
    local i
    for i in "${!SNAP_PATHS[@]}"; do
        if [ "${#CURL_ARGS[@]}" -gt 0 ]; then CURL_ARGS+=(--next); fi
        call_args 127.0.0.1 "${TOK[gadmin]}" GET "${SNAP_PATHS[i]}" "" "$1.$i"
    done
}
read_snap() { # PREFIX -> SNAP
    local i part
    SNAP=
    for i in "${!SNAP_PATHS[@]}"; do
        part="(missing)"
        [ -e "$1.$i" ] && { IFS= read -r -d '' part <"$1.$i" || true; }
        SNAP+="${SNAP_PATHS[i]} $part"$'\n'
    done
}
cli_snapshot() {
    h audit verify
    h stats --json
    h draft list
}
DIRTY=1 CLI_BEFORE= BATCH=0
Q_WHAT=() Q_WANT=() Q_SRC=() Q_TOK=() Q_M=() Q_P=() Q_B=() Q_KEY=()
declare -A API_SEEN # table line -> the status the API gave (for the CLI runner to agree with)
CUR_KEY=
# queue_refused WHAT EXPECTED SRC TOKEN METHOD PATH [BODY]: EXPECTED is the refusal (401,
# 403, 404); the batch runs when 24 are queued or at flush_refused. The answer must carry
# the error code of its status (server/admin.c: 401 unauthorized, 403 forbidden, ...).
queue_refused() {
    Q_WHAT+=("$1") Q_WANT+=("$2") Q_SRC+=("$3") Q_TOK+=("$4") Q_M+=("$5") Q_P+=("$6")
    Q_B+=("${7:-}") Q_KEY+=("$CUR_KEY")
    if [ "${#Q_WHAT[@]}" -ge 24 ]; then flush_refused; fi
}
declare -A ERROR_CODE=([400]=bad_request [401]=unauthorized [403]=forbidden [404]=not_found
    [422]=invalid [429]=rate_limited)
# error_code_is WHAT STATUS FILE: FILE is {"error": the code of STATUS, ...} (409: two codes)
error_code_is() {
    local code=${ERROR_CODE[$2]:-} body=
    [ -n "$code" ] || return 0
    [ -e "$3" ] && { IFS= read -r -d '' body <"$3" || true; }
    if [[ $body == *"\"error\":\"$code\""* ]]; then t_pass "$1: error $code"; else
        t_fail "$1: want error $code, got: ${body:0:200}"
    fi
}
flush_refused() {
    local n=${#Q_WHAT[@]} i prev cli statuses=()
    [ "$n" -gt 0 ] || return 0
    BATCH=$((BATCH + 1))
    if [ "$DIRTY" = 1 ]; then CLI_BEFORE=$(cli_snapshot 2>&1); DIRTY=0; fi
    rm -f "$T_DIR"/snap.* "$T_DIR"/resp.*
    CURL_ARGS=()
    snap_args "$T_DIR/snap.0"
    for ((i = 0; i < n; i++)); do
        CURL_ARGS+=(--next -w '%{http_code}\n')
        call_args "${Q_SRC[i]}" "${Q_TOK[i]}" "${Q_M[i]}" "${Q_P[i]}" "${Q_B[i]}" "$T_DIR/resp.$i"
        snap_args "$T_DIR/snap.$((i + 1))"
    done
    mapfile -t statuses < <(curl "${CURL_ARGS[@]}" || true)
    read_snap "$T_DIR/snap.0"
    prev=$SNAP
    for ((i = 0; i < n; i++)); do
        t_eq "${Q_WHAT[i]}" "${Q_WANT[i]}" "${statuses[i]:-000}"
        error_code_is "${Q_WHAT[i]}" "${Q_WANT[i]}" "$T_DIR/resp.$i"
        if [ -n "${Q_KEY[i]}" ]; then API_SEEN[${Q_KEY[i]}]=${statuses[i]:-000}; fi
        read_snap "$T_DIR/snap.$((i + 1))"
        if [ "$SNAP" = "$prev" ]; then
            t_pass "${Q_WHAT[i]}: changed nothing"
        else
            t_fail "${Q_WHAT[i]}: a refused call changed state: $(diff <(printf '%s' "$prev") \
                <(printf '%s' "$SNAP") | head -c 600 | tr '\n' ' ')"
        fi
        prev=$SNAP
    done
    RESP=$T_DIR/resp.$((n - 1))
    cli=$(cli_snapshot 2>&1)
    if [ "$cli" = "$CLI_BEFORE" ]; then
        t_pass "batch $BATCH ($n refused call(s)): herald audit verify, stats, draft list unchanged"
    else
        t_fail "batch $BATCH: herald audit verify/stats/draft list changed: $(diff \
            <(printf '%s\n' "$CLI_BEFORE") <(printf '%s\n' "$cli") | head -c 600 | tr '\n' ' ')"
        CLI_BEFORE=$cli
    fi
    Q_WHAT=() Q_WANT=() Q_SRC=() Q_TOK=() Q_M=() Q_P=() Q_B=() Q_KEY=()
}
# refused_call WHAT EXPECTED SRC TOKEN METHOD PATH [BODY]: one refused call, checked now.
refused_call() {
    queue_refused "$@"
    flush_refused
}
# allowed_call WHAT EXPECTED SRC TOKEN METHOD PATH [BODY]
allowed_call() {
    local what=$1 want=$2 st
    shift 2
    flush_refused
    st=$(api "$@")
    RESP=$T_DIR/resp
    DIRTY=1
    if [ -n "$CUR_KEY" ]; then API_SEEN[$CUR_KEY]=$st; fi
    t_eq "$what" "$want" "$st"
    if [ "$st" != "$want" ]; then echo "  response: $(head -c 300 "$RESP")" >&2; fi
}

# ---- fixtures ----
N=0
# new_draft ACCOUNT [--submit]: a draft's id. On "own" written by editor, on "other" by the
# local shell user (nobody in the cast may write there).
new_draft() {
    local as=()
    N=$((N + 1))
    [ "$1" = own ] && as=(--as editor)
    h "${as[@]}" draft new "$1" "matrix fixture $N on $1" ${2:-} | cut -d' ' -f1
}
declare -A D_DRAFT D_SUB
for a in own other; do
    D_DRAFT[$a]=$(new_draft "$a")         # stays in state draft: target of refused edits...
    D_SUB[$a]=$(new_draft "$a" --submit)  # stays submitted: target of refused approvals
done
t_eq "fixtures: draft on own" draft "$(h draft show "${D_DRAFT[own]}" | t_jq .state)"
t_eq "fixtures: submitted draft on other" submitted "$(h draft show "${D_SUB[other]}" | t_jq .state)"
for a in own other; do REV_FIX[${D_SUB[$a]}]=$(rev "${D_SUB[$a]}"); done

# the desk's fixtures: one signed direct message to both accounts opens a case in each
# (the citizen's key is a fixture: no key generation), a route, a webhook (to the test
# peer, for an event that never comes here), a holiday calendar
AS='https://www.w3.org/ns/activitystreams'
fp_start 127.0.0.2 citizen
CIT_ROOT=$FP_ROOT CIT=$FP_BASE
fp_actor "$CIT_ROOT" "$CIT" ann --key "$HERALD_SRC/tests/fixtures/keys/rsa2048.pem"
mkdir -p "$CIT_ROOT/.well-known" # an answer mentions the citizen: WebFinger finds them
printf '{"subject":"acct:ann@%s","links":[{"rel":"self","type":"application/activity+json","href":"%s"}]}' \
    "${CIT#http://}" "$CIT/users/ann" >"$CIT_ROOT/.well-known/webfinger.json"
ANN="$CIT/users/ann" TO="[\"$H_BASE/users/own\",\"$H_BASE/users/other\"]"
sc_as "$CIT_ROOT" "$CIT" ann "$H_BASE/inbox" --body-text \
    "{\"@context\":\"$AS\",\"id\":\"$ANN/statuses/1/Create\",\"type\":\"Create\",\"actor\":\"$ANN\",\"to\":$TO,\"object\":{\"id\":\"$ANN/statuses/1\",\"type\":\"Note\",\"attributedTo\":\"$ANN\",\"to\":$TO,\"cc\":[],\"content\":\"<p>Where is my permit?</p>\"}}"
t_eq "fixtures: the citizen's message is accepted" 202 "$SC_STATUS"
declare -A CASE
for a in own other; do CASE[$a]=$(h case list --account "$a" --json | t_jq '.[0].id'); done
t_match "fixtures: a case on each account" '^c[0-9]+ c[0-9]+$' "${CASE[own]} ${CASE[other]}"
R_FIX=$(h route add --department other --keyword matrixfixture | cut -d: -f1)
HOOK_URL="$CIT/hook"
HOOK_FIX=$(h webhook add "$HOOK_URL" --events case.overdue | awk 'NR == 1 { print $2 }')
t_match "fixtures: a route and a webhook" '^r[0-9]+ wh[0-9]+$' "$R_FIX $HOOK_FIX"
ICS='BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Herald tests//matrix//EN\r\nBEGIN:VEVENT\r\nUID:matrix@example\r\nDTSTAMP:20261201T000000Z\r\nDTSTART;VALUE=DATE:20270101\r\nSUMMARY:Matrix day\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n'
printf "$ICS" >"$T_DIR/holidays.ics"

# ---- the expectation table ----
# One line per case: METHOD PATH ROLE ACCOUNT EXPECTED-STATUS (ACCOUNT "-": none applies),
# and for GET /cases the number of cases the list shows that role.
# Derived from server/admin.c and agency/drafts.c, strict where four eyes demand it:
#  - /me, /accounts (GET), /posts, /audit/head: any valid token (the outbox is public anyway)
#  - POST /accounts, everything under /operators and /tokens, GET /drafts without an
#    account, /audit and /audit/verify: instance-wide admin (GET /operators, /audit: or
#    instance-wide auditor); a per-account admin or auditor is refused
#  - POST /accounts/NAME/policy and /profile: admin on NAME or instance-wide
#  - reading drafts of an account: admin, editor, approver or auditor on it (not responder)
#  - writing drafts (new, edit, submit, withdraw): editor on the draft's account, nobody else
#    (not even an instance-wide admin); approve/reject: approver on it, never the author
# Placeholders in PATH, for an allowed call / a refused call:
#  {acct}  ACCOUNT
#  {draft} a fresh draft (state draft) on ACCOUNT for an allowed POST / the long-lived one
#  {sub}   a fresh submitted draft on ACCOUNT for an allowed POST / the long-lived one
#  {op}    disable: a fresh operator / "spare";  grant: "spare" / the caller itself (it tries
#          to give itself the approver role);  revoke: "spare" holding approver / operator
#          "approver" (sabotage of a colleague)
#  {tok}   a fresh token of spare / spare's standing token
#  {case}  the case on ACCOUNT (close and reopen alternate, so each allowed one finds it
#          open or closed as it needs)
#  {route} {hook}  a fresh route / webhook made by the shell user / the long-lived one
#          (test: always the long-lived webhook)
# Bodies: POST /tokens asks for a token of gadmin (its own when gadmin calls: allowed;
# an escalation for everyone else); POST /drafts names ACCOUNT; grant/revoke name role approver on ACCOUNT;
# policy sets approvals 1 (what both accounts already need); assign names the responder of
# the case's department; POST /routes routes a keyword to own; POST /desk sets
# max_silence_days; a holiday import is one all-day date; POST /webhooks wants case.overdue.
# The desk's rows follow agency/authz.c's rows case.*, route.*, desk.settings, status.read,
# report.read and webhook.*; the desk settings and holidays are shown also to whoever may
# read the account's cases (agency/desk.c, holidays.c).
MATRIX=$(cat <<'TABLE'
# METHOD PATH                          ROLE       ACCOUNT EXPECTED
GET   /me                              admin      -      200
GET   /me                              editor     -      200
GET   /me                              approver   -      200
GET   /me                              responder  -      200
GET   /me                              auditor    -      200
GET   /me                              gadmin     -      200
GET   /me                              nobody     -      200
GET   /accounts                        admin      -      200
GET   /accounts                        editor     -      200
GET   /accounts                        approver   -      200
GET   /accounts                        responder  -      200
GET   /accounts                        auditor    -      200
GET   /accounts                        gadmin     -      200
GET   /accounts                        nobody     -      200
POST  /accounts                        admin      -      403
POST  /accounts                        editor     -      403
POST  /accounts                        approver   -      403
POST  /accounts                        responder  -      403
POST  /accounts                        auditor    -      403
POST  /accounts                        gadmin     -      201
POST  /accounts                        nobody     -      403
POST  /accounts/{acct}/policy          admin      own    200
POST  /accounts/{acct}/policy          editor     own    403
POST  /accounts/{acct}/policy          approver   own    403
POST  /accounts/{acct}/policy          responder  own    403
POST  /accounts/{acct}/policy          auditor    own    403
POST  /accounts/{acct}/policy          gadmin     own    200
POST  /accounts/{acct}/policy          nobody     own    403
POST  /accounts/{acct}/policy          admin      other  403
POST  /accounts/{acct}/policy          editor     other  403
POST  /accounts/{acct}/policy          approver   other  403
POST  /accounts/{acct}/policy          responder  other  403
POST  /accounts/{acct}/policy          auditor    other  403
POST  /accounts/{acct}/policy          gadmin     other  200
POST  /accounts/{acct}/policy          nobody     other  403
POST  /accounts/{acct}/profile         admin      own    200
POST  /accounts/{acct}/profile         editor     own    403
POST  /accounts/{acct}/profile         approver   own    403
POST  /accounts/{acct}/profile         responder  own    403
POST  /accounts/{acct}/profile         auditor    own    403
POST  /accounts/{acct}/profile         gadmin     own    200
POST  /accounts/{acct}/profile         nobody     own    403
POST  /accounts/{acct}/profile         admin      other  403
POST  /accounts/{acct}/profile         editor     other  403
POST  /accounts/{acct}/profile         approver   other  403
POST  /accounts/{acct}/profile         responder  other  403
POST  /accounts/{acct}/profile         auditor    other  403
POST  /accounts/{acct}/profile         gadmin     other  200
POST  /accounts/{acct}/profile         nobody     other  403
GET   /operators                       admin      -      403
GET   /operators                       editor     -      403
GET   /operators                       approver   -      403
GET   /operators                       responder  -      403
GET   /operators                       auditor    -      403
GET   /operators                       gadmin     -      200
GET   /operators                       nobody     -      403
POST  /operators                       admin      -      403
POST  /operators                       editor     -      403
POST  /operators                       approver   -      403
POST  /operators                       responder  -      403
POST  /operators                       auditor    -      403
POST  /operators                       gadmin     -      201
POST  /operators                       nobody     -      403
POST  /operators/{op}/disable          admin      -      403
POST  /operators/{op}/disable          editor     -      403
POST  /operators/{op}/disable          approver   -      403
POST  /operators/{op}/disable          responder  -      403
POST  /operators/{op}/disable          auditor    -      403
POST  /operators/{op}/disable          gadmin     -      200
POST  /operators/{op}/disable          nobody     -      403
POST  /operators/{op}/grant            admin      own    403
POST  /operators/{op}/grant            editor     own    403
POST  /operators/{op}/grant            approver   own    403
POST  /operators/{op}/grant            responder  own    403
POST  /operators/{op}/grant            auditor    own    403
POST  /operators/{op}/grant            gadmin     own    200
POST  /operators/{op}/grant            nobody     own    403
POST  /operators/{op}/grant            admin      other  403
POST  /operators/{op}/grant            editor     other  403
POST  /operators/{op}/grant            approver   other  403
POST  /operators/{op}/grant            responder  other  403
POST  /operators/{op}/grant            auditor    other  403
POST  /operators/{op}/grant            gadmin     other  200
POST  /operators/{op}/grant            nobody     other  403
POST  /operators/{op}/revoke           admin      own    403
POST  /operators/{op}/revoke           editor     own    403
POST  /operators/{op}/revoke           approver   own    403
POST  /operators/{op}/revoke           responder  own    403
POST  /operators/{op}/revoke           auditor    own    403
POST  /operators/{op}/revoke           gadmin     own    200
POST  /operators/{op}/revoke           nobody     own    403
POST  /operators/{op}/revoke           admin      other  403
POST  /operators/{op}/revoke           editor     other  403
POST  /operators/{op}/revoke           approver   other  403
POST  /operators/{op}/revoke           responder  other  403
POST  /operators/{op}/revoke           auditor    other  403
POST  /operators/{op}/revoke           gadmin     other  200
POST  /operators/{op}/revoke           nobody     other  403
GET   /tokens                          admin      -      403
GET   /tokens                          editor     -      403
GET   /tokens                          approver   -      403
GET   /tokens                          responder  -      403
GET   /tokens                          auditor    -      403
GET   /tokens                          gadmin     -      200
GET   /tokens                          nobody     -      403
POST  /tokens                          admin      -      403
POST  /tokens                          editor     -      403
POST  /tokens                          approver   -      403
POST  /tokens                          responder  -      403
POST  /tokens                          auditor    -      403
POST  /tokens                          gadmin     -      201
POST  /tokens                          nobody     -      403
POST  /tokens/{tok}/revoke             admin      -      403
POST  /tokens/{tok}/revoke             editor     -      403
POST  /tokens/{tok}/revoke             approver   -      403
POST  /tokens/{tok}/revoke             responder  -      403
POST  /tokens/{tok}/revoke             auditor    -      403
POST  /tokens/{tok}/revoke             gadmin     -      200
POST  /tokens/{tok}/revoke             nobody     -      403
GET   /drafts                          admin      -      403
GET   /drafts                          editor     -      403
GET   /drafts                          approver   -      403
GET   /drafts                          responder  -      403
GET   /drafts                          auditor    -      403
GET   /drafts                          gadmin     -      200
GET   /drafts                          nobody     -      403
GET   /drafts?account={acct}           admin      own    200
GET   /drafts?account={acct}           editor     own    200
GET   /drafts?account={acct}           approver   own    200
GET   /drafts?account={acct}           responder  own    403
GET   /drafts?account={acct}           auditor    own    200
GET   /drafts?account={acct}           gadmin     own    200
GET   /drafts?account={acct}           nobody     own    403
GET   /drafts?account={acct}           admin      other  403
GET   /drafts?account={acct}           editor     other  403
GET   /drafts?account={acct}           approver   other  403
GET   /drafts?account={acct}           responder  other  403
GET   /drafts?account={acct}           auditor    other  403
GET   /drafts?account={acct}           gadmin     other  200
GET   /drafts?account={acct}           nobody     other  403
POST  /drafts                          admin      own    403
POST  /drafts                          editor     own    201
POST  /drafts                          approver   own    403
POST  /drafts                          responder  own    403
POST  /drafts                          auditor    own    403
POST  /drafts                          gadmin     own    403
POST  /drafts                          nobody     own    403
POST  /drafts                          admin      other  403
POST  /drafts                          editor     other  403
POST  /drafts                          approver   other  403
POST  /drafts                          responder  other  403
POST  /drafts                          auditor    other  403
POST  /drafts                          gadmin     other  403
POST  /drafts                          nobody     other  403
GET   /drafts/{draft}                  admin      own    200
GET   /drafts/{draft}                  editor     own    200
GET   /drafts/{draft}                  approver   own    200
GET   /drafts/{draft}                  responder  own    403
GET   /drafts/{draft}                  auditor    own    200
GET   /drafts/{draft}                  gadmin     own    200
GET   /drafts/{draft}                  nobody     own    403
GET   /drafts/{draft}                  admin      other  403
GET   /drafts/{draft}                  editor     other  403
GET   /drafts/{draft}                  approver   other  403
GET   /drafts/{draft}                  responder  other  403
GET   /drafts/{draft}                  auditor    other  403
GET   /drafts/{draft}                  gadmin     other  200
GET   /drafts/{draft}                  nobody     other  403
POST  /drafts/{draft}/edit             admin      own    403
POST  /drafts/{draft}/edit             editor     own    200
POST  /drafts/{draft}/edit             approver   own    403
POST  /drafts/{draft}/edit             responder  own    403
POST  /drafts/{draft}/edit             auditor    own    403
POST  /drafts/{draft}/edit             gadmin     own    403
POST  /drafts/{draft}/edit             nobody     own    403
POST  /drafts/{draft}/edit             admin      other  403
POST  /drafts/{draft}/edit             editor     other  403
POST  /drafts/{draft}/edit             approver   other  403
POST  /drafts/{draft}/edit             responder  other  403
POST  /drafts/{draft}/edit             auditor    other  403
POST  /drafts/{draft}/edit             gadmin     other  403
POST  /drafts/{draft}/edit             nobody     other  403
POST  /drafts/{draft}/submit           admin      own    403
POST  /drafts/{draft}/submit           editor     own    200
POST  /drafts/{draft}/submit           approver   own    403
POST  /drafts/{draft}/submit           responder  own    403
POST  /drafts/{draft}/submit           auditor    own    403
POST  /drafts/{draft}/submit           gadmin     own    403
POST  /drafts/{draft}/submit           nobody     own    403
POST  /drafts/{draft}/submit           admin      other  403
POST  /drafts/{draft}/submit           editor     other  403
POST  /drafts/{draft}/submit           approver   other  403
POST  /drafts/{draft}/submit           responder  other  403
POST  /drafts/{draft}/submit           auditor    other  403
POST  /drafts/{draft}/submit           gadmin     other  403
POST  /drafts/{draft}/submit           nobody     other  403
POST  /drafts/{sub}/approve            admin      own    403
POST  /drafts/{sub}/approve            editor     own    403
POST  /drafts/{sub}/approve            approver   own    200
POST  /drafts/{sub}/approve            responder  own    403
POST  /drafts/{sub}/approve            auditor    own    403
POST  /drafts/{sub}/approve            gadmin     own    403
POST  /drafts/{sub}/approve            nobody     own    403
POST  /drafts/{sub}/approve            admin      other  403
POST  /drafts/{sub}/approve            editor     other  403
POST  /drafts/{sub}/approve            approver   other  403
POST  /drafts/{sub}/approve            responder  other  403
POST  /drafts/{sub}/approve            auditor    other  403
POST  /drafts/{sub}/approve            gadmin     other  403
POST  /drafts/{sub}/approve            nobody     other  403
POST  /drafts/{sub}/reject             admin      own    403
POST  /drafts/{sub}/reject             editor     own    403
POST  /drafts/{sub}/reject             approver   own    200
POST  /drafts/{sub}/reject             responder  own    403
POST  /drafts/{sub}/reject             auditor    own    403
POST  /drafts/{sub}/reject             gadmin     own    403
POST  /drafts/{sub}/reject             nobody     own    403
POST  /drafts/{sub}/reject             admin      other  403
POST  /drafts/{sub}/reject             editor     other  403
POST  /drafts/{sub}/reject             approver   other  403
POST  /drafts/{sub}/reject             responder  other  403
POST  /drafts/{sub}/reject             auditor    other  403
POST  /drafts/{sub}/reject             gadmin     other  403
POST  /drafts/{sub}/reject             nobody     other  403
POST  /drafts/{draft}/withdraw         admin      own    403
POST  /drafts/{draft}/withdraw         editor     own    200
POST  /drafts/{draft}/withdraw         approver   own    403
POST  /drafts/{draft}/withdraw         responder  own    403
POST  /drafts/{draft}/withdraw         auditor    own    403
POST  /drafts/{draft}/withdraw         gadmin     own    403
POST  /drafts/{draft}/withdraw         nobody     own    403
POST  /drafts/{draft}/withdraw         admin      other  403
POST  /drafts/{draft}/withdraw         editor     other  403
POST  /drafts/{draft}/withdraw         approver   other  403
POST  /drafts/{draft}/withdraw         responder  other  403
POST  /drafts/{draft}/withdraw         auditor    other  403
POST  /drafts/{draft}/withdraw         gadmin     other  403
POST  /drafts/{draft}/withdraw         nobody     other  403
GET   /posts?account={acct}            admin      own    200
GET   /posts?account={acct}            editor     own    200
GET   /posts?account={acct}            approver   own    200
GET   /posts?account={acct}            responder  own    200
GET   /posts?account={acct}            auditor    own    200
GET   /posts?account={acct}            gadmin     own    200
GET   /posts?account={acct}            nobody     own    200
GET   /posts?account={acct}            admin      other  200
GET   /posts?account={acct}            editor     other  200
GET   /posts?account={acct}            approver   other  200
GET   /posts?account={acct}            responder  other  200
GET   /posts?account={acct}            auditor    other  200
GET   /posts?account={acct}            gadmin     other  200
GET   /posts?account={acct}            nobody     other  200
GET   /audit                           admin      -      403
GET   /audit                           editor     -      403
GET   /audit                           approver   -      403
GET   /audit                           responder  -      403
GET   /audit                           auditor    -      403
GET   /audit                           gadmin     -      200
GET   /audit                           nobody     -      403
GET   /audit?account={acct}            admin      own    403
GET   /audit?account={acct}            editor     own    403
GET   /audit?account={acct}            approver   own    403
GET   /audit?account={acct}            responder  own    403
GET   /audit?account={acct}            auditor    own    403
GET   /audit?account={acct}            gadmin     own    200
GET   /audit?account={acct}            nobody     own    403
GET   /audit?account={acct}            admin      other  403
GET   /audit?account={acct}            editor     other  403
GET   /audit?account={acct}            approver   other  403
GET   /audit?account={acct}            responder  other  403
GET   /audit?account={acct}            auditor    other  403
GET   /audit?account={acct}            gadmin     other  200
GET   /audit?account={acct}            nobody     other  403
GET   /audit/verify                    admin      -      403
GET   /audit/verify                    editor     -      403
GET   /audit/verify                    approver   -      403
GET   /audit/verify                    responder  -      403
GET   /audit/verify                    auditor    -      403
GET   /audit/verify                    gadmin     -      200
GET   /audit/verify                    nobody     -      403
GET   /audit/head                      admin      -      200
GET   /audit/head                      editor     -      200
GET   /audit/head                      approver   -      200
GET   /audit/head                      responder  -      200
GET   /audit/head                      auditor    -      200
GET   /audit/head                      gadmin     -      200
GET   /audit/head                      nobody     -      200
GET   /cases                           admin      -      200 1
GET   /cases                           editor     -      200 0
GET   /cases                           approver   -      200 0
GET   /cases                           responder  -      200 1
GET   /cases                           auditor    -      200 1
GET   /cases                           gadmin     -      200 2
GET   /cases                           nobody     -      200 0
GET   /cases/{case}                    admin      own    200
GET   /cases/{case}                    editor     own    403
GET   /cases/{case}                    approver   own    403
GET   /cases/{case}                    responder  own    200
GET   /cases/{case}                    auditor    own    200
GET   /cases/{case}                    gadmin     own    200
GET   /cases/{case}                    nobody     own    403
GET   /cases/{case}                    admin      other  403
GET   /cases/{case}                    editor     other  403
GET   /cases/{case}                    approver   other  403
GET   /cases/{case}                    responder  other  403
GET   /cases/{case}                    auditor    other  403
GET   /cases/{case}                    gadmin     other  200
GET   /cases/{case}                    nobody     other  403
POST  /cases/{case}/assign             admin      own    200
POST  /cases/{case}/assign             editor     own    403
POST  /cases/{case}/assign             approver   own    403
POST  /cases/{case}/assign             responder  own    200
POST  /cases/{case}/assign             auditor    own    403
POST  /cases/{case}/assign             gadmin     own    200
POST  /cases/{case}/assign             nobody     own    403
POST  /cases/{case}/assign             admin      other  403
POST  /cases/{case}/assign             editor     other  403
POST  /cases/{case}/assign             approver   other  403
POST  /cases/{case}/assign             responder  other  403
POST  /cases/{case}/assign             auditor    other  403
POST  /cases/{case}/assign             gadmin     other  200
POST  /cases/{case}/assign             nobody     other  403
POST  /cases/{case}/answer             admin      own    403
POST  /cases/{case}/answer             editor     own    403
POST  /cases/{case}/answer             approver   own    403
POST  /cases/{case}/answer             responder  own    200
POST  /cases/{case}/answer             auditor    own    403
POST  /cases/{case}/answer             gadmin     own    403
POST  /cases/{case}/answer             nobody     own    403
POST  /cases/{case}/answer             admin      other  403
POST  /cases/{case}/answer             editor     other  403
POST  /cases/{case}/answer             approver   other  403
POST  /cases/{case}/answer             responder  other  403
POST  /cases/{case}/answer             auditor    other  403
POST  /cases/{case}/answer             gadmin     other  403
POST  /cases/{case}/answer             nobody     other  403
POST  /cases/{case}/close              admin      own    200
POST  /cases/{case}/reopen             admin      own    200
POST  /cases/{case}/close              editor     own    403
POST  /cases/{case}/reopen             editor     own    403
POST  /cases/{case}/close              approver   own    403
POST  /cases/{case}/reopen             approver   own    403
POST  /cases/{case}/close              responder  own    200
POST  /cases/{case}/reopen             responder  own    200
POST  /cases/{case}/close              auditor    own    403
POST  /cases/{case}/reopen             auditor    own    403
POST  /cases/{case}/close              gadmin     own    200
POST  /cases/{case}/reopen             gadmin     own    200
POST  /cases/{case}/close              nobody     own    403
POST  /cases/{case}/reopen             nobody     own    403
POST  /cases/{case}/close              admin      other  403
POST  /cases/{case}/reopen             admin      other  403
POST  /cases/{case}/close              editor     other  403
POST  /cases/{case}/reopen             editor     other  403
POST  /cases/{case}/close              approver   other  403
POST  /cases/{case}/reopen             approver   other  403
POST  /cases/{case}/close              responder  other  403
POST  /cases/{case}/reopen             responder  other  403
POST  /cases/{case}/close              auditor    other  403
POST  /cases/{case}/reopen             auditor    other  403
POST  /cases/{case}/close              gadmin     other  200
POST  /cases/{case}/reopen             gadmin     other  200
POST  /cases/{case}/close              nobody     other  403
POST  /cases/{case}/reopen             nobody     other  403
GET   /routes                          admin      -      200
GET   /routes                          editor     -      200
GET   /routes                          approver   -      200
GET   /routes                          responder  -      200
GET   /routes                          auditor    -      200
GET   /routes                          gadmin     -      200
GET   /routes                          nobody     -      200
POST  /routes                          admin      -      403
POST  /routes                          editor     -      403
POST  /routes                          approver   -      403
POST  /routes                          responder  -      403
POST  /routes                          auditor    -      403
POST  /routes                          gadmin     -      201
POST  /routes                          nobody     -      403
POST  /routes/{route}/remove           admin      -      403
POST  /routes/{route}/remove           editor     -      403
POST  /routes/{route}/remove           approver   -      403
POST  /routes/{route}/remove           responder  -      403
POST  /routes/{route}/remove           auditor    -      403
POST  /routes/{route}/remove           gadmin     -      200
POST  /routes/{route}/remove           nobody     -      403
GET   /desk/{acct}                     admin      own    200
GET   /desk/{acct}                     editor     own    403
GET   /desk/{acct}                     approver   own    403
GET   /desk/{acct}                     responder  own    200
GET   /desk/{acct}                     auditor    own    200
GET   /desk/{acct}                     gadmin     own    200
GET   /desk/{acct}                     nobody     own    403
GET   /desk/{acct}                     admin      other  403
GET   /desk/{acct}                     editor     other  403
GET   /desk/{acct}                     approver   other  403
GET   /desk/{acct}                     responder  other  403
GET   /desk/{acct}                     auditor    other  403
GET   /desk/{acct}                     gadmin     other  200
GET   /desk/{acct}                     nobody     other  403
POST  /desk/{acct}                     admin      own    200
POST  /desk/{acct}                     editor     own    403
POST  /desk/{acct}                     approver   own    403
POST  /desk/{acct}                     responder  own    403
POST  /desk/{acct}                     auditor    own    403
POST  /desk/{acct}                     gadmin     own    200
POST  /desk/{acct}                     nobody     own    403
POST  /desk/{acct}                     admin      other  403
POST  /desk/{acct}                     editor     other  403
POST  /desk/{acct}                     approver   other  403
POST  /desk/{acct}                     responder  other  403
POST  /desk/{acct}                     auditor    other  403
POST  /desk/{acct}                     gadmin     other  200
POST  /desk/{acct}                     nobody     other  403
GET   /desk/{acct}/holidays            admin      own    200
GET   /desk/{acct}/holidays            editor     own    403
GET   /desk/{acct}/holidays            approver   own    403
GET   /desk/{acct}/holidays            responder  own    200
GET   /desk/{acct}/holidays            auditor    own    200
GET   /desk/{acct}/holidays            gadmin     own    200
GET   /desk/{acct}/holidays            nobody     own    403
GET   /desk/{acct}/holidays            admin      other  403
GET   /desk/{acct}/holidays            editor     other  403
GET   /desk/{acct}/holidays            approver   other  403
GET   /desk/{acct}/holidays            responder  other  403
GET   /desk/{acct}/holidays            auditor    other  403
GET   /desk/{acct}/holidays            gadmin     other  200
GET   /desk/{acct}/holidays            nobody     other  403
POST  /desk/{acct}/holidays            admin      own    200
POST  /desk/{acct}/holidays            editor     own    403
POST  /desk/{acct}/holidays            approver   own    403
POST  /desk/{acct}/holidays            responder  own    403
POST  /desk/{acct}/holidays            auditor    own    403
POST  /desk/{acct}/holidays            gadmin     own    200
POST  /desk/{acct}/holidays            nobody     own    403
POST  /desk/{acct}/holidays            admin      other  403
POST  /desk/{acct}/holidays            editor     other  403
POST  /desk/{acct}/holidays            approver   other  403
POST  /desk/{acct}/holidays            responder  other  403
POST  /desk/{acct}/holidays            auditor    other  403
POST  /desk/{acct}/holidays            gadmin     other  200
POST  /desk/{acct}/holidays            nobody     other  403
POST  /desk/{acct}/holidays/clear      admin      own    200
POST  /desk/{acct}/holidays/clear      editor     own    403
POST  /desk/{acct}/holidays/clear      approver   own    403
POST  /desk/{acct}/holidays/clear      responder  own    403
POST  /desk/{acct}/holidays/clear      auditor    own    403
POST  /desk/{acct}/holidays/clear      gadmin     own    200
POST  /desk/{acct}/holidays/clear      nobody     own    403
POST  /desk/{acct}/holidays/clear      admin      other  403
POST  /desk/{acct}/holidays/clear      editor     other  403
POST  /desk/{acct}/holidays/clear      approver   other  403
POST  /desk/{acct}/holidays/clear      responder  other  403
POST  /desk/{acct}/holidays/clear      auditor    other  403
POST  /desk/{acct}/holidays/clear      gadmin     other  200
POST  /desk/{acct}/holidays/clear      nobody     other  403
GET   /status                          admin      -      200
GET   /status                          editor     -      200
GET   /status                          approver   -      200
GET   /status                          responder  -      200
GET   /status                          auditor    -      200
GET   /status                          gadmin     -      200
GET   /status                          nobody     -      200
GET   /reports                         admin      -      403
GET   /reports                         editor     -      403
GET   /reports                         approver   -      403
GET   /reports                         responder  -      403
GET   /reports                         auditor    -      403
GET   /reports                         gadmin     -      200
GET   /reports                         nobody     -      403
GET   /reports?account={acct}          admin      own    200
GET   /reports?account={acct}          editor     own    403
GET   /reports?account={acct}          approver   own    403
GET   /reports?account={acct}          responder  own    403
GET   /reports?account={acct}          auditor    own    200
GET   /reports?account={acct}          gadmin     own    200
GET   /reports?account={acct}          nobody     own    403
GET   /reports?account={acct}          admin      other  403
GET   /reports?account={acct}          editor     other  403
GET   /reports?account={acct}          approver   other  403
GET   /reports?account={acct}          responder  other  403
GET   /reports?account={acct}          auditor    other  403
GET   /reports?account={acct}          gadmin     other  200
GET   /reports?account={acct}          nobody     other  403
GET   /webhooks                        admin      -      403
GET   /webhooks                        editor     -      403
GET   /webhooks                        approver   -      403
GET   /webhooks                        responder  -      403
GET   /webhooks                        auditor    -      403
GET   /webhooks                        gadmin     -      200
GET   /webhooks                        nobody     -      403
POST  /webhooks                        admin      -      403
POST  /webhooks                        editor     -      403
POST  /webhooks                        approver   -      403
POST  /webhooks                        responder  -      403
POST  /webhooks                        auditor    -      403
POST  /webhooks                        gadmin     -      201
POST  /webhooks                        nobody     -      403
POST  /webhooks/{hook}/remove          admin      -      403
POST  /webhooks/{hook}/remove          editor     -      403
POST  /webhooks/{hook}/remove          approver   -      403
POST  /webhooks/{hook}/remove          responder  -      403
POST  /webhooks/{hook}/remove          auditor    -      403
POST  /webhooks/{hook}/remove          gadmin     -      200
POST  /webhooks/{hook}/remove          nobody     -      403
POST  /webhooks/{hook}/test            admin      -      403
POST  /webhooks/{hook}/test            editor     -      403
POST  /webhooks/{hook}/test            approver   -      403
POST  /webhooks/{hook}/test            responder  -      403
POST  /webhooks/{hook}/test            auditor    -      403
POST  /webhooks/{hook}/test            gadmin     -      200
POST  /webhooks/{hook}/test            nobody     -      403
TABLE
)

# resolve METHOD PATH ROLE ACCOUNT ALLOWED -> sets RPATH and RBODY
resolve() {
    local m=$1 p=$2 role=$3 acct=$4 ok=$5 id op
    N=$((N + 1))
    RBODY=
    p=${p//\{acct\}/$acct}
    case $p in
    *'{draft}'*)
        if [ "$ok$m" = 1POST ]; then id=$(new_draft "$acct"); else id=${D_DRAFT[$acct]}; fi
        p=${p//\{draft\}/$id} ;;
    *'{sub}'*)
        if [ "$ok$m" = 1POST ]; then id=$(new_draft "$acct" --submit); else id=${D_SUB[$acct]}; fi
        RID=$id
        p=${p//\{sub\}/$id} ;;
    *'{op}/disable')
        if [ "$ok" = 1 ]; then op=tmp$N; h operator add "$op" >/dev/null; else op=spare; fi
        p=${p//\{op\}/$op} ;;
    *'{op}/grant')
        if [ "$ok" = 1 ]; then op=spare; else op=$role; fi
        p=${p//\{op\}/$op} ;;
    *'{op}/revoke')
        if [ "$ok" = 1 ]; then op=spare; h grant spare approver --account "$acct" >/dev/null
        else op=approver; fi
        p=${p//\{op\}/$op} ;;
    *'{tok}'*)
        if [ "$ok" = 1 ]; then id=$(h token create spare 2>&1 >/dev/null | awk '{ print $2 }')
        else id=$SPARE_TOK_ID; fi
        p=${p//\{tok\}/$id} ;;
    *'{case}'*) p=${p//\{case\}/${CASE[$acct]}} ;;
    *'{route}'*)
        if [ "$ok" = 1 ]; then id=$(h route add --department own --keyword "fresh$N" | cut -d: -f1)
        else id=$R_FIX; fi
        p=${p//\{route\}/$id} ;;
    *'{hook}/remove')
        if [ "$ok" = 1 ]; then
            id=$(h webhook add "$HOOK_URL" --events case.overdue | awk 'NR == 1 { print $2 }')
        else id=$HOOK_FIX; fi
        p=${p//\{hook\}/$id} ;;
    *'{hook}'*) p=${p//\{hook\}/$HOOK_FIX} ;;
    esac
    case $p in
    /accounts) RBODY="{\"name\":\"acct$N\",\"kind\":\"department\",\"parent\":\"own\"}" ;;
    /accounts/*/policy) RBODY='{"approvals":1}' ;;
    /accounts/*/profile) RBODY="{\"key\":\"summary\",\"value\":\"matrix $N by $role\"}" ;;
    /operators) RBODY="{\"name\":\"op$N\"}" ;;
    /operators/*/grant | /operators/*/revoke)
        RBODY="{\"role\":\"approver\",\"account\":\"$acct\"}" ;;
    /tokens) RBODY='{"operator":"gadmin"}' ;; # allowed: gadmin's own; refused: an escalation
    /drafts) RBODY="{\"account\":\"$acct\",\"text\":\"matrix draft $N by $role\"}" ;;
    */edit) RBODY="{\"text\":\"edited $N by $role\"}" ;;
    */approve) RBODY="{\"comment\":\"fine\",\"rev\":\"$(rev_of "$RID")\"}" ;;
    */reject) RBODY="{\"comment\":\"not like this\",\"rev\":\"$(rev_of "$RID")\"}" ;;
    /cases/*/assign) RBODY="{\"operator\":\"${ASSIGNEE[$acct]}\"}" ;;
    /cases/*/answer) RBODY="{\"text\":\"matrix answer $N by $role\"}" ;;
    /cases/*/close) RBODY="{\"comment\":\"matrix $N by $role\"}" ;;
    /routes) RBODY="{\"department\":\"own\",\"match\":\"keyword\",\"value\":\"matrix$N\"}" ;;
    /desk/*/holidays) RBODY="{\"ics\":\"$ICS\"}" ;;
    /desk/*/*) ;;
    /desk/*) RBODY='{"key":"max_silence_days","value":"30"}' ;;
    /webhooks) RBODY="{\"url\":\"$HOOK_URL\",\"events\":\"case.overdue\"}" ;;
    esac
    RPATH=$p
}

declare -A ASSIGNEE=([own]=responder [other]=oresp)
declare -A STATE_AFTER=([/drafts]=draft [edit]=draft [submit]=submitted [approve]=published
    [reject]=rejected [withdraw]=withdrawn)
# Refused cases first: they need only the long-lived fixtures, so they run in large
# batches; then the allowed ones, each on fresh state where it consumes some.
mapfile -t CASES < <(printf '%s\n' "$MATRIX" | grep -Ev '^[[:space:]]*(#|$)')
cases=0
for pass in refused allowed; do
    for line in "${CASES[@]}"; do
        read -r method path role acct want sees <<<"$line"
        ok=0
        [ "$want" != 403 ] && ok=1
        if [ "$pass" = refused ] && [ "$ok" = 1 ]; then continue; fi
        if [ "$pass" = allowed ] && [ "$ok" = 0 ]; then continue; fi
        cases=$((cases + 1))
        CUR_KEY=$line
        resolve "$method" "$path" "$role" "$acct" "$ok"
        what="$method $RPATH as $role -> $want"
        if [ "$acct" != - ]; then what="$method $RPATH as $role on $acct -> $want"; fi
        if [ "$ok" = 0 ]; then
            queue_refused "$what" 403 127.0.0.1 "${TOK[$role]}" "$method" "$RPATH" "$RBODY"
            continue
        fi
        allowed_call "$what" "$want" 127.0.0.1 "${TOK[$role]}" "$method" "$RPATH" "$RBODY"
        verb=${RPATH##*/}
        [ "$method $RPATH" = "POST /drafts" ] && verb=/drafts
        if [ "$method" = POST ] && [ -n "${STATE_AFTER[$verb]:-}" ]; then
            t_eq "$what: draft is ${STATE_AFTER[$verb]}" "${STATE_AFTER[$verb]}" \
                "$(t_jq .state "$RESP")"
        fi
        if [ "$path" = /me ]; then t_eq "/me names $role" "$role" "$(t_jq .operator "$RESP")"; fi
        if [ -n "$sees" ]; then t_eq "$what: sees $sees case(s)" "$sees" "$(t_jq '.cases|length' "$RESP")"; fi
    done
    flush_refused
done
CUR_KEY=
t_eq "the whole table was walked" 511 "$cases"

# ---- the same table through the CLI: the same verdict for every case ----
# cli_twin METHOD RPATH ACCOUNT: the herald arguments of the API call just resolved, into
# CLI (empty: no CLI twin, only GET /me).
cli_twin() {
    local m=$1 p=$2 acct=$3 id
    CLI=()
    case "$m $p" in
    "GET /me") ;;
    "GET /accounts") CLI=(account list) ;;
    "POST /accounts") CLI=(account add "cacct$N" --kind department --parent own) ;;
    "POST /accounts/"*/policy) id=${p#/accounts/}; CLI=(account set "${id%/policy}" approvals 1) ;;
    "POST /accounts/"*/profile) id=${p#/accounts/}; CLI=(account set "${id%/profile}" summary "cli $N") ;;
    "GET /operators") CLI=(operator list) ;;
    "POST /operators") CLI=(operator add "cop$N") ;;
    "POST /operators/"*/disable) id=${p#/operators/}; CLI=(operator disable "${id%/disable}") ;;
    "POST /operators/"*/grant) id=${p#/operators/}; CLI=(grant "${id%/grant}" approver --account "$acct") ;;
    "POST /operators/"*/revoke) id=${p#/operators/}; CLI=(revoke "${id%/revoke}" approver --account "$acct") ;;
    "GET /tokens") CLI=(token list) ;;
    "POST /tokens") CLI=(token create gadmin) ;;
    "POST /tokens/"*/revoke) id=${p#/tokens/}; CLI=(token revoke "${id%/revoke}") ;;
    "GET /drafts") CLI=(draft list) ;;
    "GET /drafts?account="*) CLI=(draft list --account "${p#*=}") ;;
    "POST /drafts") CLI=(draft new "$acct" "cli matrix draft $N") ;;
    "GET /drafts/"*) CLI=(draft show "${p#/drafts/}") ;;
    "POST /drafts/"*/edit) id=${p#/drafts/}; CLI=(draft edit "${id%/edit}" "cli edit $N") ;;
    "POST /drafts/"*/approve | "POST /drafts/"*/reject)
        id=${p#/drafts/}
        CLI=(draft "${id##*/}" "${id%/*}" --rev "$(rev_of "${id%/*}")" --comment "cli $N") ;;
    "POST /drafts/"*/*) id=${p#/drafts/}; CLI=(draft "${id##*/}" "${id%/*}") ;;
    "GET /posts?account="*) CLI=(posts "${p#*=}") ;;
    "GET /audit") CLI=(audit list) ;;
    "GET /audit?account="*) CLI=(audit list --account "${p#*=}") ;;
    "GET /audit/verify") CLI=(audit verify) ;;
    "GET /audit/head") CLI=(audit head) ;;
    "GET /cases") CLI=(case list --json) ;;
    "GET /cases/"*) CLI=(case show "${p#/cases/}" --json) ;;
    "POST /cases/"*/assign) id=${p#/cases/}; CLI=(case assign "${id%/*}" "${ASSIGNEE[$acct]}") ;;
    "POST /cases/"*/answer) id=${p#/cases/}; CLI=(case answer "${id%/*}" "cli answer $N") ;;
    "POST /cases/"*/close) id=${p#/cases/}; CLI=(case close "${id%/*}" --comment "cli $N") ;;
    "POST /cases/"*/reopen) id=${p#/cases/}; CLI=(case reopen "${id%/*}") ;;
    "GET /routes") CLI=(route list --json) ;;
    "POST /routes") CLI=(route add --department own --keyword "cli$N") ;;
    "POST /routes/"*/remove) id=${p#/routes/}; CLI=(route remove "${id%/remove}") ;;
    "GET /desk/"*/holidays) id=${p#/desk/}; CLI=(desk holidays "${id%/holidays}" list --json) ;;
    "POST /desk/"*/holidays) id=${p#/desk/}; CLI=(desk holidays "${id%/holidays}" import "$T_DIR/holidays.ics") ;;
    "POST /desk/"*/holidays/clear) id=${p#/desk/}; CLI=(desk holidays "${id%%/*}" clear) ;;
    "GET /desk/"*) CLI=(desk show "${p#/desk/}" --json) ;;
    "POST /desk/"*) CLI=(desk set "${p#/desk/}" max_silence_days 30) ;;
    "GET /status") CLI=(status --json) ;;
    "GET /reports") CLI=(report --format json) ;;
    "GET /reports?account="*) CLI=(report --account "${p#*=}" --format json) ;;
    "GET /webhooks") CLI=(webhook list --json) ;;
    "POST /webhooks") CLI=(webhook add "$HOOK_URL" --events case.overdue) ;;
    "POST /webhooks/"*/remove) id=${p#/webhooks/}; CLI=(webhook remove "${id%/remove}") ;;
    "POST /webhooks/"*/test) id=${p#/webhooks/}; CLI=(webhook test "${id%/test}") ;;
    *) t_fail "no CLI twin for $m $p" ;;
    esac
}
# A refusal names the missing role or the rule that refused (agency/authz.c, drafts.c).
REFUSAL="does not hold|cannot grant itself|by the shell user|unknown or disabled|wrote \(part of\)"
# Refused runs first, like the API pass, in batches of 24: around each batch the API view
# of the state (SNAP_PATHS; a herald run or a curl per check would cost more than the runs
# checked). The diff names what changed, and the audit entry in it who changed it.
api_snapshot() {
    rm -f "$T_DIR"/csnap.*
    CURL_ARGS=()
    snap_args "$T_DIR/csnap"
    curl "${CURL_ARGS[@]}" >/dev/null || true
    read_snap "$T_DIR/csnap"
}
CLI_BATCH=()
cli_batch_check() {
    [ "${#CLI_BATCH[@]}" -gt 0 ] || return 0
    api_snapshot
    if [ "$SNAP" = "$SNAP_CLI" ]; then
        t_pass "${#CLI_BATCH[@]} refused herald runs changed nothing"
    else
        t_fail "one of these refused herald runs changed state: ${CLI_BATCH[*]}: $(diff \
            <(printf '%s' "$SNAP_CLI") <(printf '%s' "$SNAP") | head -c 600 | tr '\n' ' ')"
    fi
    SNAP_CLI=$SNAP CLI_BATCH=()
}
twins=0 agree=0
api_snapshot
SNAP_CLI=$SNAP
for pass in refused allowed; do
    for line in "${CASES[@]}"; do
        read -r method path role acct want sees <<<"$line"
        ok=0
        [ "$want" != 403 ] && ok=1
        if [ "$pass" = refused ] && [ "$ok" = 1 ]; then continue; fi
        if [ "$pass" = allowed ] && [ "$ok" = 0 ]; then continue; fi
        resolve "$method" "$path" "$role" "$acct" "$ok"
        cli_twin "$method" "$RPATH" "$acct"
        [ "${#CLI[@]}" -gt 0 ] || continue
        twins=$((twins + 1))
        st=0
        h --as "$role" "${CLI[@]}" >"$T_DIR/cli.out" 2>"$T_DIR/cli.err" || st=$?
        # herald status exits 3 when an alarm is up: an answer all the same
        if [ "$st" = 0 ] || [ "$st ${CLI[0]}" = "3 status" ]; then cli=allowed
        elif [ "$st" = 1 ] && grep -Eq "$REFUSAL" "$T_DIR/cli.err"; then cli=refused
        else cli="error (exit $st: $(head -c 160 "$T_DIR/cli.err"))"; fi
        case ${API_SEEN[$line]:-none} in
        403) api=refused ;;
        "$want") api=allowed ;;
        *) api="error (HTTP ${API_SEEN[$line]:-none})" ;;
        esac
        if [ "$cli" = "$api" ]; then agree=$((agree + 1)); else
            t_fail "CLI and API disagree on '$line': API $api, herald --as $role ${CLI[*]}: $cli"
        fi
        if [ -n "$sees" ] && [ "$cli" = allowed ]; then
            t_eq "herald --as $role ${CLI[*]}: sees $sees case(s)" "$sees" \
                "$(t_jq '|length' "$T_DIR/cli.out")"
        fi
        [ "$pass" = refused ] || continue
        CLI_BATCH+=("[--as $role ${CLI[*]}]")
        if [ "${#CLI_BATCH[@]}" -ge 24 ]; then cli_batch_check; fi
    done
    cli_batch_check
done
# the webhook pings of the allowed runs reach the test peer before the next refused batch
# reads herald stats (its queue)
t_wait 10 h_deliveries_drained || t_fail "the webhook pings were not delivered"
DIRTY=1
t_eq "every case but GET /me has a CLI twin" 504 "$twins"
CLI_AFTER=$(cli_snapshot 2>&1)
t_match "after the CLI pass the chain verifies" "^audit log intact" "$CLI_AFTER"
t_eq "the CLI and the API give the same verdict on all of them" "$twins" "$agree"

# ---- an approval names the revision it approves: 409 revision_changed over the API ----
DR=$(new_draft own --submit)
R_READ=$(rev "$DR")
h --as editor draft edit "$DR" "rewritten after the approver read it" >/dev/null
h --as editor draft submit "$DR" >/dev/null
refused_call "approving a revision edited since it was read -> 409" 409 127.0.0.1 \
    "${TOK[approver]}" POST "/drafts/$DR/approve" "{\"rev\":\"$R_READ\",\"comment\":\"ok\"}"
t_eq "its error code is revision_changed" revision_changed "$(t_jq .error "$RESP")"
refused_call "rejecting a revision edited since it was read -> 409" 409 127.0.0.1 \
    "${TOK[approver]}" POST "/drafts/$DR/reject" "{\"rev\":\"$R_READ\",\"comment\":\"no\"}"
refused_call "approving without rev -> 422" 422 127.0.0.1 "${TOK[approver]}" POST \
    "/drafts/$DR/approve" '{"comment":"ok"}'
t_match "naming the missing revision" "rev_sha256" "$(t_jq .message "$RESP")"
allowed_call "approving the revision now shown publishes it" 200 127.0.0.1 "${TOK[approver]}" \
    POST "/drafts/$DR/approve" "{\"rev\":\"$(rev "$DR")\"}"
t_eq "published" published "$(t_jq .state "$RESP")"

# ---- edits, deletions and boosts of posts are drafts like any other ----
# (draft new --replaces/--deletes NOTE, herald boost): the same roles; an edit or deletion
# only of a post of the same account.
allowed_call "editor files a post on own" 201 127.0.0.1 "${TOK[editor]}" POST /drafts \
    '{"account":"own","text":"a post to change later","submit":true}'
DP=$(t_jq .id "$RESP")
allowed_call "approver publishes it" 200 127.0.0.1 "${TOK[approver]}" POST "/drafts/$DP/approve" \
    "{\"rev\":\"$(rev "$DP")\"}"
N_OWN=$(t_jq .published_id "$RESP")
h account set other approvals 0 >/dev/null # the shell user publishes one post on other
N_OTHER=$(h post other "a post of the other account")
h account set other approvals 1 >/dev/null
t_match "both accounts have a published post" "^$H_BASE/users/own/notes/.* $H_BASE/users/other/notes/" \
    "$N_OWN $N_OTHER"
DIRTY=1
for r in editor gadmin; do
    queue_refused "POST /drafts deleting other's post as $r -> 403" 403 127.0.0.1 "${TOK[$r]}" \
        POST /drafts "{\"account\":\"other\",\"deletes\":\"$N_OTHER\",\"submit\":true}"
done
for r in admin approver responder auditor gadmin nobody; do
    queue_refused "POST /drafts replacing own's post as $r -> 403" 403 127.0.0.1 "${TOK[$r]}" \
        POST /drafts "{\"account\":\"own\",\"replaces\":\"$N_OWN\",\"text\":\"x\",\"submit\":true}"
done
queue_refused "POST /drafts on own deleting other's post as editor -> 404" 404 127.0.0.1 \
    "${TOK[editor]}" POST /drafts "{\"account\":\"own\",\"deletes\":\"$N_OTHER\",\"submit\":true}"
# a boost (Announce) is a draft as well
for r in editor gadmin; do
    queue_refused "POST /drafts boosting from other as $r -> 403" 403 127.0.0.1 "${TOK[$r]}" \
        POST /drafts "{\"account\":\"other\",\"boosts\":\"$N_OWN\",\"submit\":true}"
done
for r in admin approver responder auditor gadmin nobody; do
    queue_refused "POST /drafts boosting from own as $r -> 403" 403 127.0.0.1 "${TOK[$r]}" \
        POST /drafts "{\"account\":\"own\",\"boosts\":\"$N_OTHER\",\"submit\":true}"
done
flush_refused
allowed_call "editor files a boost of other's post on own" 201 127.0.0.1 "${TOK[editor]}" \
    POST /drafts "{\"account\":\"own\",\"boosts\":\"$N_OTHER\",\"submit\":true}"
t_eq "the boost waits for its approval" submitted "$(t_jq .state "$RESP")"
allowed_call "editor files the deletion of own's post" 201 127.0.0.1 "${TOK[editor]}" POST /drafts \
    "{\"account\":\"own\",\"deletes\":\"$N_OWN\",\"submit\":true}"
t_eq "the deletion waits for its approval" submitted "$(t_jq .state "$RESP")"
t_eq "the post is still there" 200 "$(curl -s -o /dev/null -w '%{http_code}' \
    -H 'Accept: application/activity+json' "$N_OWN")"

# ---- hand-over: refused while it would leave "own" unpublishable ----
# own needs 1 approval; editor is its only editor, approver its only approver
refused_call "gadmin disabling the only editor of own" 403 127.0.0.1 "${TOK[gadmin]}" POST \
    /operators/editor/disable
t_match "the refusal says why" "editor is needed to publish on 'own'" "$(cat "$RESP")"
refused_call "gadmin disabling the only approver of own" 403 127.0.0.1 "${TOK[gadmin]}" POST \
    /operators/approver/disable
allowed_call "fix it first: spare becomes approver on own" 200 127.0.0.1 "${TOK[gadmin]}" POST \
    /operators/spare/grant '{"role":"approver","account":"own"}'
allowed_call "then approver may leave" 200 127.0.0.1 "${TOK[gadmin]}" POST /operators/approver/disable
next_src
refused_call "approver's token died with it" 401 "$SRC" "${TOK[approver]}" GET /me

# ---- four eyes beyond one role per person ----
# "both" may write and approve on own: never their own text, whoever opened the draft.
h operator add both >/dev/null
h grant both editor --account own >/dev/null
h grant both approver --account own >/dev/null
TOK[both]=$(h token create both 2>/dev/null)
allowed_call "both files a submitted draft" 201 127.0.0.1 "${TOK[both]}" POST /drafts \
    '{"account":"own","text":"written and submitted by both","submit":true}'
DB=$(t_jq .id "$T_DIR/resp")
refused_call "POST /drafts/$DB/approve: both approving their own draft" 403 127.0.0.1 \
    "${TOK[both]}" POST "/drafts/$DB/approve" "{\"comment\":\"mine\",\"rev\":\"$(rev "$DB")\"}"
refused_call "POST /drafts/$DB/reject: both rejecting their own draft" 403 127.0.0.1 \
    "${TOK[both]}" POST "/drafts/$DB/reject" "{\"comment\":\"mine\",\"rev\":\"$(rev "$DB")\"}"
# editor opens a draft; both rewrites it and would be the only pair of eyes on that text.
# (agency/drafts.c compares the approver with the draft's first author only, so today this
# approval goes through and publishes: the assertion stays strict, it is a bug.)
DE=$(new_draft own --submit)
allowed_call "both edits editor's submitted draft" 200 127.0.0.1 "${TOK[both]}" POST \
    "/drafts/$DE/edit" '{"text":"rewritten entirely by both"}'
allowed_call "both submits the rewrite" 200 127.0.0.1 "${TOK[both]}" POST "/drafts/$DE/submit"
refused_call "POST /drafts/$DE/approve: both approving the revision they wrote" 403 127.0.0.1 \
    "${TOK[both]}" POST "/drafts/$DE/approve" \
    "{\"comment\":\"looks good to me\",\"rev\":\"$(rev "$DE")\"}"
t_eq "the rewrite by both is not published on both's word alone" submitted \
    "$(h draft show "$DE" | t_jq .state)"

# ---- 401: no token, a garbage token, a revoked token, a disabled operator's token ----
D401=${D_SUB[own]}
ROUTES401="GET /me|GET /accounts|POST /accounts|POST /accounts/own/policy|GET /operators
POST /operators|POST /operators/spare/disable|POST /operators/spare/grant
POST /operators/spare/revoke|GET /tokens|POST /tokens|POST /tokens/$SPARE_TOK_ID/revoke
GET /drafts|POST /drafts|GET /drafts/$D401|POST /drafts/$D401/edit|POST /drafts/$D401/submit
POST /drafts/$D401/approve|POST /drafts/$D401/reject|POST /drafts/$D401/withdraw
GET /posts?account=own|GET /audit|GET /audit/verify
GET /cases|GET /cases/${CASE[own]}|POST /cases/${CASE[own]}/assign|POST /cases/${CASE[own]}/answer
POST /cases/${CASE[own]}/close|POST /cases/${CASE[own]}/reopen|GET /routes|POST /routes
POST /routes/$R_FIX/remove|GET /desk/own|POST /desk/own|GET /desk/own/holidays
POST /desk/own/holidays|POST /desk/own/holidays/clear|GET /status|GET /reports|GET /webhooks
POST /webhooks|POST /webhooks/$HOOK_FIX/remove|POST /webhooks/$HOOK_FIX/test"
body401() {
    case $1 in
    /accounts) echo '{"name":"intruder","kind":"agency"}' ;;
    /accounts/*) echo '{"approvals":0}' ;;
    /operators) echo '{"name":"intruder"}' ;;
    */grant | */revoke) echo '{"role":"admin"}' ;;
    /tokens) echo '{"operator":"gadmin"}' ;;
    /drafts) echo '{"account":"own","text":"intruder","submit":true}' ;;
    */edit) echo '{"text":"intruder"}' ;;
    */assign) echo '{"operator":"responder"}' ;;
    */answer) echo '{"text":"intruder"}' ;;
    /routes) echo '{"department":"own","match":"keyword","value":"intruder"}' ;;
    /desk/own) echo '{"key":"deadline","value":"1h"}' ;;
    /desk/own/holidays) echo "{\"ics\":\"$ICS\"}" ;;
    /webhooks) echo "{\"url\":\"$HOOK_URL\"}" ;;
    *) echo '{"comment":"intruder"}' ;;
    esac
}
# walk401 LABEL TOKEN: every route answers 401 with that token and nothing changes.
walk401() {
    local label=$1 tok=$2 line m p st
    while read -r line; do
        m=${line%% *}
        p=${line#* }
        next_src
        queue_refused "$m $p with $label -> 401" 401 "$SRC" "$tok" "$m" "$p" "$(body401 "$p")"
    done < <(printf '%s\n' "$ROUTES401" | tr '|' '\n')
    flush_refused
    next_src
    st=$(api "$SRC" "$tok" GET /audit/head)
    t_eq "GET /audit/head with $label -> 200 (public)" 200 "$st"
}
walk401 "no token" ""
walk401 "a garbage token" "garbage"
walk401 "a well-formed unknown token" "hrd_$(printf '%064d' 0)"

# a revoked token of an instance-wide admin
GT2=$(h token create gadmin 2>"$T_DIR/tokerr")
GT2_ID=$(awk '{ print $2 }' "$T_DIR/tokerr")
allowed_call "the second gadmin token works" 200 127.0.0.1 "$GT2" GET /tokens
# four eyes over the API: an admin can neither mint another operator's token (it would
# act as them), nor grant itself a role, nor lower an account's approvals
refused_call "gadmin minting spare's token over the API" 403 127.0.0.1 "${TOK[gadmin]}" \
    POST /tokens '{"operator":"spare"}'
refused_call "gadmin granting itself editor" 403 127.0.0.1 "${TOK[gadmin]}" \
    POST /operators/gadmin/grant '{"role":"editor","account":"own"}'
refused_call "gadmin lowering own's approvals to 0" 403 127.0.0.1 "${TOK[gadmin]}" \
    POST /accounts/own/policy '{"approvals":0}' 
allowed_call "gadmin revokes it" 200 127.0.0.1 "${TOK[gadmin]}" POST "/tokens/$GT2_ID/revoke"
walk401 "a revoked token" "$GT2"

# a disabled operator's token: leaver holds admin instance-wide and editor on own; their
# draft stays after they leave
h operator add leaver >/dev/null
h grant leaver admin >/dev/null
h grant leaver editor --account own >/dev/null
LT=$(h token create leaver 2>/dev/null)
DL=$(h --as leaver draft new own "leaver's unfinished draft" | cut -d' ' -f1)
allowed_call "leaver's token works" 200 127.0.0.1 "$LT" GET /operators
allowed_call "gadmin disables leaver" 200 127.0.0.1 "${TOK[gadmin]}" POST /operators/leaver/disable
t_match "leaver's tokens died with it" "REVOKED" "$(h token list | grep leaver)"
t_eq "leaver's draft stays" draft "$(h draft show "$DL" | t_jq .state)"
walk401 "a disabled operator's token" "$LT"
next_src
refused_call "GET /tokens with gadmin's token as Basic credentials -> 401" 401 "$SRC" \
    "H:Authorization: Basic $(printf 'gadmin:%s' "${TOK[gadmin]}" | base64 -w0)" GET /tokens

# ---- the audit chain ----
t_match "the audit chain verifies" "^audit log intact: [0-9]+ entries$" "$(h audit verify)"
n_cli=$(h audit verify | awk '{ print $4 }')
allowed_call "GET /audit/verify" 200 127.0.0.1 "${TOK[gadmin]}" GET /audit/verify
t_eq "the API counts the same entries" "$n_cli" "$(t_jq .entries "$T_DIR/resp")"
t_eq "and finds the chain intact" true "$(t_jq .intact "$T_DIR/resp")"
st=$(api 127.0.0.1 "" GET /audit/head)
t_eq "the signed head is public" 200 "$st"
t_eq "the head names the last entry" "$n_cli" "$(t_jq .seq "$T_DIR/resp")"

# ---- last: 11 bad tokens in a row from one address ----
BLOCKED=127.0.0.200
for i in $(seq 1 10); do
    st=$(api "$BLOCKED" "garbage$i" GET /me)
    t_eq "bad token $i from $BLOCKED -> 401" 401 "$st"
done
t_eq "bad token 11 from $BLOCKED -> 429" 429 "$(api "$BLOCKED" garbage11 GET /me)"
t_eq "then even a good token from $BLOCKED -> 429" 429 "$(api "$BLOCKED" "${TOK[gadmin]}" GET /me)"
t_eq "the public head still answers $BLOCKED" 200 "$(api "$BLOCKED" "" GET /audit/head)"
t_eq "other addresses are not blocked" 200 "$(api 127.0.0.1 "${TOK[gadmin]}" GET /me)"
# X-Forwarded-For counts only from a proxy on 127.0.0.1, and only its last entry
xff() { # SRC XFF: GET /me with gadmin's token
    curl -s -o /dev/null -w '%{http_code}' --max-time "$CURL_MAX" --interface "$1" \
        -H "X-Forwarded-For: $2" -H "Authorization: Bearer ${TOK[gadmin]}" "$API/me" || true
}
t_eq "the blocked address cannot claim another in X-Forwarded-For" 429 "$(xff "$BLOCKED" 198.51.100.8)"
t_eq "behind a local proxy the blocked client stays blocked, whatever it prepends" 429 \
    "$(xff 127.0.0.1 "198.51.100.7, $BLOCKED")"
t_eq "and another client behind that proxy is not blocked" 200 "$(xff 127.0.0.1 198.51.100.7)"

h_stop
t_done

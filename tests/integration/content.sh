#!/usr/bin/env bash
# tests/integration/content.sh - hashtags, mentions, languages and profile fields (issue
# #10 item 2 and the profile keys field and language), on the real binary with
# languages = zh,en and a fakepeer at 127.0.0.2 serving a remote account (WebFinger and
# actor):
#  - a post's language: the instance's first (zh), then the account's, then --lang;
#  - the stored Note: Hashtag tags (deduplicated, lower-cased href), Mention tags of a local
#    and a remote account, the remote one in cc, contentMap, Mastodon's markup in content;
#  - the remote account's server receives the Create (it was mentioned, not a follower);
#  - refused at draft time with nothing stored: a mention that does not resolve (no server,
#    no such local account), more than 20 mentions, a bad --lang;
#  - profile fields: set, changed, removed, at most 4, label and value limits, the API's
#    object form; the actor's PropertyValues (links rel="me") and Mastodon API's fields;
#  - the profile key language: a bad tag refused.
. "$(dirname "$0")/../harness/lib.sh"

H_PORT=$(t_freeport)
H_DATA="$T_DIR/data-$H_PORT"
H_BASE="http://127.0.0.1:$H_PORT"
DOMAIN="127.0.0.1:$H_PORT"
h_init "$H_DATA" "$H_PORT"
printf 'languages = zh,en\n' >>"$H_DATA/herald.conf"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
j() { curl -s -H 'Accept: application/activity+json' "$1" | t_jq "$2"; }
refused() {
    local what=$1 rc=0
    shift
    ERR=$("$@" 2>&1 >/dev/null) || rc=$?
    if [ "$rc" -ne 0 ] && grep -q '^herald: ' <<<"$ERR"; then t_pass "$what: refused ($ERR)"
    else t_fail "$what: exit $rc, [$ERR]"; fi
}
snapshot() { h stats --json; h draft list --json | t_jq '.|length'; }

h account add health --kind agency --name "Health" >/dev/null
h account add police --kind agency --name "Police" >/dev/null
h account set health approvals 0 >/dev/null

# ---- a remote account: zoe at the fakepeer, with WebFinger ----
fp_start 127.0.0.2 peer
ZOE=$("$HERALD_TOOLS/mkactor" "$FP_ROOT" "$FP_BASE" zoe)
mkdir -p "$FP_ROOT/.well-known"
printf '{"subject":"acct:zoe@127.0.0.2:%s","links":[{"rel":"self","type":"application/activity+json","href":"%s"},{"rel":"http://webfinger.net/rel/profile-page","type":"text/html","href":"%s/@zoe"}]}\n' \
    "$FP_PORT" "$ZOE" "$FP_BASE" >"$FP_ROOT/.well-known/webfinger.json"
echo "application/jrd+json" >"$FP_ROOT/.well-known/webfinger.json.type"
h_serve "$H_DATA" "$H_PORT"

# ---- languages ----
lang_of() { j "$1" '.contentMap' | tr -d '\n' | sed 's/^{"\([^"]*\)".*/\1/'; }
N1=$(h post health "Plain notice")
t_eq "no --lang, no account language: the instance's first" zh "$(lang_of "$N1")"
h account set health language en >/dev/null
N2=$(h post health "Plain notice")
t_eq "the account's language" en "$(lang_of "$N2")"
N3=$(h draft new health "Avis" --lang fr --submit)
t_eq "--lang" fr "$(lang_of "$N3")"
t_eq "Mastodon API: the status's language" fr \
    "$(curl -s "$H_BASE/api/v1/statuses/health-${N3##*/}" | t_jq .language)"

# ---- hashtags and mentions ----
TEXT="Get your #FluShots now (#flushots, #流感疫苗) with @police@$DOMAIN and @zoe@127.0.0.2:$FP_PORT. #123 a#b"
N=$(h post health "$TEXT")
t_match "published" "^$H_BASE/users/health/notes/" "$N"
words() { tr '\n' ' ' | sed 's/ $//'; }
t_eq "Hashtags, one per tag" "#FluShots #流感疫苗" "$(j "$N" '.tag[?type=Hashtag].name' | words)"
t_eq "  their tag pages, lower-cased" "$H_BASE/tags/flushots $H_BASE/tags/%E6%B5%81%E6%84%9F%E7%96%AB%E8%8B%97" \
    "$(j "$N" '.tag[?type=Hashtag].href' | words)"
t_eq "Mentions, local and remote" "@police@$DOMAIN @zoe@127.0.0.2:$FP_PORT" \
    "$(j "$N" '.tag[?type=Mention].name' | words)"
t_eq "  their actors" "$H_BASE/users/police $ZOE" "$(j "$N" '.tag[?type=Mention].href' | words)"
t_match "the remote account is in cc" "$ZOE" "$(j "$N" '.cc[]')"
t_match "content: the tag linked as Mastodon links it" \
    "<a href=\"$H_BASE/tags/flushots\" class=\"mention hashtag\" rel=\"tag\">#<span>FluShots</span></a>" \
    "$(j "$N" .content)"
t_match "content: the mention linked to the profile page" \
    "<span class=\"h-card\" translate=\"no\"><a href=\"$FP_BASE/@zoe\" class=\"u-url mention\">@<span>zoe</span></a></span>" \
    "$(j "$N" .content)"
t_match "content: #123 and a#b stay text" "#123 a#b</p>" "$(j "$N" .content)"
t_eq "contentMap in the account's language" "$(j "$N" .content)" "$(j "$N" .contentMap.en)"
t_wait 10 test -n "$(fp_posts "$FP_ROOT" Create)" || true
t_eq "the mentioned account's server got the Create" 1 "$(fp_posts "$FP_ROOT" Create | wc -l)"
t_eq "Mastodon API: the status's tags" "flushots 流感疫苗" \
    "$(curl -s "$H_BASE/api/v1/statuses/health-${N##*/}" | t_jq '.tags[].name' | tr '[:upper:]\n' '[:lower:] ' | sed 's/ $//')"

# ---- refused at draft time, nothing stored ----
DEAD=$(t_freeport)
BEFORE=$(snapshot)
refused "a mention nobody answers for" h post health "Hi @ghost@127.0.0.1:$DEAD"
t_match "  the message names it" "mention @ghost@127.0.0.1:$DEAD: no such account" "$ERR"
refused "a mention of no local account" h draft new health "Hi @nobody@$DOMAIN"
t_match "  the message names it" "mention @nobody@$DOMAIN: no such account" "$ERR"
MANY=$(for i in $(seq 0 20); do printf '@u%d@%s ' "$i" "$DOMAIN"; done)
refused "21 mentions" h post health "$MANY"
t_match "  the message gives the limit" "at most 20" "$ERR"
refused "a bad --lang" h draft new health "x" --lang "en_US"
refused "a bad account language" h account set health language "english"
t_eq "nothing was stored by any refused command" "$BEFORE" "$(snapshot)"

# ---- profile fields ----
actor_fields() { j "$H_BASE/users/health" '.attachment[?type=PropertyValue].name' | tr '\n' '|'; }
h account set health field "Hours" "Mon-Fri 9-17" >/dev/null
h account set health field "Web" "See https://city.example/health <now>" >/dev/null
t_match "fields on the actor, after the others" "\|Hours\|Web\|$" "$(actor_fields)"
t_eq "a URL in a value is a link rel=me, the rest escaped" \
    'See <a href="https://city.example/health" target="_blank" rel="me nofollow noopener" translate="no">https://city.example/health</a> &lt;now&gt;' \
    "$(j "$H_BASE/users/health" '.attachment[?name=Web].value')"
h account set health field "Hours" "Mon-Fri 8-16" >/dev/null
t_eq "setting a label again changes its value" "Mon-Fri 8-16" \
    "$(j "$H_BASE/users/health" '.attachment[?name=Hours].value')"
h account set health field "C" "c" >/dev/null
h account set health field "D" "d" >/dev/null
BEFORE=$(actor_fields)
refused "a fifth field" h account set health field "E" "e"
t_match "  the message gives the limit" "at most 4 fields" "$ERR"
refused "a label over 255 bytes" h account set health field "$(printf 'L%.0s' $(seq 256))" "v"
refused "a value over 2047 bytes" h account set health field "C" "$(printf 'v%.0s' $(seq 2048))"
t_eq "nothing changed by the refused ones" "$BEFORE" "$(actor_fields)"
h account set health field "C" >/dev/null
t_eq "a label without a value removes the field" "${BEFORE/C|/}" "$(actor_fields)"
t_match "Mastodon API: the account's fields" "Hours" \
    "$(curl -s "$H_BASE/api/v1/accounts/health" | t_jq '.fields[].name' | tr '\n' ' ')"

h operator add boss >/dev/null
h grant boss admin >/dev/null
TOKEN=$(h token create boss 2>/dev/null)
api() { curl -s -o "$T_DIR/api.out" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' -X POST --data "$2" "$H_BASE/api/herald/v1$1"; }
t_eq "API: a field as {name, value}" 200 \
    "$(api /accounts/health/profile '{"key":"field","value":{"name":"C","value":"via API"}}')"
t_eq "API: the field is on the actor" "via API" \
    "$(j "$H_BASE/users/health" '.attachment[?name=C].value')"
t_eq "API: a fifth field is 422" 422 \
    "$(api /accounts/health/profile '{"key":"field","value":{"name":"E","value":"e"}}')"
t_eq "API: an object for another key is 422" 422 \
    "$(api /accounts/health/profile '{"key":"summary","value":{"name":"E"}}')"
t_eq "API: a draft with a bad language is 422" 422 \
    "$(api /drafts '{"account":"health","text":"x","language":"not a tag"}')"

h_stop
t_done

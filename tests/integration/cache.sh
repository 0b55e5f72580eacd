#!/bin/bash
# tests/integration/cache.sh - the cache of rendered public responses (server/cache.c,
# issue #11 item 8). A page served twice comes from the cache the second time (X-Cache:
# hit) with the same ETag, and 304 and HEAD still work; right after a publish, an edit, a
# delete or a profile change (each by the CLI, another process) the next GET shows the
# change; JSON and HTML, English and Chinese never get each other's body; a signed GET is
# never answered from the cache nor stored in it; a followers-only post never shows through
# it; with page_cache_mb = 0 nothing is cached.
. "$(dirname "$0")/../harness/lib.sh"

AS='https://www.w3.org/ns/activitystreams'
HTML='text/html,application/xhtml+xml;q=0.9,*/*;q=0.8'
JSON='application/activity+json'
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }

h_start health agency
ME="$H_BASE/users/health"

# get PATH ACCEPT [curl args]: sets ST, HIT (yes/no), ETAG, CT and BODY.
get() {
    local path=$1 accept=$2
    shift 2
    rm -f "$T_DIR/body" # curl writes no file for an empty body (304, HEAD)
    ST=$(curl -s -o "$T_DIR/body" -D "$T_DIR/hdr" -w '%{http_code}' -H "Accept: $accept" "$@" \
        "$H_BASE$path" || true)
    HIT=no
    grep -qi '^x-cache: hit' "$T_DIR/hdr" && HIT=yes
    ETAG=$(grep -i '^etag:' "$T_DIR/hdr" | cut -d' ' -f2- | tr -d '\r' || true)
    CT=$(grep -i '^content-type:' "$T_DIR/hdr" | cut -d' ' -f2- | tr -d '\r' || true)
    BODY=$(cat "$T_DIR/body" 2>/dev/null || true)
}
has() { grep -qF -- "$2" <<<"$1" && echo yes || echo no; }

PUB=$(h post health "First notice: the clinic opens at nine.")
t_match "a post is published" "^$ME/notes/" "$PUB"
ID=${PUB##*/}

# ---- hits, ETag, 304, HEAD ----
get /@health "$HTML"
t_eq "the profile page is rendered the first time" "200 no" "$ST $HIT"
E1=$ETAG
get /@health "$HTML"
t_eq "and served from the cache the second time" "200 yes" "$ST $HIT"
t_eq "with the same ETag" "$E1" "$ETAG"
t_eq "showing the post" yes "$(has "$BODY" "First notice")"
LEN=$(wc -c <"$T_DIR/body")
get /@health "$HTML" -H "If-None-Match: $E1"
t_eq "If-None-Match with that ETag gets 304 from the cache" "304 yes" "$ST $HIT"
t_eq "with an empty body" "" "$BODY"
get /@health "$HTML" -I -o /dev/null
t_eq "HEAD from the cache: 200, same ETag" "200 yes $E1" "$ST $HIT $ETAG"
t_eq "and the length of the GET's body" "$LEN" \
    "$(grep -i '^content-length:' "$T_DIR/hdr" | cut -d' ' -f2 | tr -d '\r')"
get /users/health/outbox?page=true "$JSON"
get /users/health/outbox?page=true "$JSON"
t_eq "the outbox page is served from the cache" "200 yes" "$ST $HIT"
get /users/health/outbox "$JSON"
t_eq "the outbox without ?page= is another entry" "200 no" "$ST $HIT"
t_eq "and another body" no "$(has "$BODY" "First notice")"

# ---- JSON and HTML, English and Chinese ----
for round in 1 2; do
    get /@health "$JSON"
    t_eq "/@health as JSON ($round): the actor, never the page" "200 application/activity+json no" \
        "$ST $CT $(has "$BODY" "<html")"
    get /@health "$HTML"
    t_eq "/@health as HTML ($round): the page, never the actor" "200 yes" "$ST $(has "$BODY" "<html")"
    get /@health "$HTML" -H 'Accept-Language: zh-CN,zh;q=0.9'
    t_eq "/@health in Chinese ($round): a Chinese page" "200 yes" "$ST $(has "$BODY" 'lang="zh')"
    get /@health "$HTML" -H 'Accept-Language: en'
    t_eq "/@health in English ($round): an English page" "200 yes" "$ST $(has "$BODY" 'lang="en')"
    get "/@health?lang=zh" "$HTML"
    t_eq "/@health?lang=zh ($round): a Chinese page" "200 yes" "$ST $(has "$BODY" 'lang="zh')"
done

# ---- no stale page after a write (each by the CLI: another process than the server) ----
get /@health "$HTML"
PUB2=$(h post health "Second notice: bring your card.")
get /@health "$HTML"
t_eq "right after a publish the profile shows the new post" "no yes" \
    "$HIT $(has "$BODY" "Second notice")"
get "/@health/$ID" "$HTML"
get "/@health/$ID" "$HTML"
t_eq "the permalink is cached" "200 yes" "$ST $HIT"
get "/users/health/notes/$ID" "$JSON"
get "/users/health/notes/$ID" "$JSON"
t_eq "the Note is cached" "200 yes" "$ST $HIT"
h draft new health "First notice: the clinic opens at ten." --replaces "$PUB" --submit >/dev/null
get "/@health/$ID" "$HTML"
t_eq "right after an edit the permalink shows the new text" "200 yes no" \
    "$ST $(has "$BODY" "opens at ten") $(has "$BODY" "opens at nine")"
get "/users/health/notes/$ID" "$JSON"
t_eq "and the Note too" "200 yes" "$ST $(has "$BODY" "opens at ten")"
get /@health "$HTML"
t_eq "and the profile" "yes no" "$(has "$BODY" "opens at ten") $(has "$BODY" "opens at nine")"
h account set health display_name "Health Bureau of Testville" >/dev/null
get /@health "$HTML"
t_eq "right after a profile change the page shows the new name" "200 yes" \
    "$ST $(has "$BODY" "Health Bureau of Testville")"
get /@health "$JSON"
t_eq "and the actor too" "yes" "$(has "$BODY" "Health Bureau of Testville")"
get "/@health/${PUB2##*/}" "$HTML"
get "/@health/${PUB2##*/}" "$HTML"
t_eq "the second post's page is cached" "200 yes" "$ST $HIT"
h draft new health --deletes "$PUB2" --submit >/dev/null
get "/@health/${PUB2##*/}" "$HTML"
t_match "right after a delete its page is gone" '^(404|410) no$' "$ST $HIT"
get /@health "$HTML"
t_eq "and the profile no longer lists it" "no" "$(has "$BODY" "Second notice")"
get /users/health/outbox?page=true "$JSON"
t_eq "nor the outbox" "no" "$(has "$BODY" "Second notice")"

# ---- signed GETs and a followers-only post ----
fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_actor "$P2_ROOT" "$P2" ann
sc_as "$P2_ROOT" "$P2" ann "$ME/inbox" --body-text \
    "$(printf '{"@context":"%s","id":"%s/users/ann/follows/1","type":"Follow","actor":"%s/users/ann","object":"%s"}' \
        "$AS" "$P2" "$P2" "$ME")"
t_eq "ann follows health" 202 "$SC_STATUS"
t_wait 15 fp_has_posts "$P2_ROOT" Accept /users/ann/inbox "" 1 || t_fail "ann got no Accept"
FOL=$(h draft new health "Followers only: slots tomorrow." --visibility followers --submit)
t_match "a followers-only post is published" "^$ME/notes/" "$FOL"
FID=${FOL##*/}
signed() { sc_as "$P2_ROOT" "$P2" ann "$1" --method GET --accept "$JSON"; }
for round in 1 2; do
    signed "$FOL"
    t_eq "the follower's signed GET of the followers-only post ($round)" "200 yes" \
        "$SC_STATUS $(has "$SC_BODY" "Followers only")"
    get "/users/health/notes/$FID" "$JSON"
    t_eq "an unsigned GET after it is still 404 ($round): nothing was stored" "404 no no" \
        "$ST $HIT $(has "$BODY" "Followers only")"
    get "/@health/$FID" "$HTML"
    t_eq "its page is 404 ($round)" "404 no" "$ST $(has "$BODY" "Followers only")"
    get /@health "$HTML"
    t_eq "the profile never shows it ($round)" "200 no" "$ST $(has "$BODY" "Followers only")"
    get /users/health/outbox?page=true "$JSON"
    t_eq "the outbox page never shows it ($round)" "200 no" "$ST $(has "$BODY" "Followers only")"
done
get "/users/health/notes/$ID" "$JSON"
get "/users/health/notes/$ID" "$JSON"
t_eq "an unsigned GET of the public Note is a hit" "200 yes" "$ST $HIT"
curl -s -o /dev/null -D "$T_DIR/shdr" -H "Accept: $JSON" -H 'Signature: keyId="x",signature="eA=="' \
    "$H_BASE/users/health/notes/$ID" || true
t_eq "a request carrying a Signature is never answered from the cache" 0 \
    "$(grep -ci '^x-cache:' "$T_DIR/shdr" || true)"
signed "$PUB"
t_eq "a signed GET of the public Note is answered" 200 "$SC_STATUS"

# ---- page_cache_mb = 0: off ----
h_stop
echo "page_cache_mb = 0" >>"$H_DATA/herald.conf"
h_serve "$H_DATA" "$H_PORT"
get /@health "$HTML"
get /@health "$HTML"
t_eq "with page_cache_mb = 0 nothing is served from the cache" "200 no" "$ST $HIT"
t_done

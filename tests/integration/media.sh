#!/bin/bash
# tests/integration/media.sh - images end to end with the real binary (issue #10 items 1
# and 4): avatar and header on the actor (and Update(actor) to a follower), a post with two
# images and their alt text (Note attachment, files served with their type, nosniff and
# immutable caching, the Mastodon API's media_attachments), every refused kind of input
# (missing alt, SVG, truncated, bomb, polyglot, a fifth image, an unreadable file, bad
# base64 in the API) changing nothing - no stats, no draft, no file - and the collector:
# a shared image stays until the last post using it is deleted, an avatar stays.
. "$(dirname "$0")/../harness/lib.sh"

h_start health agency
ME="$H_BASE/users/health"
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
IMG=$T_DIR/img
mkdir -p "$IMG"
"$HERALD_TOOLS/mkimages" "$IMG" || { t_fail "mkimages"; t_done; }
fp_start 127.0.0.2 p2
P2_ROOT=$FP_ROOT P2=$FP_BASE
fp_actor "$P2_ROOT" "$P2" alice
printf '{"@context":"https://www.w3.org/ns/activitystreams","id":"%s/follows/1","type":"Follow","actor":"%s","object":"%s"}' \
    "$P2/users/alice" "$P2/users/alice" "$ME" >"$T_DIR/follow.json"
sc_as "$P2_ROOT" "$P2" alice "$ME/inbox" --body "$T_DIR/follow.json"
t_eq "alice follows" 202 "$SC_STATUS"
media_files() { find "$H_DATA/media" -type f 2>/dev/null | wc -l; }
actor() { curl -s -H 'Accept: application/activity+json' "$ME"; }
headers() { curl -s -o /dev/null -D - "$1" | tr -d '\r'; }

no_deliveries() { [ "$(h_stats | t_jq .deliveries)" = 0 ]; }

# ---- refused input: clear error, exit 1, nothing stored, no file ----
t_wait 60 no_deliveries || t_fail "the Accept to alice was not delivered"
before=$(h_stats; h draft list)
refused() { # WHAT ERROR-REGEX CMD...
    local what=$1 want=$2 st=0
    shift 2
    "$@" >"$T_DIR/out" 2>"$T_DIR/err" || st=$?
    t_eq "$what: exit 1" 1 "$st"
    t_match "$what: says why" "$want" "$(cat "$T_DIR/err")"
}
refused "a missing alt text" "image 1 has no alt text" h draft new health "Notice" --image "$IMG/gradient.png"
refused "an SVG" "SVG and other markup are not accepted" h draft new health "Notice" --image "$IMG/drawing.svg" --alt "a drawing"
refused "a truncated JPEG" "truncated or corrupt" h draft new health "Notice" --image "$IMG/truncated.jpg" --alt "a photo"
refused "a decompression bomb" "pixels, over the limit" h draft new health "Notice" --image "$IMG/bomb.png" --alt "a bomb"
refused "a JPEG with HTML after it" "bytes follow the end of the image" h draft new health "Notice" --image "$IMG/polyglot.jpg" --alt "a photo"
refused "a GIF that is also a ZIP" "bytes follow the end of the image" h draft new health "Notice" --image "$IMG/polyglot.gif" --alt "a gif"
refused "a fifth image" "at most 4 images" h draft new health "Notice" \
    --image "$IMG/gradient.png" --alt a --image "$IMG/gradient.png" --alt b --image "$IMG/gradient.png" --alt c \
    --image "$IMG/gradient.png" --alt d --image "$IMG/gradient.png" --alt e
refused "an unreadable file" "cannot read" h draft new health "Notice" --image "$IMG/nonexistent.png" --alt "x"
refused "a good image before a bad one" "image 2: .*truncated" h draft new health "Notice" \
    --image "$IMG/gradient.png" --alt "good" --image "$IMG/truncated.jpg" --alt "bad"
refused "an SVG avatar" "SVG" h account set health avatar "$IMG/drawing.svg"
refused "a bomb as header" "over the limit" h account set health header "$IMG/bomb.png"
t_eq "after all of them: stats and drafts unchanged" "$before" "$(h_stats; h draft list)"
t_eq "and no media file written" 0 "$(media_files)"
t_eq "and the actor has no icon" "" "$(actor | t_jq .icon)"

# ---- avatar and header ----
t_match "avatar set" "avatar set" "$(h account set health avatar "$IMG/gps.jpg")"
t_match "header set" "header set" "$(h account set health header "$IMG/wide.jpg")"
a=$(actor)
ICON=$(printf '%s' "$a" | t_jq .icon.url)
t_match "the actor's icon is an Image at /media/" "^$H_BASE/media/[0-9a-f]{64}\.jpg$" "$ICON"
t_eq "of type Image, image/jpeg" "Image image/jpeg" "$(printf '%s' "$a" | t_jq .icon.type) $(printf '%s' "$a" | t_jq .icon.mediaType)"
HEADER=$(printf '%s' "$a" | t_jq .image.url)
t_match "the actor's image (header) too" "^$H_BASE/media/[0-9a-f]{64}\.jpg$" "$HEADER"
t_wait 15 fp_has_posts "$P2_ROOT" Update "" "" 2 || true
t_eq "each change sent Update(actor) to the follower" 2 "$(fp_posts "$P2_ROOT" Update | wc -l)"
curl -s -o "$T_DIR/avatar.jpg" "$ICON"
if grep -q "Exif" "$T_DIR/avatar.jpg" || grep -q "secret-xmp" "$T_DIR/avatar.jpg"; then
    t_fail "the avatar kept EXIF/XMP"
else
    t_pass "the avatar file has no EXIF (GPS) or XMP"
fi
m=$(curl -s "$H_BASE/api/v1/accounts/lookup?acct=health")
t_eq "the Mastodon API shows the avatar" "$ICON" "$(printf '%s' "$m" | t_jq .avatar)"
t_eq "and the header" "$HEADER" "$(printf '%s' "$m" | t_jq .header)"

# ---- a post with two images ----
out=$(h draft new health "Flu shots at the town hall" --image "$IMG/gradient.png" --alt "Poster: flu shots, 9-12h" \
    --image "$IMG/photo.webp" --alt "The town hall entrance" --submit)
t_match "the post with two images is published" "^$ME/notes/" "$out"
NOTE=$out
n=$(curl -s -H 'Accept: application/activity+json' "$NOTE")
t_eq "the Note has two attachments" 2 "$(printf '%s' "$n" | t_jq '.attachment|length')"
t_eq "each a Document" "Document Document" "$(printf '%s' "$n" | t_jq '.attachment[].type' | tr '\n' ' ' | sed 's/ $//')"
t_eq "with the alt texts as name, in order" "Poster: flu shots, 9-12h|The town hall entrance" \
    "$(printf '%s' "$n" | t_jq '.attachment[].name' | paste -sd'|')"
t_eq "with width and height" "64x48" "$(printf '%s' "$n" | t_jq '.attachment[0].width')x$(printf '%s' "$n" | t_jq '.attachment[0].height')"
t_match "and a blurhash" "^[^ ]{28}$" "$(printf '%s' "$n" | t_jq '.attachment[0].blurhash')"
U1=$(printf '%s' "$n" | t_jq '.attachment[0].url')
t_match "a URL under /media/" "^$H_BASE/media/[0-9a-f]{64}\.jpg$" "$U1"
hd=$(headers "$U1")
t_match "served 200" "^HTTP/1.1 200" "$hd"
t_match "with its real type" "Content-Type: image/jpeg" "$hd"
t_match "nosniff" "X-Content-Type-Options: nosniff" "$hd"
t_match "immutable caching" "Cache-Control: public, max-age=31536000, immutable" "$hd"
t_match "a sandboxing CSP" "Content-Security-Policy: default-src 'none'; sandbox" "$hd"
t_match "HEAD answers too" "^HTTP/1.1 200" "$(curl -s -I "$U1" | tr -d '\r')"
sha=${U1##*/}; sha=${sha%.jpg}
t_eq "the file's name is the SHA-256 of its bytes" "$sha" "$(curl -s "$U1" | sha256sum | cut -d' ' -f1)"
t_eq "the draft records both images, with their hashes" 2 \
    "$(h draft list | t_jq "[?published_id=$NOTE].attachments[].sha256" | grep -c '^[0-9a-f]\{64\}$')"
t_wait 15 fp_has_posts "$P2_ROOT" Create "" "" 1 || true
t_match "the follower's Create carries the attachments" "Poster: flu shots" "$(cat "$P2_ROOT"/_received/*.json)"
st=$(curl -s "$H_BASE/api/v1/accounts/health/statuses")
t_eq "the Mastodon API lists two media_attachments" 2 "$(printf '%s' "$st" | t_jq '.[0].media_attachments|length')"
t_eq "with the alt text as description" "Poster: flu shots, 9-12h" "$(printf '%s' "$st" | t_jq '.[0].media_attachments[0].description')"
for bad in "/media/../herald.conf" "/media/${sha}.svg" "/media/${sha^^}.jpg" "/media/${sha}.jpg/x" \
    "/media/$(printf '%064d' 0).jpg" "/media/%2e%2e%2fherald.conf"; do
    r=$(h_get "$bad")
    t_eq "GET $bad is 404" 404 "$(head -n1 <<<"$r")"
done
t_match "with a JSON error" '"error":"not_found"' "$(h_get "/media/${sha}.svg")"

# ---- the admin API: base64 images ----
h operator add boss >/dev/null
h grant boss admin >/dev/null
h grant boss editor --account health >/dev/null
TOK=$(h token create boss 2>/dev/null)
api() { curl -s -w '\n%{http_code}' -H "Authorization: Bearer $TOK" -H 'Content-Type: application/json' "$@"; }
B64=$(base64 -w0 "$IMG/alpha.png")
t_wait 60 no_deliveries || t_fail "the deliveries did not finish"
before=$(h_stats; h draft list)
r=$(api -X POST -d "{\"account\":\"health\",\"text\":\"x\",\"images\":[{\"data\":\"$B64\"}]}" "$H_BASE/api/herald/v1/drafts")
t_eq "API: a missing alt is 422" 422 "$(tail -n1 <<<"$r")"
t_match "API: saying so" "no alt text" "$r"
r=$(api -X POST -d '{"account":"health","text":"x","images":[{"data":"%%%","alt":"a"}]}' "$H_BASE/api/herald/v1/drafts")
t_eq "API: bad base64 is 422" 422 "$(tail -n1 <<<"$r")"
t_eq "API: those stored nothing" "$before" "$(h_stats; h draft list)"
r=$(api -X POST -d "{\"account\":\"health\",\"text\":\"Alpha\",\"images\":[{\"data\":\"$B64\",\"alt\":\"A logo\"}]}" "$H_BASE/api/herald/v1/drafts")
t_eq "API: a draft with an image is created" 201 "$(tail -n1 <<<"$r")"
printf '{"key":"avatar","value":"%s"}' "$(head -c 400000 /dev/zero | base64 -w0)" >"$T_DIR/big.json"
r=$(api -X POST --data-binary @"$T_DIR/big.json" "$H_BASE/api/herald/v1/accounts/health/profile")
t_eq "API: an avatar over inbox_max_body reaches the check (not 413)" 422 "$(tail -n1 <<<"$r")"

# ---- the collector ----
out2=$(h draft new health "Same poster again" --image "$IMG/gradient.png" --alt "Poster: flu shots, 9-12h" --submit)
t_match "a second post shares the first image" "^$ME/notes/" "$out2"
t_eq "sharing its file" "$U1" "$(curl -s -H 'Accept: application/activity+json' "$out2" | t_jq '.attachment[0].url')"
f1="$H_DATA/media/${sha:0:2}/$sha.jpg"
del() { h draft new health --deletes "$1" --submit >/dev/null; }
del "$NOTE"
h media gc --min-age 0 >/dev/null
[ -f "$f1" ] && t_pass "after one post is deleted the shared image stays" || t_fail "the shared image went"
t_eq "and is still served" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$U1")"
U2=$(printf '%s' "$n" | t_jq '.attachment[1].url')
t_eq "the deleted post's own image is gone" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$U2")"
t_match "a young file is spared by default" "0 files removed" "$(h media gc)"
del "$out2"
t_match "after the second delete the collector removes it" "[1-9][0-9]* files? removed" "$(h media gc --min-age 0)"
[ -f "$f1" ] && t_fail "the shared image stayed" || t_pass "the shared image is gone once nothing uses it"
t_eq "and answers 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$U1")"
t_eq "the avatar stays" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$ICON")"
t_eq "the header stays" 200 "$(curl -s -o /dev/null -w '%{http_code}' "$HEADER")"
t_match "the collection is audited" "media.gc" "$(h audit list 2>/dev/null || true)"
h account set health avatar >/dev/null
t_eq "a cleared avatar leaves the actor" "" "$(actor | t_jq .icon)"
h media gc --min-age 0 >/dev/null
t_eq "and its file is collected" 404 "$(curl -s -o /dev/null -w '%{http_code}' "$ICON")"

h_stop
t_done

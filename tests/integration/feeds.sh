#!/bin/bash
# tests/integration/feeds.sh - issue #11 item 2: feeds, embeds and oEmbed.
#
# RSS 2.0 and Atom (RFC 4287) of an account (public + unlisted), a tag and the instance
# (public only): well-formed XML (xmllint), item counts and order (newest first), links to
# the post pages, guid/id = the ActivityPub id, RFC 822 / RFC 3339 dates in the instance's
# time zone, categories, the image enclosure with its type and length, the content
# warning as title; followers-only and deleted posts absent; markup and bidi controls in a
# display name, a post and an alt text escaped and neutralised (no raw "<script", no raw
# U+202E); Content-Type, Cache-Control, ETag and 304; 404 for an unknown account or tag;
# discovery links on the pages. Embeds: the timeline and one post, ?limit and ?theme (bad
# values 400, as JSON or as a page for a browser), framing allowed there only (CSP
# frame-ancestors *, no X-Frame-Options) and refused on every other page, no script, links
# out of the frame. oEmbed: Mastodon's fields, the iframe of the post's embed without
# script, by page URL and by ActivityPub id; 400 (no url, bad size), 501 (format=xml), 404
# (foreign, followers-only, deleted, unknown, malformed). Bad requests store nothing.
. "$(dirname "$0")/../harness/lib.sh"

command -v xmllint >/dev/null ||
    { t_fail "xmllint is missing (Debian libxml2-utils; scripts/deps installs it)"; t_done; }

RLO=$'\xe2\x80\xae' FFFD=$'\xef\xbf\xbd'
BROWSER='text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'

h_start health agency
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
DOMAIN="127.0.0.1:$H_PORT"
IMG=$T_DIR/img
mkdir -p "$IMG"
"$HERALD_TOOLS/mkimages" "$IMG" || { t_fail "mkimages"; t_done; }

# get PATH [ACCEPT] [EXTRA-CURL-ARGS...]: sets ST, CT, HDR, BODY (also in $T_DIR/body).
get() {
    local path=$1 accept=${2:-*/*}
    shift 2 2>/dev/null || shift $#
    ST=$(curl -s -o "$T_DIR/body" -D "$T_DIR/hdr" -w '%{http_code}' -H "Accept: $accept" "$@" \
        "$H_BASE$path" || true)
    HDR=$(tr -d '\r' <"$T_DIR/hdr")
    CT=$(grep -i '^content-type:' <<<"$HDR" | cut -d' ' -f2- || true)
    BODY=$(cat "$T_DIR/body")
}
header() { grep -i "^$1:" <<<"$HDR" | cut -d' ' -f2- || true; }
xp() { xmllint --xpath "$1" "$T_DIR/body" 2>/dev/null || true; }
# xpath over local names (Atom's default namespace): n entry -> *[local-name()="entry"]
ln() { printf '*[local-name()="%s"]' "$1"; }
id_of() { printf '%s' "${1##*/}"; }

# ---- the posts ----
h account set health display_name "${RLO}Health <b>&</b> Co" >/dev/null
h account set health avatar "$IMG/gradient.png" >/dev/null
h account add mayor --kind official --agency health --name "Mayor" >/dev/null
h account set mayor approvals 0 >/dev/null
P1=$(h post health "First notice #FluShots")
P2=$(h draft new health "Poster ${RLO}exe <script>alert(1)</script> & more #FluShots" \
    --image "$IMG/gradient.png" --alt "Poster <b>alt</b>" --submit)
P3=$(h draft new health "Hidden details" --cw "Flu: details inside" --submit)
PU=$(h draft new health "Unlisted notice #FluShots" --visibility unlisted --submit)
PF=$(h draft new health "Followers notice #FluShots" --visibility followers --submit)
PX=$(h post health "Deleted notice #FluShots")
h draft new health --deletes "$PX" --submit >/dev/null
PM=$(h post mayor "Mayor notice #FluShots")
for p in P1 P2 P3 PU PF PX PM; do
    t_match "post $p published" "^$H_BASE/users/[a-z]+/notes/[0-9a-f]+\$" "${!p}"
done

# ---- the account's RSS ----
get /@health.rss
t_eq "account RSS: 200" 200 "$ST"
t_eq "account RSS: Content-Type" "application/rss+xml; charset=utf-8" "$CT"
t_eq "account RSS: Cache-Control" "public, max-age=300" "$(header cache-control)"
t_eq "account RSS: well-formed XML" ok "$(xmllint --noout "$T_DIR/body" 2>&1 && echo ok)"
t_eq "account RSS: public and unlisted posts, newest first (no followers-only, no deleted)" \
    "$PU $P3 $P2 $P1" "$(xp '//item/guid/text()' | tr '\n' ' ' | sed 's/ $//')"
t_eq "account RSS: guid is not a permalink" 4 "$(xp 'count(//item/guid[@isPermaLink="false"])')"
t_eq "account RSS: links are the post pages" "$H_BASE/@health/$(id_of "$P2")" \
    "$(xp 'string(//item[3]/link)')"
t_match "account RSS: pubDate is RFC 822" \
    '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} \+0000$' \
    "$(xp 'string(//item[1]/pubDate)')"
t_eq "account RSS: the content warning is the title" "Flu: details inside" \
    "$(xp 'string(//item[2]/title)')"
t_eq "account RSS: a hashtag is a category" FluShots "$(xp 'string(//item[3]/category)')"
ENC_URL=$(xp 'string(//item[3]/enclosure/@url)')
t_match "account RSS: the image is an enclosure of ours" "^$H_BASE/media/[0-9a-f]{64}\.[a-z]+\$" "$ENC_URL"
t_match "account RSS: the enclosure has an image type" '^image/' "$(xp 'string(//item[3]/enclosure/@type)')"
SHA=${ENC_URL##*/}
t_eq "account RSS: the enclosure's length is the file's" \
    "$(stat -c %s "$H_DATA/media/${SHA:0:2}/$SHA")" "$(xp 'string(//item[3]/enclosure/@length)')"
t_match "account RSS: the description carries the post HTML, its text escaped once" \
    '^<p>Poster .*exe &lt;script&gt;alert\(1\)&lt;/script&gt; &amp; more ' "$(xp 'string(//item[3]/description)')"
t_match "account RSS: the description shows the image with its alt text" \
    'alt="Poster &lt;b&gt;alt&lt;/b&gt;"' "$(xp 'string(//item[3]/description)')"
t_eq "account RSS: no raw <script in the XML" 0 "$(grep -c '<script' "$T_DIR/body" || true)"
t_eq "account RSS: no raw bidi override" 0 "$(grep -c "$RLO" "$T_DIR/body" || true)"
t_match "account RSS: the override is U+FFFD" "${FFFD}exe" "$(xp 'string(//item[3]/description)')"
t_eq "account RSS: title names the account, escaped, with its handle" \
    "Posts by ${FFFD}Health <b>&</b> Co (@health@$DOMAIN)" "$(xp 'string(/rss/channel/title)')"
t_eq "account RSS: author is the display name and handle" \
    "${FFFD}Health <b>&</b> Co (@health@$DOMAIN)" "$(xp 'string(//item[1]/*[local-name()="creator"])')"
t_eq "account RSS: channel link is the profile" "$H_BASE/@health" "$(xp 'string(/rss/channel/link)')"
t_eq "account RSS: atom:link rel=self" "$H_BASE/@health.rss" \
    "$(xp 'string(/rss/channel/*[local-name()="link"][@rel="self"]/@href)')"
t_match "account RSS: the avatar is the channel image" "^$H_BASE/media/" "$(xp 'string(/rss/channel/image/url)')"
t_match "account RSS: lastBuildDate" '[0-9]{4} [0-9:]{8} \+0000$' "$(xp 'string(/rss/channel/lastBuildDate)')"
t_eq "account RSS: language (the posts')" en "$(xp 'string(/rss/channel/language)')"

ETAG=$(header etag)
t_match "account RSS: a strong ETag" '^"[0-9a-f]+"$' "$ETAG"
get /@health.rss '*/*' -H "If-None-Match: $ETAG"
t_eq "account RSS: If-None-Match answers 304" 304 "$ST"

# ---- the account's Atom ----
get /@health.atom
t_eq "account Atom: 200" 200 "$ST"
t_eq "account Atom: Content-Type" "application/atom+xml; charset=utf-8" "$CT"
t_eq "account Atom: well-formed XML" ok "$(xmllint --noout "$T_DIR/body" 2>&1 && echo ok)"
E="//$(ln entry)"
t_eq "account Atom: entries newest first, ids are the ActivityPub ids" "$PU $P3 $P2 $P1" \
    "$(xp "$E/$(ln id)/text()" | tr '\n' ' ' | sed 's/ $//')"
t_eq "account Atom: the alternate link is the post page" "$H_BASE/@health/$(id_of "$P1")" \
    "$(xp "string($E[4]/$(ln link)[@rel='alternate']/@href)")"
t_match "account Atom: published is RFC 3339" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' \
    "$(xp "string($E[1]/$(ln published))")"
t_match "account Atom: updated" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$(xp "string($E[1]/$(ln updated))")"
t_eq "account Atom: content type html" html "$(xp "string($E[3]/$(ln content)/@type)")"
t_eq "account Atom: the enclosure link" "$ENC_URL" \
    "$(xp "string($E[3]/$(ln link)[@rel='enclosure']/@href)")"
t_eq "account Atom: the enclosure's length" "$(stat -c %s "$H_DATA/media/${SHA:0:2}/$SHA")" \
    "$(xp "string($E[3]/$(ln link)[@rel='enclosure']/@length)")"
t_eq "account Atom: the enclosure's title is the alt text" "Poster <b>alt</b>" \
    "$(xp "string($E[3]/$(ln link)[@rel='enclosure']/@title)")"
t_eq "account Atom: a hashtag is a category" FluShots "$(xp "string($E[3]/$(ln category)/@term)")"
t_eq "account Atom: the author's page" "$H_BASE/@health" "$(xp "string($E[1]/$(ln author)/$(ln uri))")"
t_eq "account Atom: the entry's language" en "$(xp "string($E[1]/@*[local-name()='lang'])")"
t_eq "account Atom: rel=self" "$H_BASE/@health.atom" "$(xp "string(/$(ln feed)/$(ln link)[@rel='self']/@href)")"
t_eq "account Atom: no raw <script" 0 "$(grep -c '<script' "$T_DIR/body" || true)"
t_eq "account Atom: no raw bidi override" 0 "$(grep -c "$RLO" "$T_DIR/body" || true)"
get "/@health.atom?lang=zh"
t_match "account Atom in Chinese: the feed says zh" 'xml:lang="zh' "$BODY"
t_eq "account Atom in Chinese: translated title" 0 "$(grep -c '<title>Posts by' "$T_DIR/body" || true)"

# ---- tag and instance ----
get /tags/flushots.rss
t_eq "tag RSS: 200" 200 "$ST"
t_eq "tag RSS: well-formed" ok "$(xmllint --noout "$T_DIR/body" 2>&1 && echo ok)"
t_eq "tag RSS: public posts with the tag, every account, newest first (no unlisted)" \
    "$PM $P2 $P1" "$(xp '//item/guid/text()' | tr '\n' ' ' | sed 's/ $//')"
t_eq "tag RSS: the mayor's item names the mayor" "Mayor (@mayor@$DOMAIN)" \
    "$(xp 'string(//item[1]/*[local-name()="creator"])')"
t_eq "tag RSS: channel link is the tag page" "$H_BASE/tags/flushots" "$(xp 'string(/rss/channel/link)')"
get /tags/FluShots.atom
t_eq "tag Atom, any case: 3 entries" 3 "$(xp "count($E)")"
get /feed.atom
t_eq "instance Atom: 200" 200 "$ST"
t_eq "instance Atom: well-formed" ok "$(xmllint --noout "$T_DIR/body" 2>&1 && echo ok)"
t_eq "instance Atom: every account's public posts, newest first" "$PM $P3 $P2 $P1" \
    "$(xp "$E/$(ln id)/text()" | tr '\n' ' ' | sed 's/ $//')"
get /feed.rss
t_eq "instance RSS: 4 items" 4 "$(xp 'count(//item)')"
for path in /@nobody.rss /@nobody.atom /tags/nothing.rss /tags/nothing.atom; do
    get "$path"
    t_eq "$path: 404" 404 "$ST"
    t_eq "$path: a JSON error" not_found "$(printf '%s' "$BODY" | t_jq .error)"
done

# ---- discovery ----
get /@health "$BROWSER"
t_match "the profile links its RSS" '<link rel="alternate" type="application/rss\+xml" href="/@health\.rss"' "$BODY"
t_match "the profile links its Atom" '<link rel="alternate" type="application/atom\+xml" href="/@health\.atom"' "$BODY"
get "/@health/$(id_of "$P1")" "$BROWSER"
t_match "a post page links its oEmbed" \
    "<link rel=\"alternate\" type=\"application/json\+oembed\" href=\"$H_BASE/api/oembed\?format=json&amp;url=http%3A%2F%2F127\.0\.0\.1%3A$H_PORT%2F%40health%2F$(id_of "$P1")\"" "$BODY"
t_eq "a post page may not be framed (CSP)" 1 "$(header content-security-policy | grep -c "frame-ancestors 'none'" || true)"
t_eq "a post page may not be framed (X-Frame-Options)" DENY "$(header x-frame-options)"

# ---- embeds ----
get /@health/embed "$BROWSER"
t_eq "timeline embed: 200" 200 "$ST"
t_match "timeline embed: HTML" '^text/html' "$CT"
t_match "timeline embed: any site may frame it" 'frame-ancestors \*' "$(header content-security-policy)"
t_eq "timeline embed: no X-Frame-Options" "" "$(header x-frame-options)"
t_eq "timeline embed: public and unlisted posts" 4 "$(grep -o '<article' "$T_DIR/body" | wc -l)"
t_eq "timeline embed: no script" 0 "$(grep -ci '<script' "$T_DIR/body" || true)"
t_match "timeline embed: the account's name and handle link to the profile" \
    "<a href=\"$H_BASE/@health\" target=\"_blank\" rel=\"noopener\"><span class=\"name\"><bdi>${FFFD}Health &lt;b&gt;&amp;&lt;/b&gt; Co</bdi></span> <span class=\"handle\">@health@$DOMAIN</span>" "$BODY"
t_match "timeline embed: dates link to the post pages in a new tab" \
    "<a href=\"$H_BASE/@health/$(id_of "$P1")\" target=\"_blank\" rel=\"noopener\"><time" "$BODY"
t_match "timeline embed: links leave the frame" '<base target="_blank">' "$BODY"
t_match "timeline embed: images with alt text" '<img src="[^"]*/media/[^"]*" alt="Poster &lt;b&gt;alt&lt;/b&gt;"' "$BODY"
t_match "timeline embed: a view-more link" "<a href=\"$H_BASE/@health\" target=\"_blank\" rel=\"noopener\">View more" "$BODY"
t_eq "timeline embed: no site header" 0 "$(grep -c 'class="site"' "$T_DIR/body" || true)"
t_match "timeline embed: the reader's colour scheme by default" '<body class="embed">' "$BODY"
get "/@health/embed?limit=2&theme=dark" "$BROWSER"
t_eq "timeline embed ?limit=2: two posts" 2 "$(grep -o '<article' "$T_DIR/body" | wc -l)"
t_match "timeline embed ?theme=dark" '<body class="embed theme-dark">' "$BODY"
get "/@health/embed?theme=light&lang=zh" "$BROWSER"
t_match "timeline embed ?theme=light" '<body class="embed theme-light">' "$BODY"
t_match "timeline embed ?lang=zh" '<html lang="zh' "$BODY"
before=$(h_stats)
for q in limit=0 limit=41 limit=abc limit=-1 "limit=" theme=pink; do
    get "/@health/embed?$q"
    t_eq "timeline embed ?$q: 400" 400 "$ST"
    t_eq "timeline embed ?$q: bad_request" bad_request "$(printf '%s' "$BODY" | t_jq .error)"
done
get "/@health/embed?limit=99" "$BROWSER"
t_eq "a bad limit for a browser: 400" 400 "$ST"
t_match "a bad limit for a browser: an HTML page" '^text/html' "$CT"
t_eq "bad embed requests stored nothing" "$before" "$(h_stats)"
get /@nobody/embed "$BROWSER"
t_eq "the embed of an unknown account: 404" 404 "$ST"

get "/@health/$(id_of "$P2")/embed" "$BROWSER"
t_eq "post embed: 200" 200 "$ST"
t_match "post embed: any site may frame it" 'frame-ancestors \*' "$(header content-security-policy)"
t_eq "post embed: no X-Frame-Options" "" "$(header x-frame-options)"
t_eq "post embed: one post" 1 "$(grep -o '<article' "$T_DIR/body" | wc -l)"
t_eq "post embed: no script, the post's markup escaped" 0 "$(grep -ci '<script' "$T_DIR/body" || true)"
t_match "post embed: the text" 'exe &lt;script&gt;alert\(1\)&lt;/script&gt; &amp; more' "$BODY"
get "/@health/$(id_of "$PU")/embed" "$BROWSER"
t_eq "an unlisted post's embed: 200" 200 "$ST"
get "/@health/$(id_of "$PF")/embed" "$BROWSER"
t_eq "a followers-only post's embed: 404" 404 "$ST"
t_eq "a followers-only post's embed shows nothing of it" 0 "$(grep -c 'Followers notice' "$T_DIR/body" || true)"
get "/@health/$(id_of "$PX")/embed" "$BROWSER"
t_eq "a deleted post's embed: 410" 410 "$ST"
get "/@health/$(id_of "$PM")/embed" "$BROWSER"
t_eq "another account's post under health: 404" 404 "$ST"

# ---- oEmbed ----
get "/api/oembed?url=$H_BASE/@health/$(id_of "$P2")"
t_eq "oEmbed: 200" 200 "$ST"
t_match "oEmbed: JSON" '^application/json' "$CT"
j() { printf '%s' "$BODY" | t_jq "$1"; }
t_eq "oEmbed: type" rich "$(j .type)"
t_eq "oEmbed: version" 1.0 "$(j .version)"
t_eq "oEmbed: author_name" "${RLO}Health <b>&</b> Co" "$(j .author_name)"
t_eq "oEmbed: author_url" "$H_BASE/@health" "$(j .author_url)"
t_eq "oEmbed: provider_name" "$DOMAIN" "$(j .provider_name)"
t_eq "oEmbed: provider_url" "$H_BASE/" "$(j .provider_url)"
t_eq "oEmbed: cache_age" 86400 "$(j .cache_age)"
t_eq "oEmbed: width" 400 "$(j .width)"
t_match "oEmbed: height" '^[0-9]+$' "$(j .height)"
t_match "oEmbed: title" '^Poster ' "$(j .title)"
HTML=$(j .html)
t_match "oEmbed: html is the iframe of the post's embed" \
    "^<iframe src=\"$H_BASE/@health/$(id_of "$P2")/embed\"" "$HTML"
t_match "oEmbed: the iframe is sandboxed" ' sandbox="allow-same-origin allow-popups' "$HTML"
t_match "oEmbed: the iframe has a title" ' title="Post by ' "$HTML"
t_match "oEmbed: the title's markup is escaped" 'Health &lt;b&gt;&amp;&lt;/b&gt; Co' "$HTML"
t_eq "oEmbed: no script" 0 "$(grep -ci '<script' <<<"$HTML" || true)"
get "/api/oembed?url=$P2&maxwidth=300&maxheight=200"
t_eq "oEmbed by ActivityPub id: 200" 200 "$ST"
t_match "oEmbed by ActivityPub id: the same embed" "^<iframe src=\"$H_BASE/@health/$(id_of "$P2")/embed\"" "$(j .html)"
t_eq "oEmbed maxwidth" 300 "$(j .width)"
t_eq "oEmbed maxheight" 200 "$(j .height)"
get "/api/oembed?url=$PU"
t_eq "oEmbed of an unlisted post: 200 (as Mastodon)" 200 "$ST"
before=$(h_stats)
oembed_refused() { # WHAT STATUS CODE QUERY
    get "/api/oembed?$4" "$BROWSER"
    t_eq "oEmbed $1: $2" "$2" "$ST"
    t_eq "oEmbed $1: $3 (JSON even for a browser)" "$3" "$(printf '%s' "$BODY" | t_jq .error)"
}
oembed_refused "without url" 400 bad_request ""
oembed_refused "with an empty url" 400 bad_request "url="
oembed_refused "format=xml" 501 not_implemented "format=xml&url=$P1"
oembed_refused "maxwidth=abc" 400 bad_request "maxwidth=abc&url=$P1"
oembed_refused "maxheight=0" 400 bad_request "maxheight=0&url=$P1"
oembed_refused "of another server's post" 404 not_found "url=http://example.invalid/@health/$(id_of "$P1")"
oembed_refused "of a followers-only post" 404 not_found "url=$PF"
oembed_refused "of a deleted post" 404 not_found "url=$PX"
oembed_refused "of an unknown post" 404 not_found "url=$H_BASE/@health/0123abc"
oembed_refused "of an unknown account" 404 not_found "url=$H_BASE/@nobody/$(id_of "$P1")"
oembed_refused "of a post under the wrong account" 404 not_found "url=$H_BASE/@health/$(id_of "$PM")"
oembed_refused "with a query" 404 not_found "url=$H_BASE/@health/$(id_of "$P1")%3Fx%3D1"
oembed_refused "with a dot segment" 404 not_found "url=$H_BASE/@mayor/../@health/$(id_of "$P1")"
oembed_refused "of the profile" 404 not_found "url=$H_BASE/@health"
oembed_refused "of a look-alike host" 404 not_found "url=$H_BASE.evil.example/@health/$(id_of "$P1")"
oembed_refused "of an activity" 404 not_found "url=$P1/activity"
oembed_refused "of not a URL" 404 not_found "url=javascript:alert(1)"
t_eq "refused oEmbed requests stored nothing" "$before" "$(h_stats)"

# ---- characters XML cannot carry ----
PC=$(h post health $'Control\x01char DEL\x7f NEL\xc2\x85 end')
h account set health display_name $'Bad\x02Name' >/dev/null
for path in /@health.rss /@health.atom; do
    get "$path"
    t_eq "$path with control characters: well-formed XML" ok "$(xmllint --noout "$T_DIR/body" 2>&1 && echo ok)"
    t_match "$path: each control character is one U+FFFD" \
        "Control${FFFD}char DEL${FFFD} NEL${FFFD} end" "$BODY"
    t_match "$path: in the display name too" "Bad${FFFD}Name \(@health@" "$BODY"
    t_eq "$path: no raw control character" 0 "$(LC_ALL=C grep -c $'[\x01\x02\x7f]' "$T_DIR/body" || true)"
done
t_match "post PC published" "^$H_BASE/users/health/notes/" "$PC"

# ---- a tag in any case, beyond ASCII (Unicode lower case, as the tag's link) ----
PG=$(h post health "Harbour notice #Αθήνα")
get "/tags/%CE%91%CE%98%CE%89%CE%9D%CE%91.atom" # ΑΘΉΝΑ
t_eq "tag Atom in Greek capitals: the post tagged #Αθήνα" "$PG" "$(xp "string($E[1]/$(ln id))")"

# ---- dates in the instance's time zone ----
h_stop
printf 'timezone = Asia/Shanghai\n' >>"$H_DATA/herald.conf"
h_serve "$H_DATA" "$H_PORT"
get /@health.rss
t_match "RSS dates in the instance's time zone" ' \+0800$' "$(xp 'string(//item[1]/pubDate)')"
get /@health.atom
t_match "Atom dates in the instance's time zone" 'T[0-9:]{8}\+08:00$' "$(xp "string($E[1]/$(ln published))")"

h_stop
t_done

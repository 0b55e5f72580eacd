#!/bin/bash
# tests/integration/web_pages.sh - the public web pages (issue #11 items 1, 4, 5, 6) with
# the real binary: the home page names the agency, lists every account grouped by kind
# with its handle and says how to follow; profiles show kind, parent, an official's
# disclaimer, a verified website (and an unverified one without the mark), fields,
# avatar and header with alt text; post pages show content warnings, images with alt
# text, poll results, counts, the post answered and our replies; tag pages list tagged
# posts. Every page kind in English and Chinese (Accept-Language and ?lang=) with its
# html lang and the post's lang, OpenGraph and fediverse:creator, feed discovery links,
# pagination without overlap, followers-only posts never shown, 410 and 404 pages for
# browsers (JSON for ActivityPub clients), ETag/304, Cache-Control, a CSP without inline
# script or style, and no inline style or script in any page.
. "$(dirname "$0")/../harness/lib.sh"

BROWSER='text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'
ZH='zh-CN,zh;q=0.9,en;q=0.5'

h_start health agency
h() { "$HERALD_BIN" --data "$H_DATA" "$@"; }
DOMAIN="127.0.0.1:$H_PORT"
IMG=$T_DIR/img
mkdir -p "$IMG"
"$HERALD_TOOLS/mkimages" "$IMG" || { t_fail "mkimages"; t_done; }

# get PATH [ACCEPT-LANGUAGE] [ACCEPT]: sets ST, CT, CC, CSP, ETAG, BODY (also $T_DIR/body).
get() {
    local al=${2:-en} accept=${3:-$BROWSER}
    ST=$(curl -s -o "$T_DIR/body" -D "$T_DIR/hdr" -w '%{http_code}' -H "Accept: $accept" \
        -H "Accept-Language: $al" "$H_BASE$1" || true)
    hdr() { { grep -i "^$1:" "$T_DIR/hdr" || true; } | tail -n1 | cut -d: -f2- | tr -d '\r' | sed 's/^ *//'; }
    CT=$(hdr content-type) CC=$(hdr cache-control) CSP=$(hdr content-security-policy)
    ETAG=$(hdr etag)
    BODY=$(cat "$T_DIR/body")
}
# page_ok WHAT LANG: the last response is a good page in LANG (html lang attribute).
page_ok() {
    t_eq "$1: 200" 200 "$ST"
    t_match "$1: HTML" '^text/html' "$CT"
    t_match "$1: html lang=$2" "<html lang=\"$2\">" "$BODY"
    t_match "$1: public, short Cache-Control" '^public, max-age=[0-9]+$' "$CC"
    t_eq "$1: one h1" 1 "$(grep -o '<h1' <<<"$BODY" | wc -l)"
    t_eq "$1: no <script> or <style>" 0 "$(grep -ciE '<script|<style' <<<"$BODY" || true)"
    t_eq "$1: no style attribute" 0 "$(grep -ciE '<[^>]+ style=' <<<"$BODY" || true)"
    t_eq "$1: every img has alt" "$(grep -o '<img ' <<<"$BODY" | wc -l)" \
        "$(grep -oE '<img [^>]*alt="[^"]*"' <<<"$BODY" | wc -l)"
    t_match "$1: a skip link and landmarks" '<a class="skip" href="#main">.*<header.*<main id="main">.*<footer' \
        "$(tr -d '\n' <<<"$BODY")"
    t_eq "$1: CSP has no 'unsafe-inline'" 0 "$(grep -c 'unsafe-inline' <<<"$CSP" || true)"
    t_eq "$1: CSP has no script-src" 0 "$(grep -c 'script-src' <<<"$CSP" || true)"
}
id_of() { sed "s|^$H_BASE/users/\([a-z0-9_]*\)/notes/|/@\1/|" <<<"$1"; }

# ---- the instance: an account of each kind, images, fields, websites ----
h account add mayor --kind official --agency health --name "Mayor Li" >/dev/null
h account add roads --kind department --parent health --name "Roads Department" >/dev/null
h account add alerts --kind service --parent health --name "Alert Service" >/dev/null
for a in mayor roads alerts; do h account set "$a" approvals 0 >/dev/null; done
h account set health summary "We keep the city healthy" >/dev/null
h account set health avatar "$IMG/gps.jpg" >/dev/null
h account set health header "$IMG/wide.jpg" >/dev/null
h account set health field Phone "12345" >/dev/null
fp_start 127.0.0.2 site
printf '%s' "<html><head><link rel=\"me\" href=\"$H_BASE/@health\"></head><body>Health</body></html>" \
    >"$FP_ROOT/index.json"
printf 'text/html' >"$FP_ROOT/index.json.type"
printf '%s' '<html><body>No link</body></html>' >"$FP_ROOT/roads.json"
printf 'text/html' >"$FP_ROOT/roads.json.type"
h account set health website "$FP_BASE/index" >/dev/null
h account set roads website "$FP_BASE/roads" >/dev/null
t_match "health's website verifies" verified "$(h website check health 2>&1 || true)"

# ---- posts: tags, an image, a poll, a reply, a content warning in Chinese, private ones ----
N1=$(h post health "Flu season starts #flu #health")
NIMG=$(h draft new health "Clinic map" --image "$IMG/gradient.png" --alt "Map of the clinics" --submit)
CLOSES=$(date -u -d '+30 days' +%Y-%m-%dT%H:%M:00Z)
NPOLL=$(h draft new health "Which clinic hours?" --poll Morning --poll Evening \
    --closes "$CLOSES" --submit)
NREPLY=$(h draft new mayor "Get your flu shot" --reply-to "$N1" --submit)
NZH=$(h draft new roads "道路施工" --lang zh --cw "施工通知" --submit)
NFOL=$(h draft new health "followers only secret" --visibility followers --submit)
NDEL=$(h post alerts "to be deleted")
h draft new alerts --deletes "$NDEL" --submit >/dev/null
for i in $(seq 1 22); do h post alerts "Alert number $i" >/dev/null; done
for n in "$N1" "$NIMG" "$NPOLL" "$NREPLY" "$NZH" "$NFOL" "$NDEL"; do
    t_match "published ${n##*/}" "^$H_BASE/users/[a-z]+/notes/[0-9a-f]+\$" "$n"
done

# ---- home ----
for lang in en zh; do
    if [ $lang = en ]; then get /; else get / "$ZH"; fi
    page_ok "home ($lang)" "$([ $lang = en ] && echo en || echo zh-CN)"
    t_match "home ($lang): the agency is the h1, name next to its handle" \
        "<h1 id=\"agency\"><span class=\"name\"><bdi>Test health</bdi></span> <span class=\"handle\">@health@$DOMAIN</span></h1>" "$BODY"
    t_match "home ($lang): the agency's summary" "We keep the city healthy" "$BODY"
    for a in "Mayor Li|mayor" "Roads Department|roads" "Alert Service|alerts"; do
        t_match "home ($lang): ${a#*|} listed with its handle, linking to its page" \
            "<a href=\"$H_BASE/@${a#*|}\">(<img [^>]*>)?<span class=\"name\"><bdi>${a%|*}</bdi></span> <span class=\"handle\">@${a#*|}@$DOMAIN</span></a>" "$BODY"
    done
    t_eq "home ($lang): no 'Follow them from any fediverse server'" 0 \
        "$(grep -c 'Follow them from any fediverse server' <<<"$BODY" || true)"
    t_match "home ($lang): the instance feed is discoverable" \
        '<link rel="alternate" type="application/rss\+xml" href="/feed.rss"' "$BODY"
    t_match "home ($lang): and linked" '<a href="/feed.atom"' "$BODY"
    t_match "home ($lang): the latest post is listed" "Alert number 22" "$BODY"
done
get /
t_match "home: kind headings in order" 'Agencies</h3>.*Departments</h3>.*Officials</h3>.*Services</h3>' \
    "$(tr -d '\n' <<<"$BODY")"
t_match "home: how to follow, in plain words" "Search for an account&#39;s address, such as @health@$DOMAIN, in any fediverse app" "$BODY"
get / "$ZH"
t_match "home (zh): kind headings translated" '机构</h3>.*部门</h3>.*公职人员</h3>.*服务</h3>' \
    "$(tr -d '\n' <<<"$BODY")"
t_match "home (zh): how to follow, translated" "如何关注" "$BODY"
get "/?lang=zh-CN"
t_match "home ?lang=zh-CN: html lang" '<html lang="zh-CN">' "$BODY"
t_match "home ?lang=zh-CN: translated" "最新发布" "$BODY"

# ---- profiles ----
get /@health
page_ok "/@health" en
t_match "/@health: header image with alt text" '<img class="header-img" src="[^"]*/media/[0-9a-f]+\.jpg" alt="Header image of Test health">' "$BODY"
t_match "/@health: avatar with alt text" '<img class="avatar" src="[^"]*/media/[0-9a-f]+\.jpg" alt="Profile picture of Test health">' "$BODY"
t_match "/@health: kind badge" '<span class="badge">Government agency</span>' "$BODY"
t_match "/@health: website verified" "href=\"$FP_BASE/index\" rel=\"me nofollow noopener\">.*class=\"verified\"" "$BODY"
t_match "/@health: the field" '<dt>Phone</dt><dd>12345</dd>' "$BODY"
t_match "/@health: og:type profile" '<meta property="og:type" content="profile">' "$BODY"
t_match "/@health: og:title" "<meta property=\"og:title\" content=\"Test health \(@health@$DOMAIN\)\">" "$BODY"
t_match "/@health: og:url" "<meta property=\"og:url\" content=\"$H_BASE/@health\">" "$BODY"
t_match "/@health: og:image is the avatar" '<meta property="og:image" content="[^"]*/media/[0-9a-f]+\.jpg">' "$BODY"
t_match "/@health: og:description is the summary" '<meta property="og:description" content="We keep the city healthy">' "$BODY"
t_match "/@health: fediverse:creator" "<meta name=\"fediverse:creator\" content=\"@health@$DOMAIN\">" "$BODY"
t_match "/@health: RSS discovery" '<link rel="alternate" type="application/rss\+xml" href="/@health.rss"' "$BODY"
t_match "/@health: Atom discovery" '<link rel="alternate" type="application/atom\+xml" href="/@health.atom"' "$BODY"
t_match "/@health: the actor as alternate" "<link rel=\"alternate\" type=\"application/activity\+json\" href=\"$H_BASE/users/health\">" "$BODY"
t_eq "/@health: the followers-only post is not shown" 0 "$(grep -c 'followers only secret' <<<"$BODY" || true)"
get /@health "$ZH"
page_ok "/@health (zh)" zh-CN
t_match "/@health (zh): kind translated" '<span class="badge">政府机构</span>' "$BODY"
t_match "/@health (zh): verified translated" '已验证' "$BODY"
get /@roads
page_ok "/@roads" en
t_match "/@roads: its parent" "Part of <a href=\"$H_BASE/@health\">Test health</a>" "$BODY"
t_match "/@roads: its website" "href=\"$FP_BASE/roads\"" "$BODY"
t_eq "/@roads: no verified mark for an unverified website" 0 "$(grep -c 'class="verified"' <<<"$BODY" || true)"
get /@mayor
page_ok "/@mayor" en
t_match "/@mayor: official badge" '<span class="badge">Official \(personal account\)</span>' "$BODY"
t_match "/@mayor: the disclaimer names the agency" \
    "Personal account: views are my own and not the official position of <a href=\"$H_BASE/@health\">Test health</a>" "$BODY"
get "/@mayor?lang=zh-CN"
page_ok "/@mayor ?lang=zh-CN" zh-CN
t_match "/@mayor (zh): the disclaimer in Chinese" \
    "个人账号：所发表言论仅代表个人观点，不代表<a href=\"$H_BASE/@health\">Test health</a>的官方立场" "$BODY"
get /@alerts "$ZH"
page_ok "/@alerts (zh)" zh-CN
t_match "/@alerts (zh): service badge" '<span class="badge">自动化服务</span>' "$BODY"

# ---- pagination: 23 posts by alerts, 20 a page ----
get /@alerts
t_match "/@alerts: an Older posts link" '<a rel="next" href="/@alerts\?before=[0-9]+">Older posts</a>' "$BODY"
NEXT=$(grep -oE 'href="/@alerts\?before=[0-9]+"' <<<"$BODY" | head -n1 | cut -d'"' -f2)
P1=$(grep -oE "/@alerts/[0-9a-f]+\"" <<<"$BODY" | sort -u)
t_eq "/@alerts: 20 posts on the first page" 20 "$(wc -l <<<"$P1")"
get "$NEXT"
page_ok "/@alerts page 2" en
P2=$(grep -oE "/@alerts/[0-9a-f]+\"" <<<"$BODY" | sort -u)
t_eq "/@alerts page 2: the 2 older posts" 2 "$(wc -l <<<"$P2")"
t_eq "the pages do not overlap" "" "$(comm -12 <(echo "$P1") <(echo "$P2"))"
t_match "page 2 has the oldest" "Alert number 1<" "$BODY"
t_eq "the deleted post is on neither page" 0 "$(grep -c 'to be deleted' <<<"$BODY" || true)"
get "/?before=abc"
t_eq "a malformed cursor: 400" 400 "$ST"
t_match "... an HTML page" '^text/html' "$CT"
get "/@alerts?lang=zh-CN"
t_match "the pager keeps a chosen language" '\?before=[0-9]+&amp;lang=zh-CN' "$BODY"

# ---- post pages ----
P=$(id_of "$N1")
get "$P"
page_ok "$P" en
t_match "post: title names the account" "<title>Post by Test health \(@health@$DOMAIN\)</title>" "$BODY"
t_match "post: byline h1 names the account" "<h1 class=\"byline\"><a href=\"$H_BASE/@health\">.*<bdi>Test health</bdi></span> <span class=\"handle\">@health@$DOMAIN</span>" "$BODY"
t_match "post: og:type article" '<meta property="og:type" content="article">' "$BODY"
t_match "post: og:title names the account" "<meta property=\"og:title\" content=\"Test health \(@health@$DOMAIN\)\">" "$BODY"
t_match "post: og:description is the text" '<meta property="og:description" content="Flu season starts #flu #health">' "$BODY"
t_match "post: og:image falls back to the avatar" '<meta property="og:image" content="[^"]*/media/[0-9a-f]+\.jpg">' "$BODY"
t_match "post: published time" '<meta property="article:published_time" content="20[0-9-]+T[0-9:]+Z">' "$BODY"
t_match "post: fediverse:creator" "<meta name=\"fediverse:creator\" content=\"@health@$DOMAIN\">" "$BODY"
t_match "post: the post's language" '<div class="body" lang="en">' "$BODY"
t_match "post: counts" '[0-9]+ repl(y|ies)</span> · <span>0 likes</span> · <span>0 shares' "$BODY"
t_match "post: our reply in the thread, named" "Replies</h2>.*<bdi>Mayor Li</bdi>.*Get your flu shot" "$(tr -d '\n' <<<"$BODY")"
get "$P" "$ZH"
page_ok "$P (zh)" zh-CN
t_match "post (zh): title translated" "<title>Test health（@health@$DOMAIN）的发布</title>" "$BODY"
t_match "post (zh): counts translated" '[0-9]+ 条回复</span> · <span>0 次点赞' "$BODY"
get "$(id_of "$NREPLY")"
page_ok "the reply" en
t_match "the reply shows the post it answers" 'In reply to</p>.*Flu season starts' "$(tr -d '\n' <<<"$BODY")"
get "$(id_of "$NIMG")"
page_ok "image post" en
t_match "image post: img with its alt text" '<img src="[^"]*/media/[0-9a-f]+\.[a-z]+" alt="Map of the clinics"' "$BODY"
t_match "image post: the alt text visible" '<figcaption aria-hidden="true">Map of the clinics</figcaption>' "$BODY"
SRC=$(grep -oE '<img src="[^"]*" alt="Map of the clinics"' <<<"$BODY" | cut -d'"' -f2)
t_match "image post: og:image is the image" "<meta property=\"og:image\" content=\"$SRC\">" "$BODY"
get "$(id_of "$NPOLL")"
page_ok "poll" en
t_match "poll: options with counts and meters" '<span class="option" lang="en">Morning</span> <span class="votes">0 votes \(0%\)</span><meter ' "$BODY"
t_match "poll: open until its end" "Open until <time datetime=\"$CLOSES\">" "$BODY"
get "$(id_of "$NPOLL")" "$ZH"
t_match "poll (zh): translated" '投票截止于' "$BODY"
get "$(id_of "$NZH")" "$ZH"
page_ok "Chinese post (zh)" zh-CN
t_match "Chinese post: lang zh on the post" '<div class="body" lang="zh"><details class="cw"><summary>施工通知</summary><p>道路施工</p>' "$BODY"
t_match "Chinese post: og:description is the warning, not the text" '<meta property="og:description" content="施工通知">' "$BODY"
get "$(id_of "$NZH")"
page_ok "Chinese post (en)" en
get "$(id_of "$NFOL")"
t_eq "a followers-only post has no page: 404" 404 "$ST"
t_eq "... and says nothing of it" 0 "$(grep -c 'followers only secret' <<<"$BODY" || true)"

# ---- tags ----
get /tags/flu
page_ok "/tags/flu" en
t_match "/tags/flu: the tagged post" "Flu season starts" "$BODY"
t_match "/tags/flu: its author named" "<bdi>Test health</bdi></span> <span class=\"handle\">@health@$DOMAIN" "$BODY"
t_match "/tags/flu: feed discovery" '<link rel="alternate" type="application/rss\+xml" href="/tags/flu.rss"' "$BODY"
t_eq "/tags/flu: only tagged posts" 0 "$(grep -c 'Alert number' <<<"$BODY" || true)"
get /tags/FLU "$ZH"
page_ok "/tags/FLU (zh)" zh-CN
t_match "/tags/FLU (zh): translated heading" '话题 #FLU 的发布' "$BODY"

# ---- errors ----
for lang in en zh; do
    al=$([ $lang = en ] && echo en || echo "$ZH")
    get "$(id_of "$NDEL")" "$al"
    t_eq "deleted post ($lang): 410" 410 "$ST"
    t_match "deleted post ($lang): an HTML page" '^text/html' "$CT"
    t_match "deleted post ($lang): in the reader's language" \
        "$([ $lang = en ] && echo 'This has been deleted' || echo '此内容已删除')" "$BODY"
    t_match "deleted post ($lang): says what happened" \
        "$([ $lang = en ] && echo 'Its author deleted it' || echo '发布者已将其删除')" "$BODY"
    t_eq "deleted post ($lang): not cached" no-store "$CC"
    for path in /@nobody /@health/0123abcd /tags/nosuchtag; do
        get "$path" "$al"
        t_eq "$path ($lang): 404" 404 "$ST"
        t_match "$path ($lang): an HTML page in the reader's language" \
            "$([ $lang = en ] && echo 'Page not found' || echo '找不到页面')" "$BODY"
    done
done
for path in /@nobody /@health/0123abcd; do
    get "$path" en application/activity+json
    t_eq "$path for ActivityPub: 404" 404 "$ST"
    t_eq "$path for ActivityPub: JSON" not_found "$(printf '%s' "$BODY" | t_jq .error)"
done

# ---- revalidation ----
for path in / /@health "$(id_of "$N1")" /tags/flu; do
    get "$path"
    t_match "$path: a strong ETag" '^"[0-9a-f]+"$' "$ETAG"
    st=$(curl -s -o /dev/null -w '%{http_code}' -H "Accept: $BROWSER" -H 'Accept-Language: en' \
        -H "If-None-Match: $ETAG" "$H_BASE$path")
    t_eq "$path: If-None-Match answers 304" 304 "$st"
done

h_stop
t_done

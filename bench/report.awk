# bench/report.awk - turns bench/run's results file into the one table (markdown).
# Input lines (medians are taken over the repetitions):
#   read CFG EP SERVER RPS P50_MS P99_MS ERRORS      bytes EP N
#   fanout TAG REQUESTS SECONDS PER_S FIRST_MS CPU_MS_PER CLI_MS ERRORS QUEUE
#   rsa sign_per_s N                                  commit fdatasync|store N SECONDS PER_S
#   ingest SENT ACCEPTED REJECTED ERRORS SECONDS PER_S P50 P99 SIGN_S
#   scale WHAT small|big RPS P50 P99 ERRORS           disk small|big POSTS DU_BYTES USED_BYTES
#   startup ms N      mem idle|after VMRSS_KB RSSANON_KB      mempeak TAG VMRSS_KB RSSANON_KB
#   mem idle_after VMRSS_KB RSSANON_KB SECONDS MAX_SECONDS     skip EP HTTP_STATUS (not measured)
# Variables: conns ("64 256"), pin_eps, followers, wide, shared, scale_small, scale_big,
# ingest_c, quick (1: "-" in the "holds" column instead of a verdict).

function add(k, v) { vals[k, ++cnt[k]] = v + 0 }
function med(k,    n, i, j, t, a) {
    n = cnt[k]
    if (n == 0) return "-"
    for (i = 1; i <= n; i++) a[i] = vals[k, i]
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function sum(k,    i, s) { for (i = 1; i <= cnt[k]; i++) s += vals[k, i]; return s + 0 }
function f(v, d) { return v == "-" ? "-" : sprintf("%.*f", d, v) }
function ratio(a, b) { return (a == "-" || b == "-" || b == 0) ? "-" : sprintf("%.2f", a / b) }
# quick=1 (bench/run --quick, a smoke run on a busy machine): figures only, no verdicts.
function yes(c) { return quick ? "-" : (c ? "yes" : "NO") }
function row(a, b, c, d, e, g) { printf "| %-52s | %-15s | %-20s | %-5s | %-28s | %-5s |\n", a, b, c, d, e, g }

$1 == "read" { k = $2 SUBSEP $3 SUBSEP $4; add(k "rps", $5); add(k "p50", $6); add(k "p99", $7); add(k "err", $8); seen[$2, $3] = 1 }
$1 == "bytes" { bytes[$2] = $3 }
$1 == "fanout" { for (i = 3; i <= 10; i++) add("fan" $2 i, $i) }
$1 == "rsa" { add("sign", $3) }
$1 == "commit" { add("commit" $2, $5) }
$1 == "ingest" { for (i = 2; i <= 10; i++) add("ing" i, $i) }
$1 == "scale" { k = $2 SUBSEP $3; add(k "p50", $5); add(k "p99", $6) }
$1 == "disk" { dposts[$2] = $3; ddu[$2] = $4; dused[$2] = $5 }
$1 == "startup" { add("startup", $3) }
$1 == "mem" { memv[$2] = $3; mema[$2] = $4; mems[$2] = $5; memmax[$2] = $6 }
$1 == "skip" { skipped[$2] = $3 }
$1 == "mempeak" { peakv[$2] = $3; peaka[$2] = $4 }

END {
    row("measurement", "Herald", "reference", "ratio", "target", "holds")
    row("----------------------------------------------------", "---------------", "--------------------", "-----", "----------------------------", "-----")
    ncfg = split(conns, cl, " ")
    for (i = 1; i <= ncfg; i++) cfgs[i] = "c" cl[i]
    cfgs[++ncfg] = "pin64"
    neps = split("webfinger actor note outbox profile permalink feed", eps, " ")
    for (i = 1; i <= ncfg; i++) for (e = 1; e <= neps; e++) {
        cfg = cfgs[i]; ep = eps[e]
        if (cfg == "c64" && (ep in skipped))
            row(sprintf("read %s: NOT MEASURED, Herald answered %s", ep, skipped[ep]), "-", "-", "-", ">= 0.5x nginx, p99 <= 20 ms", quick ? "-" : "NO")
        if (!((cfg, ep) in seen)) continue
        h = cfg SUBSEP ep SUBSEP "herald"; n = cfg SUBSEP ep SUBSEP "nginx"
        hr = med(h "rps"); nr = med(n "rps"); h99 = med(h "p99"); r = ratio(hr, nr)
        label = sprintf("read %s (%d B), %s conns", ep, bytes[ep], substr(cfg, 2))
        if (cfg == "pin64") label = sprintf("read %s, 64 conns, wrk on cpu0, server cpu1", ep)
        if (sum(h "err") > 0) label = label sprintf(" (%d errors)", sum(h "err"))
        tgt = "(info)"; ok = "-"
        if (cfg == "c64" && ep == "outbox") { tgt = ">= 0.8x nginx"; ok = r == "-" ? "n/a" : yes(r >= 0.8) }
        else if (cfg == "c64") { tgt = ">= 0.5x nginx, p99 <= 20 ms"; ok = r == "-" ? "n/a" : yes(r >= 0.5 && h99 <= 20) }
        row(label ", req/s", f(hr, 0), "nginx " f(nr, 0), r, tgt, ok)
        row("  p50 / p99 ms", f(med(h "p50"), 2) " / " f(h99, 2), f(med(n "p50"), 2) " / " f(med(n "p99"), 2), "", "", "")
    }

    sign = med("sign"); ceil2 = sign == "-" ? "-" : 2 * sign
    for (t = 1; t <= 2; t++) {
        tag = t == 1 ? "distinct" : "shared"
        ps = med("fan" tag 5); fm = med("fan" tag 6)
        if (tag == "distinct") {
            label = sprintf("fan-out to %d followers, distinct inboxes", followers)
            tgt = ">= 3000/s and >= 0.4x 2-core"
            ok = (ps == "-" || ceil2 == "-") ? "n/a" : yes(ps >= 3000 && ps >= 0.4 * ceil2)
        } else {
            label = sprintf("fan-out to %d followers, %d shared inboxes", wide, shared)
            tgt = "(info)"; ok = "-"
        }
        if (sum("fan" tag 9) > 0) label = label sprintf(" (%d missing/failed)", sum("fan" tag 9))
        row(label ", deliveries/s", f(ps, 0), "RSA sign/s 2 x " f(sign, 0), ratio(ps, ceil2), tgt, ok)
        row(sprintf("  publish -> last of %d deliveries, s", med("fan" tag 3)), f(med("fan" tag 4), 3), "", "", "", "")
        row("  publish -> first delivery, ms", f(fm, 1), "", "", tag == "distinct" ? "<= 100 ms" : "(info)",
            tag == "distinct" ? (fm == "-" ? "n/a" : yes(fm <= 100)) : "-")
        row("  herald CPU ms per delivery", f(med("fan" tag 7), 3), sign == "-" || sign == 0 ? "-" : sprintf("1 RSA sign = %.3f ms", 1000 / sign), "", "", "")
        row("  `herald post` command, ms", f(med("fan" tag 8), 1), "", "", "", "")
    }

    ips = med("ing7"); cst = med("commitstore"); craw = med("commitfdatasync")
    label = sprintf("ingest: signed replies over %d conns, accepted/s", ingest_c)
    if (sum("ing4") + sum("ing5") > 0) label = label sprintf(" (%d not 202)", sum("ing4") + sum("ing5"))
    row(label, f(ips, 0), "LMDB commits/s " f(cst, 0), ratio(ips, cst), ">= 2x one commit per write",
        (ips == "-" || cst == "-") ? "n/a" : yes(ips >= 2 * cst))
    row("  vs 200 B write + fdatasync per write", "", f(craw, 0) "/s", ratio(ips, craw), "(info)", "-")
    row("  p50 / p99 ms per POST", f(med("ing8"), 2) " / " f(med("ing9"), 2), "", "", "", "")

    split("outbox outbox_mid note", ws, " ")
    for (w = 1; w <= 3; w++) {
        what = ws[w]
        b50 = med(what SUBSEP "big" "p50"); s50 = med(what SUBSEP "small" "p50")
        b99 = med(what SUBSEP "big" "p99"); s99 = med(what SUBSEP "small" "p99")
        label = what == "outbox" ? "first outbox page" : what == "outbox_mid" ? "outbox page, middle cursor" : "one note (middle)"
        r = ratio(b50, s50)
        row(sprintf("scale: %s p50 ms, %d vs %d posts", label, scale_big, scale_small), f(b50, 2), f(s50, 2), r, "<= 2x (p50)", r == "-" ? "n/a" : yes(r <= 2))
        row("  p99 ms", f(b99, 2), f(s99, 2), ratio(b99, s99), "(info)", "-")
    }
    split("big small", ss, " ")
    for (s = 1; s <= 2; s++) if (dposts[ss[s]] > 0)
        row(sprintf("disk: bytes per post, %d posts (du / used pages)", dposts[ss[s]]),
            f(ddu[ss[s]] / dposts[ss[s]], 0), f(dused[ss[s]] / dposts[ss[s]], 0) " (mdb_stat -e)", "", "(info)", "-")

    row("memory idle: RssAnon / VmRSS, MiB", f(mema["idle"] / 1024, 1) " / " f(memv["idle"] / 1024, 1), "", "", "RssAnon <= 8 MiB", yes(mema["idle"] <= 8192))
    split("read fanout ingest", ls, " ")
    for (l = 1; l <= 3; l++)
        row("memory under " ls[l] " load (peak): RssAnon / VmRSS", f(peaka[ls[l]] / 1024, 1) " / " f(peakv[ls[l]] / 1024, 1), "", "", "RssAnon <= 32 MiB",
            peaka[ls[l]] > 0 ? yes(peaka[ls[l]] <= 32768) : "n/a")
    row("memory idle after all loads: RssAnon / VmRSS", f(mema["after"] / 1024, 1) " / " f(memv["after"] / 1024, 1), "", "", "(info)", "-")
    if ("idle_after" in mema)
        row(sprintf("memory after %d s idle: RssAnon / VmRSS", mems["idle_after"]), f(mema["idle_after"] / 1024, 1) " / " f(memv["idle_after"] / 1024, 1), "", "",
            sprintf("RssAnon <= 8 MiB within %d s", memmax["idle_after"]), yes(mema["idle_after"] <= 8192))
    row("start-up: exec -> first 200 on nodeinfo, ms", f(med("startup"), 1), "", "", "(info)", "-")
}

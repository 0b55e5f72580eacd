/* tests/unit/federation/test_sanitize.c - fed_sanitize_html: what a remote server's HTML
 * may become on our pages. Every payload's output is checked by one strict reader of our
 * own output format (only allow-listed tags, only our attributes, http(s) links only),
 * then for what each case is about; and sanitising the output again changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "federation/fed_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REL " rel=\"nofollow noopener noreferrer ugc\" target=\"_blank\""

static char *san_n(const char *html, size_t len, size_t limit)
{
    struct hr_buf b;

    hr_buf_init(&b, limit);
    fed_sanitize_html(html, len, &b);
    assert_int_equal(b.err, HR_OK);
    return hr_buf_take(&b);
}

static char *san(const char *html)
{
    return san_n(html, strlen(html), 4u << 20);
}

/* strcasestr is a GNU extension: the same for C17 + POSIX. */
static const char *has_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay != '\0'; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

static const char *const tags[] = {"p",    "br", "a",   "span", "strong",     "em", "b", "i", "u",
                                   "s",    "del", "code", "pre", "blockquote", "ul", "ol", "li"};

static bool known_tag(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strlen(tags[i]) == n && memcmp(tags[i], p, n) == 0)
            return true;
    return false;
}

/* ATTRS (up to '>') as our writer makes them for TAG; fails the test otherwise. */
static void check_attrs(const char *tag, size_t n, const char *attrs, size_t alen)
{
    char buf[16384];
    const char *rest = buf;

    assert_true(alen < sizeof buf);
    memcpy(buf, attrs, alen);
    buf[alen] = '\0';
    if (n == 1 && tag[0] == 'a') {
        assert_true(strncasecmp(rest, " href=\"http://", 14) == 0 ||
                    strncasecmp(rest, " href=\"https://", 15) == 0);
        rest = strchr(rest + 7, '"');
        assert_non_null(rest);
        assert_true(strncmp(rest + 1, REL, strlen(REL)) == 0);
        rest += 1 + strlen(REL);
    }
    if (((n == 1 && tag[0] == 'a') || (n == 4 && memcmp(tag, "span", 4) == 0)) &&
        strncmp(rest, " class=\"", 8) == 0) {
        rest = strchr(rest + 8, '"');
        assert_non_null(rest);
        rest++;
    }
    assert_string_equal(rest, "");
}

/* Every '<' opens or closes an allow-listed tag with only our attributes; no raw bidi
 * control; every '&' starts an entity; no quote or '>' loose in text. */
static void check_safe(const char *out)
{
    for (const char *p = out; *p != '\0'; p++) {
        const unsigned char *u = (const unsigned char *)p;
        assert_false(u[0] == 0xe2 && ((u[1] == 0x80 && u[2] >= 0xaa && u[2] <= 0xae) ||
                                      (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9)));
        assert_true(*p != '>' && *p != '"' && *p != '\'');
        if (*p != '<')
            continue;
        const char *name = p + 1 + (p[1] == '/');
        size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz");
        const char *end = strchr(name, '>');
        assert_non_null(end);
        assert_true(known_tag(name, n));
        if (p[1] == '/')
            assert_true(end == name + n);
        else
            check_attrs(name, n, name + n, (size_t)(end - name - n));
        p = end;
    }
    assert_null(has_ci(out, "<script"));
    assert_null(has_ci(out, "javascript:"));
    assert_null(has_ci(out, "href=\"data:"));
    assert_null(has_ci(out, "vbscript:"));
}

struct payload {
    const char *name, *in;
    const char *keep; /* must be in the output (NULL: nothing in particular) */
    const char *gone; /* must not be, compared case-insensitively (NULL: check_safe only) */
};

static const struct payload payloads[] = {
    {"script", "<p>hi<script>alert(1)</script></p>", "<p>hi</p>", "alert"},
    {"script upper", "<SCRIPT SRC=//evil.example/x.js></SCRIPT>ok", "ok", "evil"},
    {"onerror img", "<img src=x onerror=alert(1)>after", "after", "onerror"},
    {"onclick allowed tag", "<p onclick=\"alert(1)\">x</p>", "<p>x</p>", "onclick"},
    {"onmouseover link", "<a href=\"https://a.example/\" onmouseover=alert(1)>l</a>",
     "<a href=\"https://a.example/\"" REL ">l</a>", "onmouseover"},
    {"onload body", "<body onload=alert(1)>b</body>", "b", "onload"},
    {"style attr", "<span style=\"background:url(javascript:alert(1))\">s</span>",
     "<span>s</span>", "style"},
    {"javascript", "<a href=\"javascript:alert(1)\">x</a>", "x", "href"},
    {"JaVaScRiPt", "<a href=\"JaVaScRiPt:alert(1)\">x</a>", "x", "href"},
    {"java tab script", "<a href=\"java&#x09;script:alert(1)\">x</a>", "x", "href"},
    {"java newline script", "<a href=\"java\nscript:alert(1)\">x</a>", "x", "href"},
    {"entity j", "<a href=\"&#106;avascript:alert(1)\">x</a>", "x", "href"},
    {"entity colon", "<a href=\"javascript&colon;alert(1)\">x</a>", "x", "href"},
    {"leading space", "<a href=\" javascript:alert(1)\">x</a>", "x", "href"},
    {"leading control", "<a href=\"\x01javascript:alert(1)\">x</a>", "x", "href"},
    {"leading space https", "<a href=\" https://a.example/\">x</a>", "x", "href"},
    {"data html", "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">d</a>",
     "d", "href"},
    {"vbscript", "<a href=\"vbscript:msgbox(1)\">v</a>", "v", "href"},
    {"protocol relative", "<a href=\"//evil.example/\">r</a>", "r", "href"},
    {"relative", "<a href=\"/admin\">r</a>", "r", "href"},
    {"no host", "<a href=\"https://\">r</a>", "r", "href"},
    {"svg style img", "<svg><style><img src=x onerror=alert(1)></style></svg>t", "t", "img"},
    {"svg script", "<svg><script>alert(1)</script></svg>", NULL, "alert"},
    {"svg a", "<svg><a xlink:href=\"javascript:alert(1)\"><text>x</text></a></svg>", NULL,
     "xlink"},
    {"math mglyph", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", NULL,
     "onerror"},
    {"math mtext", "<math><mtext><h1><a><style><img src=x onerror=alert(1)>", NULL, "onerror"},
    {"form math", "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
     NULL, "onerror"},
    {"noscript", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">", NULL,
     "onerror"},
    {"xmp", "<xmp><img src=x onerror=alert(1)></xmp>", NULL, "onerror"},
    {"plaintext", "a<plaintext><img src=x onerror=alert(1)>", "a", "onerror"},
    {"listing", "<listing>&lt;img src=x onerror=alert(1)&gt;</listing>", NULL, "onerror"},
    {"noembed", "<noembed><img src=x onerror=alert(1)></noembed>", NULL, "onerror"},
    {"iframe srcdoc", "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>", NULL, "srcdoc"},
    {"iframe", "<iframe src=\"https://evil.example/\"></iframe>i", "i", "iframe"},
    {"style", "<style>body{display:none}</style>s", "s", "display"},
    {"object", "<object data=\"x.swf\"><param name=a></object>", NULL, "object"},
    {"embed", "<embed src=\"x.swf\">", NULL, "embed"},
    {"form", "<form action=\"https://evil.example/\"><input name=p><button>go</button></form>",
     NULL, "form"},
    {"meta refresh", "<meta http-equiv=\"refresh\" content=\"0;url=https://evil.example/\">",
     NULL, "refresh"},
    {"base", "<base href=\"https://evil.example/\">", NULL, "base"},
    {"link", "<link rel=stylesheet href=\"https://evil.example/x.css\">", NULL, "stylesheet"},
    {"template", "<template><img src=x onerror=alert(1)></template>", NULL, "onerror"},
    {"breakout dq", "<a href=\"https://a.example/\"><script>alert(1)</script>\">x</a>", NULL,
     NULL},
    {"breakout sq", "<span class='mention'><img src=x onerror=alert(1)>'>x</span>", NULL,
     "onerror"},
    {"breakout attr", "<a href='https://a.example/\"><script>alert(1)</script>'>x</a>",
     "&quot;&gt;&lt;script&gt;", NULL},
    {"bidi text", "<p>abc\xe2\x80\xae" "dcba\xe2\x81\xa6" "x\xe2\x81\xa9</p>", "\xef\xbf\xbd", NULL},
    {"bidi link", "<a href=\"https://a.example/\">\xe2\x80\xae" "moc.live</a>",
     "\xef\xbf\xbdmoc.live", NULL},
    {"nested unclosed", "<p><b><i>x<p>y<ul><li>z", NULL, NULL},
    {"p in p via button", "<p><button><p>x</p></button></p>", NULL, NULL},
    {"li in li via table", "<ul><li><table><tr><td><li>x</li></td></tr></table></li></ul>", NULL,
     NULL},
    {"a in a via table", "<a href=\"https://a.example/\"><table><td><a href=\"https://b.example/\">"
                         "x</a></td></table></a>",
     NULL, NULL},
    {"pre newline", "<pre>\n\nx</pre>", "<pre>\n\nx</pre>", NULL},
    {"nul", "a\0<script>b", NULL, NULL},
    {"invalid utf8", "<p>\xff\xfe\xc3(\xed\xa0\x80</p>", NULL, NULL},
    {"comment", "<!-- <script>alert(1)</script> -->c", "c", "alert"},
    {"doctype", "<!DOCTYPE html><html><head><title>t</title></head><body>b</body></html>", "b",
     "title"},
    {"cdata", "<![CDATA[<script>alert(1)</script>]]>", NULL, NULL},
    {"custom element", "<x-widget onclick=alert(1)>kept</x-widget>", "kept", "x-widget"},
    {"class filter", "<span class=\"invisible evil h-card\">s</span>",
     "<span class=\"invisible h-card\">s</span>", "evil"},
    {"mention", "<p><span class=\"h-card\"><a href=\"https://a.example/@u\" class=\"u-url "
                "mention\">@<span>u</span></a></span> hello</p>",
     "<p><span class=\"h-card\"><a href=\"https://a.example/@u\"" REL
     " class=\"u-url mention\">@<span>u</span></a></span> hello</p>",
     NULL},
    {"benign", "<p>Line<br>two &amp; <strong>bold</strong> <em>em</em></p><blockquote>q</blockquote>",
     "<p>Line<br>two &amp; <strong>bold</strong> <em>em</em></p><blockquote>q</blockquote>", NULL},
    {"HTTPS upper", "<a href=\"HTTPS://A.example/\">u</a>", "href=\"HTTPS://A.example/\"", NULL},
};

#define N_PAYLOADS (sizeof payloads / sizeof payloads[0])

/* NUL and invalid UTF-8 are in the inputs on purpose: their length is their array's. */
static size_t payload_len(const struct payload *p)
{
    if (strcmp(p->name, "nul") == 0)
        return 16;
    return strlen(p->in);
}

static void every_payload_comes_out_as_allow_listed_markup_only(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_PAYLOADS; i++) {
        const struct payload *p = &payloads[i];
        char *out = san_n(p->in, payload_len(p), 4u << 20);
        print_message("%s -> %s\n", p->name, out);
        check_safe(out);
        if (p->keep != NULL && strstr(out, p->keep) == NULL)
            fail_msg("%s: \"%s\" lost from \"%s\"", p->name, p->keep, out);
        if (p->gone != NULL && has_ci(out, p->gone) != NULL)
            fail_msg("%s: \"%s\" kept in \"%s\"", p->name, p->gone, out);
        free(out);
    }
}

static void sanitising_the_output_again_changes_nothing(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_PAYLOADS; i++) {
        char *once = san_n(payloads[i].in, payload_len(&payloads[i]), 4u << 20);
        char *twice = san(once);
        if (strcmp(once, twice) != 0)
            fail_msg("%s: \"%s\" then \"%s\"", payloads[i].name, once, twice);
        free(twice);
        free(once);
    }
}

static void script_and_handlers_are_gone_and_their_text_with_them(void **state)
{
    char *out = san("<p>a<script>document.cookie</script>b<style>p{}</style>c</p>");

    (void)state;
    assert_string_equal(out, "<p>abc</p>");
    free(out);
}

static void a_link_keeps_its_https_href_and_gets_our_rel(void **state)
{
    char *out = san("<a href=\"https://x.example/a?b=1&amp;c=2\" rel=\"me\" target=\"_top\">x</a>");

    (void)state;
    assert_string_equal(out, "<a href=\"https://x.example/a?b=1&amp;c=2\"" REL ">x</a>");
    free(out);
}

static void a_refused_link_keeps_its_text_unlinked(void **state)
{
    char *out = san("<p><a href=\"javascript:alert(1)\" class=\"mention\">click</a></p>");

    (void)state;
    assert_string_equal(out, "<p>click</p>");
    free(out);
}

static void deep_nesting_is_cut_at_the_depth_limit(void **state)
{
    struct hr_buf in;
    char *html, *out;

    (void)state;
    hr_buf_init(&in, 1u << 20);
    for (int i = 0; i < 5000; i++)
        hr_buf_adds(&in, "<span>");
    hr_buf_adds(&in, "deep");
    html = hr_buf_take(&in);
    out = san(html);
    check_safe(out);
    assert_null(strstr(out, "deep")); /* past the limit: dropped, not re-rooted */
    assert_true(strlen(out) < 64 * 14 + 1);
    free(out);
    free(html);
}

static void a_long_reply_is_cut_to_the_room_left_with_its_tags_closed(void **state)
{
    struct hr_buf in, b;
    char *html;

    (void)state;
    hr_buf_init(&in, 1u << 20);
    hr_buf_adds(&in, "<blockquote><p><b>");
    for (int i = 0; i < 20000; i++)
        hr_buf_adds(&in, "\"<>&'");
    html = hr_buf_take(&in);
    hr_buf_init(&b, 8192);
    hr_buf_adds(&b, "<div>");
    fed_sanitize_html(html, strlen(html), &b);
    assert_int_equal(b.err, HR_OK);
    assert_true(b.len <= 8192);
    assert_true(strstr(b.data, "</b></p></blockquote>") != NULL);
    check_safe(b.data + 5);
    hr_buf_fini(&b);
    free(html);
}

static void an_out_buffer_already_in_error_gets_nothing(void **state)
{
    struct hr_buf b;

    (void)state;
    hr_buf_init(&b, 4);
    hr_buf_adds(&b, "12345");
    fed_sanitize_html("<p>x</p>", 8, &b);
    assert_int_equal(b.err, HR_ETOOBIG);
    assert_int_equal(b.len, 0);
    hr_buf_fini(&b);
}

static void empty_and_null_input_write_nothing(void **state)
{
    struct hr_buf b;

    (void)state;
    hr_buf_init(&b, 1024);
    fed_sanitize_html("", 0, &b);
    fed_sanitize_html(NULL, 0, &b);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.err, HR_OK);
    hr_buf_fini(&b);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test(every_payload_comes_out_as_allow_listed_markup_only),
        cmocka_unit_test(sanitising_the_output_again_changes_nothing),
        cmocka_unit_test(script_and_handlers_are_gone_and_their_text_with_them),
        cmocka_unit_test(a_link_keeps_its_https_href_and_gets_our_rel),
        cmocka_unit_test(a_refused_link_keeps_its_text_unlinked),
        cmocka_unit_test(deep_nesting_is_cut_at_the_depth_limit),
        cmocka_unit_test(a_long_reply_is_cut_to_the_room_left_with_its_tags_closed),
        cmocka_unit_test(an_out_buffer_already_in_error_gets_nothing),
        cmocka_unit_test(empty_and_null_input_write_nothing),
    };
    return cmocka_run_group_tests(t, NULL, NULL);
}

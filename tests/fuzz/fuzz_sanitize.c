/* tests/fuzz/fuzz_sanitize.c - fed_sanitize_html on any bytes:
 * 1. the output holds only allow-listed tags, each with only the attributes the sanitiser
 *    writes (so no on*= handler and no style), every href is http:// or https:// (so no
 *    javascript:, data: or vbscript:), never "<script", no raw bidi control;
 * 2. the output is valid UTF-8 when the input was;
 * 3. sanitising the output again gives the same bytes (the output re-parses to itself);
 * 4. OUT's error stays clear and its cap holds.
 * Any violation abort()s so libFuzzer reports the input. */
#include "fuzz.h"

#include "federation/fed_int.h"

#include <strings.h>

#define REL " rel=\"nofollow noopener noreferrer ugc\" target=\"_blank\""

static const char *const tags[] = {"p",  "br",   "a",   "span", "strong",     "em", "b",  "i", "u",
                                   "s",  "del",  "code", "pre", "blockquote", "ul", "ol", "li"};

static bool known_tag(const char *p, size_t n)
{
    for (size_t i = 0; i < sizeof tags / sizeof tags[0]; i++)
        if (strlen(tags[i]) == n && memcmp(tags[i], p, n) == 0)
            return true;
    return false;
}

/* The attributes of tag NAME (N bytes) from P to END ('>'): ours only. */
static void check_attrs(const char *name, size_t n, const char *p, const char *end)
{
    bool a = n == 1 && name[0] == 'a', span = n == 4 && memcmp(name, "span", 4) == 0;

    if (a) {
        FUZZ_CHECK(strncasecmp(p, " href=\"http://", 14) == 0 ||
                   strncasecmp(p, " href=\"https://", 15) == 0);
        p = memchr(p + 7, '"', (size_t)(end - p - 7));
        FUZZ_CHECK(p != NULL && strncmp(p + 1, REL, strlen(REL)) == 0);
        p += 1 + strlen(REL);
    }
    if ((a || span) && strncmp(p, " class=\"", 8) == 0) {
        p = memchr(p + 8, '"', (size_t)(end - p - 8));
        FUZZ_CHECK(p != NULL);
        p++;
    }
    FUZZ_CHECK(p == end);
}

static bool bidi_at(const unsigned char *u, size_t left)
{
    return left >= 3 && u[0] == 0xe2 &&
           ((u[1] == 0x80 && u[2] >= 0xaa && u[2] <= 0xae) ||
            (u[1] == 0x81 && u[2] >= 0xa6 && u[2] <= 0xa9));
}

static void check_markup(const char *out, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        const char *p = out + i;
        FUZZ_CHECK(!bidi_at((const unsigned char *)p, len - i));
        FUZZ_CHECK(*p != '>' && *p != '"' && *p != '\'' && *p != '\0');
        if (*p != '<')
            continue;
        FUZZ_CHECK(strncasecmp(p, "<script", 7) != 0);
        const char *name = p + 1 + (p[1] == '/');
        size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyz");
        const char *end = strchr(name, '>');
        FUZZ_CHECK(end != NULL && known_tag(name, n));
        if (p[1] == '/')
            FUZZ_CHECK(end == name + n);
        else
            check_attrs(name, n, name + n, end);
        i = (size_t)(end - out);
    }
}

/* RFC 3629 §4, written independently of gumbo's decoder. */
static bool utf8_valid(const unsigned char *s, size_t n)
{
    size_t i = 0;

    while (i < n) {
        unsigned c = s[i], need, min, cp;
        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf)
            need = 1, min = 0x80, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
            need = 2, min = 0x800, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
            need = 3, min = 0x10000, cp = c & 0x07;
        else
            return false;
        if (n - i <= need)
            return false;
        for (unsigned k = 1; k <= need; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return false;
            cp = cp << 6 | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += need + 1;
    }
    return true;
}

static char *sanitise(const char *in, size_t len, size_t *out_len)
{
    struct hr_buf b;

    hr_buf_init(&b, 4u << 20);
    fed_sanitize_html(in, len, &b);
    FUZZ_CHECK(b.err == HR_OK && b.len <= (512u << 10));
    *out_len = b.len;
    return hr_buf_take(&b);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hr_log_max = HR_LOG_ERR;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n1, n2;
    char *once = sanitise((const char *)data, size, &n1), *twice;

    FUZZ_CHECK(once != NULL && strlen(once) == n1);
    check_markup(once, n1);
    if (utf8_valid(data, size))
        FUZZ_CHECK(utf8_valid((const unsigned char *)once, n1));
    twice = sanitise(once, n1, &n2);
    if (twice == NULL || n1 != n2 || memcmp(once, twice, n1) != 0)
        fprintf(stderr, "once:  %s\ntwice: %s\n", once, twice ? twice : "(null)");
    FUZZ_CHECK(twice != NULL && n1 == n2 && memcmp(once, twice, n1) == 0);
    free(twice);
    free(once);
    return 0;
}

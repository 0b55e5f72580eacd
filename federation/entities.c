/* federation/entities.c - links, #hashtags and @user@host mentions in a post's plain text,
 * found as Mastodon finds them (app/models/tag.rb HASHTAG_RE, app/models/account.rb
 * MENTION_RE, and its extractor, where a URL wins over a tag or mention inside it).
 *
 * Characters are classified by code point, decoded here from UTF-8 (the text was checked
 * valid before), with glibc's built-in "C.UTF-8" locale through newlocale() and the _l
 * functions of <wctype.h>: the full Unicode letter and case tables, independent of the
 * process locale (which Herald never sets) and thread-safe. Combining marks, which glibc
 * does not call alphabetic, are word characters through a small table, as in Ruby's
 * [[:word:]]. Without that locale (a stripped system), non-ASCII code points outside
 * the punctuation and symbol blocks count as letters and only ASCII is lower-cased. */
#include "federation/fed_int.h"

#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <wctype.h>

static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_init(void)
{
    utf8_locale = hr_newlocale(LC_CTYPE_MASK, "C.UTF-8");
}

/* The code point at P[0..N) (valid UTF-8) into *CP; its length in bytes (1 at least). */
static size_t decode(const char *p, size_t n, uint32_t *cp)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t len = u[0] < 0x80 ? 1 : u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3 : 4;
    uint32_t c = len == 1 ? u[0] : len == 2 ? u[0] & 0x1Fu : len == 3 ? u[0] & 0x0Fu : u[0] & 0x07u;

    if (len > n) { /* cannot happen for valid UTF-8: treat the byte as itself */
        *cp = u[0];
        return 1;
    }
    for (size_t i = 1; i < len; i++)
        c = (c << 6) | (u[i] & 0x3Fu);
    *cp = c;
    return len;
}

/* The code point ending just before P[AT] (0 at the start). */
static uint32_t decode_before(const char *p, size_t at)
{
    size_t s = at;
    uint32_t cp = 0;

    if (at == 0)
        return 0;
    while (s > 0 && ((unsigned char)p[s - 1] & 0xC0) == 0x80 && at - s < 3)
        s--;
    if (s > 0)
        s--;
    decode(p + s, at - s, &cp);
    return cp;
}

/* Combining marks (Unicode Mn/Mc in the scripts an agency is likely to write). */
static bool is_mark(uint32_t c)
{
    static const uint32_t ranges[][2] = {
        {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F},
        {0x0670, 0x0670}, {0x06D6, 0x06ED}, {0x0900, 0x0903}, {0x093A, 0x094F}, {0x0951, 0x0957},
        {0x0962, 0x0963}, {0x0981, 0x0983}, {0x09BC, 0x09D7}, {0x0A01, 0x0A03}, {0x0A3C, 0x0A51},
        {0x0A81, 0x0A83}, {0x0ABC, 0x0ACD}, {0x0B01, 0x0B03}, {0x0B3C, 0x0B57}, {0x0BBE, 0x0BCD},
        {0x0C00, 0x0C04}, {0x0C3E, 0x0C56}, {0x0D00, 0x0D03}, {0x0D3B, 0x0D4D}, {0x0E31, 0x0E31},
        {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x0EB1, 0x0EBC}, {0x0F18, 0x0F19}, {0x0F71, 0x0F84},
        {0x102B, 0x103E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x20D0, 0x20FF}, {0x302A, 0x302F},
        {0x3099, 0x309A}, {0xFE20, 0xFE2F},
    };

    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
        if (c >= ranges[i][0] && c <= ranges[i][1])
            return true;
    return false;
}

/* Without the locale: punctuation, symbols, spaces and emoji are not letters. */
static bool fallback_alpha(uint32_t c)
{
    if (c < 0x80)
        return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
    return !((c >= 0x80 && c <= 0xBF) || c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x2BFF) ||
             (c >= 0x2E00 && c <= 0x2E7F) || (c >= 0x3000 && c <= 0x303F) || c == 0x30FB ||
             (c >= 0xFE10 && c <= 0xFE6F) || (c >= 0xFF00 && c <= 0xFF20) ||
             (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65) ||
             (c >= 0xE000 && c <= 0xF8FF) || c >= 0x1F000);
}

static bool is_alpha(uint32_t c)
{
    pthread_once(&utf8_once, utf8_init);
    if (utf8_locale == (locale_t)0)
        return fallback_alpha(c);
    return iswalpha_l((wint_t)c, utf8_locale) != 0;
}

static bool is_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || is_alpha(c);
}

/* Ruby's [[:word:]]: letters, marks, digits and the underscore. */
static bool is_word(uint32_t c)
{
    return c == '_' || is_alnum(c) || is_mark(c);
}

/* Mastodon's HASHTAG_SEPARATORS after the underscore: middle dot, katakana middle dot,
 * zero-width non-joiner (Persian writes the ZWNJ inside words). */
static bool is_separator(uint32_t c)
{
    return c == 0x00B7 || c == 0x30FB || c == 0x200C;
}

static bool link_start(const char *p, size_t n)
{
    return (n >= 8 && strncmp(p, "https://", 8) == 0) || (n >= 7 && strncmp(p, "http://", 7) == 0);
}

/* Length of the URL at P (which begins with http:// or https://): up to white space or a
 * character that cannot end a link in prose; trailing punctuation is left to the sentence.
 * 0 when curl_url does not accept it. */
static size_t link_len(const char *p, size_t max)
{
    size_t n = 0;
    char tmp[2049];

    while (n < max && p[n] != ' ' && p[n] != '\n' && p[n] != '\t' && p[n] != '\r' && p[n] != '<' &&
           p[n] != '>' && p[n] != '"' && n < 2048)
        n++;
    while (n > 0 && strchr(".,;:!?)'", p[n - 1]) != NULL)
        n--;
    if (n <= 8)
        return 0;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    return fed_url_check(tmp, NULL) == HR_OK ? n : 0;
}

/* The hashtag name after the '#' at P[0..N): word characters and separators, not ending
 * in a separator, with at least one letter (Mastodon: "#123" is not a tag). Its length
 * in bytes, 0 when there is none. */
static size_t hashtag_len(const char *p, size_t n)
{
    size_t i = 0, end = 0;
    bool letter = false;
    uint32_t c;

    while (i < n) {
        size_t l = decode(p + i, n - i, &c);
        if (is_word(c))
            end = i + l;
        else if (!is_separator(c) || i == 0)
            break;
        letter = letter || is_alpha(c);
        i += l;
    }
    return letter && end <= FED_HASHTAG_MAX ? end : 0;
}

static bool ascii_alnum(char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z');
}

/* A host after '@': DNS labels of letters, digits and '-' joined by dots, ending in a
 * letter or digit (a sentence's full stop is not part of it); an IP literal or
 * "localhost" may carry a port (loopback test instances). Its length, 0 when none. */
static size_t host_len(const char *p, size_t n)
{
    size_t i = 0, end = 0;
    bool numeric = true;

    while (i < n && (ascii_alnum(p[i]) || p[i] == '-' || p[i] == '.')) {
        if (ascii_alnum(p[i]))
            end = i + 1;
        numeric = numeric && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.');
        i++;
    }
    if (end == 0 || p[0] == '.' || p[0] == '-')
        return 0;
    if (end < n && p[end] == ':' && (numeric || (end == 9 && strncmp(p, "localhost", 9) == 0))) {
        size_t d = end + 1;
        while (d < n && d - end <= 5 && p[d] >= '0' && p[d] <= '9')
            d++;
        if (d > end + 1 && d - end <= 6)
            end = d;
    }
    return end;
}

/* The "user@host" after the '@' at P[0..N) (Mastodon's username: letters, digits, '_',
 * with '.' and '-' inside); its length, 0 when it is not one. */
static size_t mention_len(const char *p, size_t n)
{
    size_t i = 0, end = 0, h;

    while (i < n && (ascii_alnum(p[i]) || p[i] == '_' || p[i] == '.' || p[i] == '-')) {
        if (ascii_alnum(p[i]) || p[i] == '_')
            end = i + 1;
        i++;
    }
    if (end == 0 || p[0] == '.' || p[0] == '-' || end >= n || p[end] != '@')
        return 0;
    h = host_len(p + end + 1, n - end - 1);
    return h > 0 && end + 1 + h <= FED_ACCT_MAX ? end + 1 + h : 0;
}

/* The entity that starts at P[I], if any: a link, or a '#'/'@' not preceded by a
 * character that makes it part of a word or a path (Mastodon's look-behinds). */
static bool entity_at(const char *p, size_t n, size_t i, struct fed_entity *out)
{
    size_t l = 0;
    uint32_t before;

    if (p[i] == 'h' && link_start(p + i, n - i) && (l = link_len(p + i, n - i)) > 0) {
        *out = (struct fed_entity){FED_ENTITY_LINK, i, l};
        return true;
    }
    if (p[i] != '#' && p[i] != '@')
        return false;
    before = decode_before(p, i);
    if (before == '=' || before == '/' || is_word(before) || (p[i] == '@' && before == '@'))
        return false;
    if (p[i] == '#' && (l = hashtag_len(p + i + 1, n - i - 1)) > 0)
        *out = (struct fed_entity){FED_ENTITY_HASHTAG, i, l + 1};
    else if (p[i] == '@' && (l = mention_len(p + i + 1, n - i - 1)) > 0)
        *out = (struct fed_entity){FED_ENTITY_MENTION, i, l + 1};
    return l > 0;
}

bool fed_entity_next(const char *p, size_t n, size_t from, struct fed_entity *out)
{
    for (size_t i = from; i < n; i++)
        if (entity_at(p, n, i, out))
            return true;
    return false;
}

/* Lower-cases the code point C as UTF-8 into B. */
static void add_lower(struct hr_buf *b, uint32_t c)
{
    char u[4];
    size_t n;

    pthread_once(&utf8_once, utf8_init);
    if (c < 0x80)
        c = (c >= 'A' && c <= 'Z') ? c + 32 : c;
    else if (utf8_locale != (locale_t)0)
        c = (uint32_t)towlower_l((wint_t)c, utf8_locale);
    n = c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    u[0] = (char)(n == 1   ? c
                  : n == 2 ? 0xC0 | (c >> 6)
                  : n == 3 ? 0xE0 | (c >> 12)
                           : 0xF0 | (c >> 18));
    for (size_t k = 1; k < n; k++)
        u[k] = (char)(0x80 | ((c >> (6 * (n - 1 - k))) & 0x3F));
    hr_buf_add(b, u, n);
}

/* S[0..LEN) (valid UTF-8) lower-cased into a string of at most LIMIT bytes; NULL past it. */
static char *lower(const char *s, size_t len, size_t limit)
{
    struct hr_buf b;
    uint32_t c;

    hr_buf_init(&b, limit);
    for (size_t i = 0; i < len;) {
        i += decode(s + i, len - i, &c);
        add_lower(&b, c);
    }
    hr_buf_add(&b, "", 0);
    return hr_buf_take(&b);
}

char *fed_hashtag_norm(const char *name, size_t len)
{
    return lower(name, len, 4 * FED_HASHTAG_MAX + 1);
}

char *fed_text_lower(const char *s)
{
    size_t len = strlen(s);

    return len < SIZE_MAX / 4 ? lower(s, len, 4 * len + 1) : NULL;
}

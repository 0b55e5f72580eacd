/* base/i18n.c - interface languages through gettext (docs/decisions.md "gettext"): one
 * catalog per language, LOCALEDIR/LL[_CC]/LC_MESSAGES/herald.mo, compiled from po/LL.po
 * at build time; English is the source language and needs no catalog.
 *
 * gettext picks a catalog by the calling thread's LC_MESSAGES locale, so a request in
 * Chinese runs hr_tr under uselocale() of a locale named "zh_CN.UTF-8" (thread-local; no
 * setenv, no setlocale while threads run). Only the LC_MESSAGES category of that locale is
 * loaded. A machine without the zh_CN locale installed (Debian's minimal images have
 * C.UTF-8 only) still gets one: the build copies C.UTF-8's LC_MESSAGES data (yes/no
 * expressions, nothing gettext reads) under LOCALEDIR/LL_CC.UTF-8/, and LOCPATH points
 * there, before the system's directory. LANGUAGE is unset: gettext would prefer it over
 * the thread's locale. All of this happens once in hr_i18n_init, before any thread. */
#define _GNU_SOURCE /* uselocale, newlocale, LC_MESSAGES_MASK; dgettext */
#include "base/hr.h"

#include <dirent.h>
#include <libintl.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#define I18N_DOMAIN "herald"
#define I18N_MAX 16

struct i18n_lang {
    char tag[16];  /* BCP 47, as pages say it: "en", "zh-CN" */
    char dir[16];  /* the catalog's directory: "zh_CN" */
    locale_t loc;  /* LC_MESSAGES of DIR.UTF-8; (locale_t)0 for English */
};

static struct i18n_lang langs[I18N_MAX] = {{.tag = "en", .dir = "en"}};
static size_t n_langs = 1;
static const char *tags[I18N_MAX + 1] = {"en", NULL};

/* "zh_CN" -> "zh-CN" */
static void dir_to_tag(const char *dir, char *tag, size_t cap)
{
    snprintf(tag, cap, "%s", dir);
    for (char *p = tag; *p != '\0'; p++)
        if (*p == '_')
            *p = '-';
}

static bool has_catalog(const char *localedir, const char *dir)
{
    char path[4096];
    struct stat st;

    snprintf(path, sizeof path, "%s/%s/LC_MESSAGES/" I18N_DOMAIN ".mo", localedir, dir);
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

locale_t hr_newlocale(int mask, const char *name)
{
    locale_t loc;

#if defined(__SANITIZE_ADDRESS__)
    __lsan_disable(); /* this thread's allocations until __lsan_enable are not leaks */
#endif
    loc = newlocale(mask, name, (locale_t)0);
#if defined(__SANITIZE_ADDRESS__)
    __lsan_enable();
#endif
    return loc;
}

static int add_lang(const char *dir, struct hr_err *err)
{
    struct i18n_lang *l;
    char name[64];

    if (strcmp(dir, "en") == 0 || n_langs == I18N_MAX || strlen(dir) >= sizeof l->dir ||
        strspn(dir, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_") != strlen(dir))
        return HR_OK;
    l = &langs[n_langs];
    snprintf(l->dir, sizeof l->dir, "%s", dir);
    dir_to_tag(dir, l->tag, sizeof l->tag);
    snprintf(name, sizeof name, "%s.UTF-8", dir);
    l->loc = hr_newlocale(LC_MESSAGES_MASK, name);
    if (l->loc == (locale_t)0)
        return hr_fail(err, HR_EINVAL,
                       "interface language %s: no locale %s (the build writes one under the "
                       "locale directory)",
                       l->tag, name);
    tags[n_langs] = l->tag;
    n_langs++;
    tags[n_langs] = NULL;
    return HR_OK;
}

int hr_i18n_init(const char *localedir, struct hr_err *err)
{
    char locpath[4200];
    struct dirent *de;
    DIR *d;
    int rc = HR_OK;

    if (n_langs > 1)
        return HR_OK; /* once */
    unsetenv("LANGUAGE");
    if (localedir == NULL || (d = opendir(localedir)) == NULL)
        return HR_OK; /* English only; hr_i18n_languages says so */
    snprintf(locpath, sizeof locpath, "%s:/usr/lib/locale", localedir);
    setenv("LOCPATH", locpath, 1);
    if (bindtextdomain(I18N_DOMAIN, localedir) == NULL ||
        bind_textdomain_codeset(I18N_DOMAIN, "UTF-8") == NULL) {
        closedir(d);
        return hr_fail(err, HR_EIO, "gettext: cannot bind %s", localedir);
    }
    while (rc == HR_OK && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.' && strchr(de->d_name, '.') == NULL &&
            has_catalog(localedir, de->d_name))
            rc = add_lang(de->d_name, err);
    closedir(d);
    return rc;
}

const char *const *hr_i18n_languages(void)
{
    return tags;
}

static const struct i18n_lang *find(const char *tag)
{
    for (size_t i = 0; tag != NULL && i < n_langs; i++)
        if (strcasecmp(langs[i].tag, tag) == 0)
            return &langs[i];
    return NULL;
}

/* The shipped language that TAG (a language range, as in Accept-Language) asks for: the
 * same tag, else the first whose primary subtag is TAG's ("zh", "zh-Hans", "zh-TW" all
 * find zh-CN while it is the only Chinese catalog). */
static const struct i18n_lang *match(const char *tag, size_t n)
{
    size_t p = strcspn(tag, "-_");

    if (p > n)
        p = n;
    for (size_t i = 0; i < n_langs; i++)
        if (strlen(langs[i].tag) == n && strncasecmp(langs[i].tag, tag, n) == 0)
            return &langs[i];
    for (size_t i = 0; i < n_langs; i++)
        if (strncasecmp(langs[i].tag, tag, p) == 0 &&
            (langs[i].tag[p] == '\0' || langs[i].tag[p] == '-'))
            return &langs[i];
    return NULL;
}

/* Accept-Language (RFC 9110 §12.5.4): ranges with q-values, the highest q first, ties in
 * the order given; "*" and q=0 choose nothing. */
static const struct i18n_lang *from_accept(const char *al)
{
    const struct i18n_lang *best = NULL, *l;
    double best_q = 0.0;
    const char *p = al;

    while (p != NULL && *p != '\0') {
        size_t n;
        double q = 1.0;
        const char *semi, *end = strchr(p, ',');
        size_t seg = end ? (size_t)(end - p) : strlen(p);

        while (seg > 0 && (*p == ' ' || *p == '\t')) {
            p++;
            seg--;
        }
        n = strcspn(p, " \t;,");
        if (n > seg)
            n = seg;
        semi = memchr(p, ';', seg);
        if (semi != NULL) {
            const char *qs = semi + 1;
            while (*qs == ' ')
                qs++;
            if (strncmp(qs, "q=", 2) == 0)
                q = strtod(qs + 2, NULL);
        }
        l = n > 0 && n < 36 && q > best_q ? match(p, n) : NULL;
        if (l != NULL) {
            best = l;
            best_q = q;
        }
        p = end ? end + 1 : NULL;
    }
    return best;
}

const char *hr_i18n_pick(const char *query, const char *accept_language, const char *preferred)
{
    const struct i18n_lang *l = NULL;
    const char *p = preferred;

    if (query != NULL && strlen(query) < 36)
        l = match(query, strlen(query));
    if (l == NULL && accept_language != NULL && strlen(accept_language) < 1024)
        l = from_accept(accept_language);
    while (l == NULL && p != NULL && *p != '\0') { /* the instance's languages, in order */
        size_t n;
        p += strspn(p, " ,");
        n = strcspn(p, " ,");
        if (n > 0 && n < 36)
            l = match(p, n);
        p += n;
    }
    return l ? l->tag : "en";
}

const char *hr_tr(const char *lang, const char *msgid)
{
    const struct i18n_lang *l = find(lang);
    const char *s;
    locale_t old;

    if (l == NULL || l->loc == (locale_t)0)
        return msgid;
    old = uselocale(l->loc);
    s = dgettext(I18N_DOMAIN, msgid);
    uselocale(old);
    return s;
}

const char *hr_trn(const char *lang, const char *one, const char *many, unsigned long n)
{
    const struct i18n_lang *l = find(lang);
    const char *s;
    locale_t old;

    if (l == NULL || l->loc == (locale_t)0)
        return n == 1 ? one : many;
    old = uselocale(l->loc);
    s = dngettext(I18N_DOMAIN, one, many, n);
    uselocale(old);
    return s;
}

/* ---- placeholders: translations carry "{name}", never printf formats ---- */

void hr_subst_v(const char *tmpl, void (*emit)(void *ctx, const char *p, size_t n), void *ctx,
                va_list ap)
{
    const char *keys[16], *vals[16];
    size_t nk = 0;
    const char *p = tmpl;

    for (const char *k; nk < 16 && (k = va_arg(ap, const char *)) != NULL; nk++) {
        keys[nk] = k;
        vals[nk] = va_arg(ap, const char *);
    }
    while (*p != '\0') {
        const char *open = strchr(p, '{'), *close;
        bool done = false;

        if (open == NULL) {
            emit(ctx, p, strlen(p));
            return;
        }
        emit(ctx, p, (size_t)(open - p));
        close = strchr(open, '}');
        for (size_t i = 0; close != NULL && i < nk && !done; i++)
            if (strlen(keys[i]) == (size_t)(close - open - 1) &&
                strncmp(open + 1, keys[i], (size_t)(close - open - 1)) == 0) {
                if (vals[i] != NULL)
                    emit(ctx, vals[i], strlen(vals[i]));
                done = true;
            }
        if (!done) {
            emit(ctx, open, 1);
            p = open + 1;
        } else {
            p = close + 1;
        }
    }
}

static void emit_buf(void *ctx, const char *p, size_t n)
{
    hr_buf_add(ctx, p, n);
}

void hr_buf_subst(struct hr_buf *b, const char *tmpl, ...)
{
    va_list ap;

    va_start(ap, tmpl);
    hr_subst_v(tmpl, emit_buf, b, ap);
    va_end(ap);
}

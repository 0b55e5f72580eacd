/* federation/kinds_text.c - the words an account's kind puts on its actor (type label,
 * parent field, an official's disclaimer), in each of the instance's languages. English
 * here, the other languages from the gettext catalogs (base/i18n.c, po/), like every
 * interface string (decision 49: one table, so that the catalogs could take it over). */
#include "federation/fed_int.h"

#include <stdio.h>
#include <string.h>

static const char *const texts[FED_TEXT_N] = {
    [FED_T_TYPE_FIELD] = N_("Account type"),
    [FED_T_KIND_AGENCY] = N_("Government agency"),
    [FED_T_KIND_DEPARTMENT] = N_("Department of a government agency"),
    [FED_T_KIND_OFFICIAL] = N_("Official (personal account)"),
    [FED_T_KIND_SERVICE] = N_("Automated service"),
    [FED_T_PARENT_FIELD] = N_("Part of"),
    [FED_T_UNCONFIRMED] = N_("unconfirmed"),
    [FED_T_DISCLAIMER_FIELD] = N_("Disclaimer"),
    /* TRANSLATORS: an official's personal account; {agency} is the agency's name, linked */
    [FED_T_DISCLAIMER] =
        N_("Personal account: views are my own and not the official position of {agency}"),
};

/* The interface language for LANG (N bytes, "zh"), or NULL when none is shipped. */
static const char *catalog(const char *lang, size_t n)
{
    char tag[36];
    const char *got;

    if (n == 0 || n >= sizeof tag)
        return NULL;
    memcpy(tag, lang, n);
    tag[n] = '\0';
    if (strcmp(tag, "en") == 0)
        return "en";
    got = hr_i18n_pick(tag, NULL, NULL); /* "en" when nothing matches */
    return strcmp(got, "en") == 0 ? NULL : got;
}

bool fed_language_known(const char *lang, size_t n)
{
    return catalog(lang, n) != NULL;
}

const char *fed_text(const char *lang, size_t n, enum fed_text t)
{
    const char *tag = catalog(lang, n);

    return tag ? hr_tr(tag, texts[t]) : texts[t];
}

enum fed_text fed_kind_text(const char *kind)
{
    static const char *const kinds[] = {"agency", "department", "official", "service"};

    for (size_t i = 0; i < 4; i++)
        if (kind != NULL && strcmp(kind, kinds[i]) == 0)
            return (enum fed_text)(FED_T_KIND_AGENCY + i);
    return FED_T_KIND_SERVICE;
}

const char *fed_kind_label(const char *lang, const char *kind)
{
    return hr_tr(lang, texts[fed_kind_text(kind)]);
}

/* federation/kinds_text.c - the words an account's kind puts on its actor (type label,
 * parent field, an official's disclaimer), in every language Herald ships. ONE table, so
 * issue #11 can turn it into gettext catalogues without hunting strings through the code
 * (docs/decisions.md). Each row is one language; columns follow enum fed_text. */
#include "federation/fed_int.h"

#include <string.h>

static const struct {
    const char *lang;
    const char *text[FED_TEXT_N];
} texts[] = {
    {"en",
     {
         [FED_T_TYPE_FIELD] = "Account type",
         [FED_T_KIND_AGENCY] = "Government agency",
         [FED_T_KIND_DEPARTMENT] = "Department of a government agency",
         [FED_T_KIND_OFFICIAL] = "Official (personal account)",
         [FED_T_KIND_SERVICE] = "Automated service",
         [FED_T_PARENT_FIELD] = "Part of",
         [FED_T_UNCONFIRMED] = "unconfirmed",
         [FED_T_DISCLAIMER_FIELD] = "Disclaimer",
         [FED_T_DISCLAIMER_BEFORE] =
             "Personal account: views are my own and not the official position of ",
         [FED_T_DISCLAIMER_AFTER] = "",
     }},
    {"zh",
     {
         [FED_T_TYPE_FIELD] = "账号类型",
         [FED_T_KIND_AGENCY] = "政府机构",
         [FED_T_KIND_DEPARTMENT] = "政府机构下属部门",
         [FED_T_KIND_OFFICIAL] = "公职人员（个人账号）",
         [FED_T_KIND_SERVICE] = "自动化服务",
         [FED_T_PARENT_FIELD] = "隶属于",
         [FED_T_UNCONFIRMED] = "未确认",
         [FED_T_DISCLAIMER_FIELD] = "声明",
         [FED_T_DISCLAIMER_BEFORE] = "个人账号：所发表言论仅代表个人观点，不代表",
         [FED_T_DISCLAIMER_AFTER] = "的官方立场",
     }},
};
#define N_LANGS (sizeof texts / sizeof texts[0])

static int lang_index(const char *lang, size_t n)
{
    for (size_t i = 0; i < N_LANGS; i++)
        if (strlen(texts[i].lang) == n && strncmp(texts[i].lang, lang, n) == 0)
            return (int)i;
    return -1;
}

bool fed_language_known(const char *lang, size_t n)
{
    return lang_index(lang, n) >= 0;
}

const char *fed_text(const char *lang, size_t n, enum fed_text t)
{
    int i = lang_index(lang, n);

    return texts[i < 0 ? 0 : i].text[t];
}

enum fed_text fed_kind_text(const char *kind)
{
    static const char *const kinds[] = {"agency", "department", "official", "service"};

    for (size_t i = 0; i < 4; i++)
        if (kind != NULL && strcmp(kind, kinds[i]) == 0)
            return (enum fed_text)(FED_T_KIND_AGENCY + i);
    return FED_T_KIND_SERVICE;
}

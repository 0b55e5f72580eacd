/* agency/fields.c - an account's labelled profile fields (issue #10), as Mastodon has
 * them: at most 4, a label of at most 255 and a value of at most 2047 bytes
 * (app/models/account.rb DEFAULT_FIELDS_SIZE and the limits of its profile form). They
 * are shown on the actor as PropertyValues (federation/fields.c). */
#include "agency/agency_int.h"

#include <string.h>

#define FIELD_NAME_MAX  255
#define FIELD_VALUE_MAX 2047

static int check(const char *what, const char *s, size_t min, size_t max, struct hr_err *err)
{
    size_t n = s ? strlen(s) : 0;

    if (s == NULL || n < min || n > max || !hr_utf8_valid(s, n))
        return hr_fail(err, HR_EINVAL, "field %s: %zu to %zu bytes of UTF-8", what, min, max);
    return HR_OK;
}

/* The index of field NAME in LIST, or its size. */
static size_t find(const json_t *list, const char *name)
{
    const json_t *f;
    size_t i;

    json_array_foreach(list, i, f)
    {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n != NULL && strcmp(n, name) == 0)
            return i;
    }
    return json_array_size(list);
}

static int put(json_t *list, const char *name, const char *value, struct hr_err *err)
{
    size_t at = find(list, name);

    if (value[0] == '\0') {
        if (at < json_array_size(list))
            json_array_remove(list, at);
        return HR_OK;
    }
    if (at == json_array_size(list) && at >= AGENCY_FIELDS_MAX)
        return hr_fail(err, HR_EINVAL,
                       "an account has at most %d fields: remove one first (an empty value "
                       "removes a field)",
                       AGENCY_FIELDS_MAX);
    if (at < json_array_size(list))
        return json_array_set_new(list, at, json_pack("{s:s,s:s}", "name", name, "value", value))
                   ? hr_fail(err, HR_ENOMEM, "field")
                   : HR_OK;
    return json_array_append_new(list, json_pack("{s:s,s:s}", "name", name, "value", value))
               ? hr_fail(err, HR_ENOMEM, "field")
               : HR_OK;
}

int agency_fields_apply(json_t *profile, const char *value, struct hr_err *err)
{
    json_t *v = NULL, *list = json_object_get(profile, "fields");
    const char *name, *text;
    int rc;

    if (value == NULL) {
        (void)json_object_del(profile, "fields");
        return HR_OK;
    }
    v = json_loads(value, JSON_REJECT_DUPLICATES, NULL);
    name = json_string_value(json_object_get(v, "name"));
    text = json_is_null(json_object_get(v, "value"))
               ? ""
               : json_string_value(json_object_get(v, "value"));
    rc = json_is_object(v) && (text != NULL || !json_object_get(v, "value") ||
                               json_is_null(json_object_get(v, "value")))
             ? HR_OK
             : hr_fail(err, HR_EINVAL, "field: {\"name\": LABEL, \"value\": TEXT}");
    if (rc == HR_OK)
        rc = check("label", name, 1, FIELD_NAME_MAX, err);
    if (rc == HR_OK)
        rc = check("value", text ? text : "", 0, FIELD_VALUE_MAX, err);
    if (rc == HR_OK && !json_is_array(list) &&
        json_object_set_new(profile, "fields", list = json_array()) != 0)
        rc = hr_fail(err, HR_ENOMEM, "field");
    if (rc == HR_OK)
        rc = put(list, name, text ? text : "", err);
    if (rc == HR_OK && json_array_size(list) == 0)
        (void)json_object_del(profile, "fields");
    json_decref(v);
    return rc;
}

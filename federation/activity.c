/* federation/activity.c - the envelope of an inbound activity, checked before anything
 * else looks at it (and a fuzz target of its own). */
#include "federation/fed_int.h"

#include <string.h>

static int bad(const char **code, const char *c, struct hr_err *err, const char *msg)
{
    *code = c;
    return hr_fail(err, HR_EINVAL, "%s", msg);
}

int fed_activity_parse(const char *body, size_t len, const struct fed_json_limits *lim,
                       struct fed_activity *out, const char **code, struct hr_err *err)
{
    struct fed_activity a = {0};
    int rc = fed_json_parse(body, len, lim, &a.json, err);

    if (rc != HR_OK) {
        *code = "malformed_json";
        return rc;
    }
    a.id = json_string_value(json_object_get(a.json, "id"));
    a.type = json_string_value(json_object_get(a.json, "type"));
    a.actor = fed_json_id(json_object_get(a.json, "actor"));
    if (!json_is_object(a.json))
        rc = bad(code, "not_an_object", err, "activity must be a JSON object");
    else if (a.id == NULL || strlen(a.id) > FED_ID_MAX || fed_url_check(a.id, NULL) != HR_OK)
        rc = bad(code, "invalid_activity", err, "activity needs an http(s) id of at most 400 bytes");
    else if (a.type == NULL || a.type[0] == '\0' || strlen(a.type) > 64)
        rc = bad(code, "invalid_activity", err, "activity needs a type of 1 to 64 bytes");
    else if (a.actor == NULL || strlen(a.actor) > FED_ID_MAX ||
             fed_url_check(a.actor, NULL) != HR_OK)
        rc = bad(code, "invalid_activity", err,
                 "activity needs an http(s) actor of at most 400 bytes");
    if (rc != HR_OK) {
        json_decref(a.json);
        return rc;
    }
    *out = a;
    return HR_OK;
}

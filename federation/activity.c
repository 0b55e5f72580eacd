/* federation/activity.c - the envelope of an inbound activity, checked before anything
 * else looks at it (and a fuzz target of its own). */
#include "federation/fed_int.h"

#include <string.h>

static int bad(const char **code, const char *c, struct hr_err *err, const char *msg)
{
    *code = c;
    return hr_fail(err, HR_EINVAL, "%s", msg);
}

/* The JSON shapes of the fields Herald (and what reads the stored activity later) takes
 * from an activity. A field of another type is refused here, once, instead of being
 * silently read as "absent" by one check and as something else by the next. */
enum shape {
    SHAPE_STRING,   /* a string */
    SHAPE_TEXT,     /* a string or null */
    SHAPE_TYPE,     /* a string or an array of strings */
    SHAPE_REF,      /* a string or an object with a string id */
    SHAPE_REFS,     /* a reference or an array of references */
    SHAPE_AUDIENCE, /* null, a reference or an array of references */
    SHAPE_REPLY,    /* null or a reference */
    SHAPE_OBJECT,   /* a string, an object or an array of those */
};

struct field {
    const char *name;
    enum shape shape;
};

static const struct field activity_fields[] = {
    {"object", SHAPE_OBJECT}, {"to", SHAPE_AUDIENCE},  {"cc", SHAPE_AUDIENCE},
    {"bto", SHAPE_AUDIENCE},  {"bcc", SHAPE_AUDIENCE}, {"audience", SHAPE_AUDIENCE},
};

/* of an embedded object (a Note in a Create, a Follow in an Undo, ...) */
static const struct field object_fields[] = {
    {"id", SHAPE_STRING},     {"type", SHAPE_TYPE},         {"actor", SHAPE_REF},
    {"object", SHAPE_OBJECT}, {"attributedTo", SHAPE_REFS}, {"inReplyTo", SHAPE_REPLY},
    {"content", SHAPE_TEXT},  {"summary", SHAPE_TEXT},      {"name", SHAPE_TEXT},
    {"to", SHAPE_AUDIENCE},   {"cc", SHAPE_AUDIENCE},       {"bto", SHAPE_AUDIENCE},
    {"bcc", SHAPE_AUDIENCE},  {"audience", SHAPE_AUDIENCE},
};

/* Activities that mean nothing without an object. */
static const char *const need_object[] = {"Create", "Update",   "Delete", "Follow", "Undo",
                                          "Like",   "Announce", "Accept", "Reject"};

static bool is_ref(const json_t *v)
{
    return json_is_string(v) || (json_is_object(v) && json_is_string(json_object_get(v, "id")));
}

static bool all(const json_t *arr, bool (*ok)(const json_t *))
{
    const json_t *v;
    size_t i;

    json_array_foreach(arr, i, v)
    {
        if (!ok(v))
            return false;
    }
    return true;
}

static bool is_string(const json_t *v)
{
    return json_is_string(v);
}

static bool is_string_or_object(const json_t *v)
{
    return json_is_string(v) || json_is_object(v);
}

static bool shape_ok(const json_t *v, enum shape shape)
{
    switch (shape) {
    case SHAPE_STRING:
        return json_is_string(v);
    case SHAPE_TEXT:
        return json_is_string(v) || json_is_null(v);
    case SHAPE_TYPE:
        return json_is_string(v) || (json_is_array(v) && all(v, is_string));
    case SHAPE_REF:
        return is_ref(v);
    case SHAPE_REFS:
        return is_ref(v) || (json_is_array(v) && all(v, is_ref));
    case SHAPE_AUDIENCE:
        return json_is_null(v) || is_ref(v) || (json_is_array(v) && all(v, is_ref));
    case SHAPE_REPLY:
        return json_is_null(v) || is_ref(v);
    case SHAPE_OBJECT:
        return is_string_or_object(v) || (json_is_array(v) && all(v, is_string_or_object));
    }
    return false;
}

static int fields_check(const json_t *j, const struct field *f, size_t n, const char *where,
                        struct hr_err *err)
{
    for (size_t i = 0; i < n; i++) {
        const json_t *v = json_object_get(j, f[i].name);
        if (v != NULL && !shape_ok(v, f[i].shape))
            return hr_fail(err, HR_EINVAL, "%s%s has the wrong JSON type", where, f[i].name);
    }
    return HR_OK;
}

static int shapes_check(const struct fed_activity *a, struct hr_err *err)
{
    const json_t *obj = json_object_get(a->json, "object");
    int rc = fields_check(a->json, activity_fields,
                          sizeof activity_fields / sizeof activity_fields[0], "", err);

    for (size_t i = 0; rc == HR_OK && i < sizeof need_object / sizeof need_object[0]; i++) {
        if (strcmp(a->type, need_object[i]) != 0)
            continue;
        if (obj == NULL || json_is_array(obj))
            rc = hr_fail(err, HR_EINVAL, "%s needs one object", a->type);
    }
    if (rc == HR_OK && json_is_object(obj))
        rc = fields_check(obj, object_fields, sizeof object_fields / sizeof object_fields[0],
                          "object.", err);
    return rc;
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
    else if ((rc = shapes_check(&a, err)) != HR_OK)
        *code = "invalid_activity"; /* shapes_check wrote the message */
    if (rc != HR_OK) {
        json_decref(a.json);
        return rc;
    }
    *out = a;
    return HR_OK;
}

/* What an Accept or a Reject carries of the activity it answers: id, type, actor and
 * object, each a string (an embedded actor or object by its id), and nothing else. The
 * answer is stored and served under our domain, so the received JSON (with whatever
 * content, name or summary a peer put in it) is never copied into it; the four fields
 * are what a follower matches its Follow by (ActivityPub §7.2 names only the object). */
json_t *fed_activity_ref(const json_t *act)
{
    const char *id = json_string_value(json_object_get(act, "id"));
    const char *type = json_string_value(json_object_get(act, "type"));
    const char *actor = fed_json_id(json_object_get(act, "actor"));
    const char *object = fed_json_id(json_object_get(act, "object"));

    if (id == NULL || type == NULL || actor == NULL || object == NULL)
        return NULL;
    return json_pack("{s:s, s:s, s:s, s:s}", "id", id, "type", type, "actor", actor, "object",
                     object);
}

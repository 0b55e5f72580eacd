/* tests/tools/jsonq.c - a tiny JSON query for the bash tests (jq is not a dependency).
 *
 *   jsonq EXPR [FILE]      (stdin when FILE is absent)
 *
 * EXPR is a path of steps, applied left to right to a set of values:
 *   .key  ["key"]   member of an object (.key ends at the next '.', '[' or '|')
 *   [N]             element N of an array (negative counts from the end)
 *   []              every element of an array / every value of an object
 *   [?key=value]    the array elements that are objects whose "key" is the string value
 *   |length         length of an array, object or string
 *   |keys           the keys of an object, one per line
 *   |type           object, array, string, number, boolean or null
 * A lone "." is the whole document. Strings print raw, everything else as compact JSON,
 * one result per line. Exit 0 when at least one result was printed, 1 when the path
 * matched nothing, 2 when the input is not JSON or EXPR is malformed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/hr.h"

#define JQ_MAX_SET 100000

struct set {
    json_t **v; /* borrowed from the document, or owned results of |length etc. */
    size_t n, cap;
    bool owned;
};

static int set_add(struct set *s, json_t *v)
{
    json_t **p;

    if (v == NULL)
        return 0;
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        if (cap > JQ_MAX_SET || (p = realloc(s->v, cap * sizeof *p)) == NULL)
            return -1;
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    return 0;
}

static void set_fini(struct set *s)
{
    size_t i;

    if (s->owned)
        for (i = 0; i < s->n; i++)
            json_decref(s->v[i]);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* A member name ending at '.', '[', '|' or the end. */
static size_t name_len(const char *p)
{
    return strcspn(p, ".[|");
}

static int step_member(const struct set *in, struct set *out, const char *key, size_t len)
{
    char name[1024];
    size_t i;

    if (len >= sizeof name)
        return -1;
    memcpy(name, key, len);
    name[len] = '\0';
    for (i = 0; i < in->n; i++)
        if (set_add(out, json_object_get(in->v[i], name)) != 0)
            return -1;
    return 0;
}

static int step_index(const struct set *in, struct set *out, const char *text, size_t len)
{
    char num[32];
    uint64_t v;
    bool neg = len > 0 && text[0] == '-';
    size_t i, size;

    if (len == 0 || len >= sizeof num)
        return -1;
    memcpy(num, text + neg, len - neg);
    num[len - neg] = '\0';
    if (hr_parse_u64(num, 1u << 30, &v) != HR_OK)
        return -1;
    for (i = 0; i < in->n; i++) {
        size = json_array_size(in->v[i]);
        if (!neg && v < size && set_add(out, json_array_get(in->v[i], v)) != 0)
            return -1;
        if (neg && v >= 1 && v <= size && set_add(out, json_array_get(in->v[i], size - v)) != 0)
            return -1;
    }
    return 0;
}

static int step_all(const struct set *in, struct set *out)
{
    const char *k;
    json_t *v;
    size_t i, j;

    for (i = 0; i < in->n; i++) {
        if (json_is_array(in->v[i])) {
            json_array_foreach(in->v[i], j, v)
            {
                if (set_add(out, v) != 0)
                    return -1;
            }
        } else if (json_is_object(in->v[i])) {
            json_object_foreach(in->v[i], k, v)
            {
                if (set_add(out, v) != 0)
                    return -1;
            }
        }
    }
    return 0;
}

static int step_select(const struct set *in, struct set *out, const char *text, size_t len)
{
    const char *eq = memchr(text, '=', len);
    char key[256], want[1024];
    size_t i, j, klen, wlen;
    json_t *v;

    if (eq == NULL)
        return -1;
    klen = (size_t)(eq - text);
    wlen = len - klen - 1;
    if (klen == 0 || klen >= sizeof key || wlen >= sizeof want)
        return -1;
    memcpy(key, text, klen);
    key[klen] = '\0';
    memcpy(want, eq + 1, wlen);
    want[wlen] = '\0';
    for (i = 0; i < in->n; i++) {
        json_array_foreach(in->v[i], j, v)
        {
            const char *s = json_string_value(json_object_get(v, key));
            if (s != NULL && strcmp(s, want) == 0 && set_add(out, v) != 0)
                return -1;
        }
    }
    return 0;
}

static int step_func(const struct set *in, struct set *out, const char *name, size_t len)
{
    static const char *const types[] = {"object", "array",   "string",  "number",
                                        "number", "boolean", "boolean", "null"};
    const char *k;
    json_t *v;
    size_t i, n;

    out->owned = true;
    for (i = 0; i < in->n; i++) {
        json_t *x = in->v[i];
        if (len == 6 && strncmp(name, "length", 6) == 0) {
            n = json_is_array(x)    ? json_array_size(x)
                : json_is_object(x) ? json_object_size(x)
                : json_is_string(x) ? json_string_length(x)
                                    : 0;
            if (set_add(out, json_integer((json_int_t)n)) != 0)
                return -1;
        } else if (len == 4 && strncmp(name, "keys", 4) == 0) {
            json_object_foreach(x, k, v)
            {
                if (set_add(out, json_string(k)) != 0)
                    return -1;
            }
        } else if (len == 4 && strncmp(name, "type", 4) == 0) {
            if (set_add(out, json_string(types[json_typeof(x)])) != 0)
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

static int step_copy(const struct set *in, struct set *out)
{
    size_t i;

    for (i = 0; i < in->n; i++)
        if (set_add(out, in->v[i]) != 0)
            return -1;
    return 0;
}

/* Applies the step at *P to IN, writing OUT and advancing *P. */
static int step(const char **pp, const struct set *in, struct set *out)
{
    const char *p = *pp, *end;
    size_t len;

    if (p[0] == '.') {
        len = name_len(p + 1);
        *pp = p + 1 + len;
        if (len == 0) /* "." before "[": the values themselves */
            return step_copy(in, out);
        return step_member(in, out, p + 1, len);
    }
    if (p[0] == '|') {
        len = name_len(p + 1);
        *pp = p + 1 + len;
        return step_func(in, out, p + 1, len);
    }
    if (p[0] != '[')
        return -1;
    if (p[1] == '"') {
        end = strstr(p + 2, "\"]");
        if (end == NULL)
            return -1;
        *pp = end + 2;
        return step_member(in, out, p + 2, (size_t)(end - p - 2));
    }
    end = strchr(p, ']');
    if (end == NULL)
        return -1;
    *pp = end + 1;
    if (end == p + 1)
        return step_all(in, out);
    if (p[1] == '?')
        return step_select(in, out, p + 2, (size_t)(end - p - 2));
    return step_index(in, out, p + 1, (size_t)(end - p - 1));
}

static void print_value(const json_t *v)
{
    char *s;

    if (json_is_string(v)) {
        fwrite(json_string_value(v), 1, json_string_length(v), stdout);
        putchar('\n');
        return;
    }
    s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
    if (s != NULL)
        puts(s);
    free(s);
}

int main(int argc, char **argv)
{
    struct set cur = {0}, next = {0};
    json_error_t jerr;
    const char *p;
    json_t *doc = NULL;
    size_t i;
    int rc = 2;

    if (argc < 2 || argc > 3 || argv[1][0] == '\0' || strchr(".[|", argv[1][0]) == NULL) {
        fprintf(stderr, "usage: jsonq EXPR [FILE]\n");
        return 2;
    }
    doc = argc == 3 ? json_load_file(argv[2], JSON_DECODE_ANY, &jerr)
                    : json_loadf(stdin, JSON_DECODE_ANY, &jerr);
    if (doc == NULL) {
        fprintf(stderr, "jsonq: not JSON: %s (line %d)\n", jerr.text, jerr.line);
        return 2;
    }
    if (set_add(&cur, doc) != 0)
        goto out;
    p = argv[1];
    if (strcmp(p, ".") == 0)
        p = "";
    while (*p != '\0') {
        if (step(&p, &cur, &next) != 0) {
            fprintf(stderr, "jsonq: bad expression near '%s'\n", p);
            set_fini(&next);
            goto out;
        }
        set_fini(&cur);
        cur = next;
        memset(&next, 0, sizeof next);
    }
    for (i = 0; i < cur.n; i++)
        print_value(cur.v[i]);
    rc = cur.n > 0 ? 0 : 1;
out:
    set_fini(&cur);
    json_decref(doc);
    return rc;
}

/* federation/sfv.c - the RFC 8941 subset of federation/sfv.h. A recursive-descent scanner
 * over one bounded slice; every production is the RFC's ABNF (section cited at each), and
 * what the subset leaves out is refused by name instead of skipped: a parser that skips
 * what it does not know can be made to see a different signature than the sender's
 * verifier did. Why ours and not a library: docs/decisions.md ("RFC 9421"). */
#include "federation/sfv.h"

#include <string.h>

struct sf_cur {
    const char *p;
    size_t len, pos;
};

static int sf_fail(const struct sf_cur *c, const char *what, struct hr_err *err)
{
    return hr_fail(err, HR_EINVAL, "structured field: %s at byte %zu", what, c->pos);
}

static bool at(const struct sf_cur *c, char ch)
{
    return c->pos < c->len && c->p[c->pos] == ch;
}

static bool is_lcalpha(char ch)
{
    return ch >= 'a' && ch <= 'z';
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static void skip_sp(struct sf_cur *c)
{
    while (at(c, ' '))
        c->pos++;
}

static void skip_ows(struct sf_cur *c)
{
    while (at(c, ' ') || at(c, '\t'))
        c->pos++;
}

/* RFC 8941 §3.1.2 key = ( lcalpha / "*" ) *( lcalpha / DIGIT / "_" / "-" / "." / "*" ) */
static int parse_key(struct sf_cur *c, struct hr_slice *out, struct hr_err *err)
{
    size_t start = c->pos;

    if (!(c->pos < c->len && (is_lcalpha(c->p[c->pos]) || c->p[c->pos] == '*')))
        return sf_fail(c, "key expected", err);
    while (c->pos < c->len && (is_lcalpha(c->p[c->pos]) || is_digit(c->p[c->pos]) ||
                               (c->p[c->pos] != '\0' && strchr("_-.*", c->p[c->pos]) != NULL)))
        c->pos++; /* the NUL test: strchr finds the terminator (a fuzzer finding) */
    *out = (struct hr_slice){c->p + start, c->pos - start};
    return HR_OK;
}

/* §3.3.3 sf-string. Escapes are refused (the subset): no component name, keyid, alg,
 * nonce or tag a signer emits needs one, and refusing keeps every slice the exact bytes. */
static int parse_string(struct sf_cur *c, struct hr_slice *out, struct hr_err *err)
{
    size_t start = ++c->pos;

    while (c->pos < c->len && c->p[c->pos] != '"') {
        char ch = c->p[c->pos];
        if (ch == '\\')
            return sf_fail(c, "string escapes are not accepted", err);
        if (ch < 0x20 || ch > 0x7e)
            return sf_fail(c, "control or non-ASCII byte in a string", err);
        c->pos++;
    }
    if (c->pos == c->len)
        return sf_fail(c, "unterminated string", err);
    *out = (struct hr_slice){c->p + start, c->pos - start};
    c->pos++;
    return HR_OK;
}

/* §3.3.1 sf-integer = ["-"] 1*15DIGIT */
static int parse_integer(struct sf_cur *c, int64_t *out, struct hr_err *err)
{
    bool neg = at(c, '-');
    int64_t v = 0;
    size_t n = 0;

    if (neg)
        c->pos++;
    while (c->pos < c->len && is_digit(c->p[c->pos]) && n < 16) {
        v = v * 10 + (c->p[c->pos++] - '0');
        n++;
    }
    if (n == 0 || n > 15)
        return sf_fail(c, "integer of 1 to 15 digits expected", err);
    if (at(c, '.'))
        return sf_fail(c, "decimals are not accepted", err);
    *out = neg ? -v : v;
    return HR_OK;
}

/* §3.3.5 sf-binary = ":" *(base64) ":" ; decoding (and refusing bad base64) is the
 * caller's, which knows how many bytes it expects. */
static int parse_bytes(struct sf_cur *c, struct hr_slice *out, struct hr_err *err)
{
    size_t start = ++c->pos;

    while (c->pos < c->len && c->p[c->pos] != ':') {
        char ch = c->p[c->pos];
        if (!(is_lcalpha(ch) || (ch >= 'A' && ch <= 'Z') || is_digit(ch) || ch == '+' ||
              ch == '/' || ch == '='))
            return sf_fail(c, "byte sequence is not base64", err);
        c->pos++;
    }
    if (c->pos == c->len)
        return sf_fail(c, "unterminated byte sequence", err);
    *out = (struct hr_slice){c->p + start, c->pos - start};
    c->pos++;
    return HR_OK;
}

/* §3.1.2 param-value: the subset takes strings, integers and the boolean true. */
static int parse_param_value(struct sf_cur *c, struct fed_sf_param *p, struct hr_err *err)
{
    if (!at(c, '=')) {
        p->type = FED_SF_TRUE;
        return HR_OK;
    }
    c->pos++;
    if (at(c, '"')) {
        p->type = FED_SF_STRING;
        return parse_string(c, &p->str, err);
    }
    if (at(c, '-') || (c->pos < c->len && is_digit(c->p[c->pos]))) {
        p->type = FED_SF_INTEGER;
        return parse_integer(c, &p->num, err);
    }
    if (at(c, '?') && c->pos + 1 < c->len && c->p[c->pos + 1] == '1') {
        c->pos += 2;
        p->type = FED_SF_TRUE;
        return HR_OK;
    }
    return sf_fail(c, "parameter value must be a string, an integer or ?1", err);
}

/* §3.1.2 parameters = *( ";" *SP param-key [ "=" param-value ] ). A repeated key is
 * refused (RFC 8941 lets the last win; two readers of one header could then disagree). */
static int parse_params(struct sf_cur *c, struct fed_sf_params *ps, struct hr_err *err)
{
    int rc = HR_OK;

    ps->n = 0;
    while (rc == HR_OK && at(c, ';')) {
        struct fed_sf_param p = {0};
        c->pos++;
        skip_sp(c);
        rc = parse_key(c, &p.key, err);
        if (rc == HR_OK)
            rc = parse_param_value(c, &p, err);
        for (size_t i = 0; rc == HR_OK && i < ps->n; i++)
            if (ps->p[i].key.len == p.key.len && memcmp(ps->p[i].key.p, p.key.p, p.key.len) == 0)
                rc = sf_fail(c, "parameter given twice", err);
        if (rc == HR_OK && ps->n == FED_SF_MAX_PARAMS)
            rc = sf_fail(c, "too many parameters", err);
        if (rc == HR_OK)
            ps->p[ps->n++] = p;
    }
    return rc;
}

/* §3.1.1 inner-list = "(" *SP [ sf-item *( 1*SP sf-item ) *SP ] ")" parameters, where
 * every item must be a string (RFC 9421 §2.1: component identifiers are strings). */
static int parse_inner(struct sf_cur *c, struct fed_sf_member *m, struct hr_err *err)
{
    int rc = HR_OK;

    c->pos++;
    skip_sp(c);
    while (rc == HR_OK && !at(c, ')')) {
        struct fed_sf_item *it = &m->items[m->n_items];
        if (m->n_items == FED_SF_MAX_ITEMS)
            return sf_fail(c, "too many items in an inner list", err);
        if (!at(c, '"'))
            return sf_fail(c, "inner list item must be a string", err);
        rc = parse_string(c, &it->str, err);
        if (rc == HR_OK)
            rc = parse_params(c, &it->params, err);
        if (rc == HR_OK && !at(c, ' ') && !at(c, ')'))
            rc = sf_fail(c, "space or ')' expected in an inner list", err);
        if (rc == HR_OK)
            m->n_items++;
        skip_sp(c);
    }
    if (rc != HR_OK)
        return rc;
    c->pos++; /* ')' */
    m->type = FED_SF_INNER;
    return parse_params(c, &m->params, err);
}

/* §3.2 dict-member = member-key ( parameters / ( "=" member-value ) ); the subset needs
 * the "=": a bare key (boolean true) is not a signature. */
static int parse_member(struct sf_cur *c, struct fed_sf_member *m, struct hr_err *err)
{
    int rc = parse_key(c, &m->key, err);

    if (rc != HR_OK)
        return rc;
    if (!at(c, '='))
        return sf_fail(c, "'=' expected after a dictionary key", err);
    c->pos++;
    if (at(c, '('))
        return parse_inner(c, m, err);
    if (!at(c, ':'))
        return sf_fail(c, "inner list or byte sequence expected", err);
    m->type = FED_SF_BYTES;
    rc = parse_bytes(c, &m->bytes, err);
    if (rc == HR_OK)
        rc = parse_params(c, &m->params, err);
    return rc;
}

static bool dict_has(const struct fed_sf_dict *d, struct hr_slice key)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->m[i].key.len == key.len && memcmp(d->m[i].key.p, key.p, key.len) == 0)
            return true;
    return false;
}

int fed_sf_dict_parse(struct hr_slice value, struct fed_sf_dict *out, struct hr_err *err)
{
    struct sf_cur c = {value.p, value.len, 0};
    int rc = HR_OK;

    if (value.p == NULL || value.len > FED_SF_MAX_BYTES)
        return hr_fail(err, HR_EINVAL, "structured field missing or over %d bytes",
                       FED_SF_MAX_BYTES);
    memset(out, 0, sizeof *out);
    skip_sp(&c); /* §4.2 step 2: leading and trailing SP are discarded */
    while (c.len > c.pos && c.p[c.len - 1] == ' ')
        c.len--;
    if (c.pos == c.len)
        return hr_fail(err, HR_EINVAL, "structured field is empty");
    while (rc == HR_OK && c.pos < c.len) {
        struct fed_sf_member m = {0};
        if (out->n == FED_SF_MAX_MEMBERS)
            return sf_fail(&c, "too many dictionary members", err);
        rc = parse_member(&c, &m, err);
        if (rc == HR_OK && dict_has(out, m.key))
            rc = sf_fail(&c, "dictionary key given twice", err);
        if (rc != HR_OK)
            break;
        out->m[out->n++] = m;
        skip_ows(&c);
        if (c.pos == c.len)
            break;
        if (!at(&c, ','))
            return sf_fail(&c, "',' expected between dictionary members", err);
        c.pos++;
        skip_ows(&c);
        if (c.pos == c.len)
            return sf_fail(&c, "trailing ','", err);
    }
    return rc;
}

const struct fed_sf_param *fed_sf_param_get(const struct fed_sf_params *params, const char *key)
{
    for (size_t i = 0; i < params->n; i++)
        if (hr_slice_eq(params->p[i].key, key))
            return &params->p[i];
    return NULL;
}

/* §4.1.1.2 serialising parameters */
static void params_serialize(const struct fed_sf_params *ps, struct hr_buf *b)
{
    for (size_t i = 0; i < ps->n; i++) {
        const struct fed_sf_param *p = &ps->p[i];
        hr_buf_add(b, ";", 1);
        hr_buf_add(b, p->key.p, p->key.len);
        if (p->type == FED_SF_STRING) {
            hr_buf_add(b, "=\"", 2);
            hr_buf_add(b, p->str.p, p->str.len);
            hr_buf_add(b, "\"", 1);
        } else if (p->type == FED_SF_INTEGER) {
            hr_buf_addf(b, "=%lld", (long long)p->num);
        }
    }
}

/* §4.1.1.1 serialising an inner list */
void fed_sf_inner_serialize(const struct fed_sf_member *m, struct hr_buf *b)
{
    hr_buf_add(b, "(", 1);
    for (size_t i = 0; i < m->n_items; i++) {
        if (i > 0)
            hr_buf_add(b, " ", 1);
        hr_buf_add(b, "\"", 1);
        hr_buf_add(b, m->items[i].str.p, m->items[i].str.len);
        hr_buf_add(b, "\"", 1);
        params_serialize(&m->items[i].params, b);
    }
    hr_buf_add(b, ")", 1);
    params_serialize(&m->params, b);
}

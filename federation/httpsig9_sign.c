/* federation/httpsig9_sign.c - outbound RFC 9421: what to sign (our default, or what a
 * peer's Accept-Signature asks for, §5.1) and the signing itself. The Signature-Input we
 * write is parsed back with federation/sfv.c and the base built by fed_sig9_base, the
 * verifier's code: what we sign is by construction what a verifier reconstructs. */
#include "federation/httpsig9.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Components we can produce for any request of ours. */
static const char *const producible[] = {"@method",    "@target-uri", "@authority",
                                         "@scheme",    "@path",       "@query",
                                         "@request-target", "content-digest", "content-type",
                                         "date",       "host",        "digest"};

static bool can_produce(struct hr_slice n)
{
    for (size_t i = 0; i < sizeof producible / sizeof producible[0]; i++)
        if (hr_slice_eq(n, producible[i]))
            return true;
    return false;
}

static bool plan_has(const struct fed_sig9_plan *p, const char *name)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->components[i], name) == 0)
            return true;
    return false;
}

static void plan_add(struct fed_sig9_plan *p, const char *name)
{
    if (!plan_has(p, name) && p->n < FED_SIG9_SIGN_MAX)
        snprintf(p->components[p->n++], sizeof p->components[0], "%s", name);
}

void fed_sig9_plan_default(const char *method, struct fed_sig9_plan *out)
{
    memset(out, 0, sizeof *out);
    snprintf(out->label, sizeof out->label, "sig1");
    plan_add(out, "@method");
    plan_add(out, "@target-uri");
    if (method != NULL && hr_streq_ci(method, "POST"))
        plan_add(out, "content-digest");
}

/* A parameter string we would echo into our own header: short, and no quote or
 * backslash (sfv.c refused escapes already). */
static bool copy_param(const struct fed_sf_member *m, const char *key, char *out, size_t cap)
{
    const struct fed_sf_param *p = fed_sf_param_get(&m->params, key);

    if (p == NULL)
        return true;
    if (p->type != FED_SF_STRING || p->str.len >= cap)
        return false;
    snprintf(out, cap, "%.*s", (int)p->str.len, p->str.p);
    return true;
}

/* The challenge's constraints we can meet: our alg and keyid, components we produce. */
static bool challenge_ok(const struct fed_sf_member *m, const char *key_id)
{
    const struct fed_sf_param *alg = fed_sf_param_get(&m->params, "alg");
    const struct fed_sf_param *kid = fed_sf_param_get(&m->params, "keyid");

    if (m->type != FED_SF_INNER || m->key.len >= 32 || m->n_items > FED_SIG9_SIGN_MAX)
        return false;
    if (alg != NULL && (alg->type != FED_SF_STRING || !hr_slice_eq(alg->str, "rsa-v1_5-sha256")))
        return false;
    if (kid != NULL && (kid->type != FED_SF_STRING || !hr_slice_eq(kid->str, key_id)))
        return false;
    for (size_t i = 0; i < m->n_items; i++)
        if (m->items[i].params.n != 0 || !can_produce(m->items[i].str))
            return false;
    return true;
}

bool fed_sig9_plan_accept(struct fed_sig9_plan *plan, const char *accept_signature,
                          const char *key_id)
{
    struct fed_sf_dict *d = malloc(sizeof *d);
    struct fed_sig9_plan p = {0};
    const struct fed_sf_member *m;
    bool ok = false;

    if (d == NULL || accept_signature == NULL ||
        fed_sf_dict_parse((struct hr_slice){accept_signature, strlen(accept_signature)}, d,
                          NULL) != HR_OK)
        goto out;
    m = &d->m[0]; /* the first request: one signature per knock */
    if (!challenge_ok(m, key_id))
        goto out;
    snprintf(p.label, sizeof p.label, "%.*s", (int)m->key.len, m->key.p);
    for (size_t i = 0; i < m->n_items; i++) {
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)m->items[i].str.len, m->items[i].str.p);
        plan_add(&p, name);
    }
    for (size_t i = 0; i < plan->n; i++) /* what we always sign stays signed */
        plan_add(&p, plan->components[i]);
    ok = copy_param(m, "nonce", p.nonce, sizeof p.nonce) &&
         copy_param(m, "tag", p.tag, sizeof p.tag);
    if (ok)
        *plan = p;
out:
    free(d);
    return ok;
}

/* LABEL=("c1" "c2");created=N;keyid="K";alg="rsa-v1_5-sha256"[;nonce="..."][;tag="..."] */
static int input_text(const struct fed_sig9_plan *plan, const char *key_id, int64_t created,
                      struct hr_buf *b, struct hr_err *err)
{
    if (key_id == NULL || key_id[0] == '\0' || strpbrk(key_id, "\"\\\r\n") != NULL)
        return hr_fail(err, HR_EINVAL, "keyid cannot be put in Signature-Input");
    hr_buf_addf(b, "%s=(", plan->label);
    for (size_t i = 0; i < plan->n; i++)
        hr_buf_addf(b, "%s\"%s\"", i > 0 ? " " : "", plan->components[i]);
    hr_buf_addf(b, ");created=%lld;keyid=\"%s\";alg=\"rsa-v1_5-sha256\"", (long long)created,
                key_id);
    if (plan->nonce[0] != '\0')
        hr_buf_addf(b, ";nonce=\"%s\"", plan->nonce);
    if (plan->tag[0] != '\0')
        hr_buf_addf(b, ";tag=\"%s\"", plan->tag);
    return b->err == HR_OK ? HR_OK : hr_fail(err, b->err, "Signature-Input");
}

/* Builds "LABEL=:B64:" into *out. */
static int signature_text(const struct fed_sig9_plan *plan, const char *b64, char **out,
                          struct hr_err *err)
{
    size_t n = strlen(plan->label) + strlen(b64) + 4;
    char *s = malloc(n);

    if (s == NULL)
        return hr_fail(err, HR_ENOMEM, "Signature");
    snprintf(s, n, "%s=:%s:", plan->label, b64);
    *out = s;
    return HR_OK;
}

int fed_sig9_sign(const struct keys_key *priv, const char *key_id,
                  const struct fed_sig9_plan *plan, int64_t created,
                  const struct fed_sig9_request *req, char **input_out, char **signature_out,
                  struct hr_err *err)
{
    struct fed_sf_dict *d = malloc(sizeof *d);
    struct fed_sig9 sig = {.alg = FED_SIG9_RSA_V1_5_SHA256, .created = created};
    char *input = NULL, *base = NULL, *b64 = NULL, *sigtext = NULL;
    struct hr_buf b;
    int rc = d ? HR_OK : hr_fail(err, HR_ENOMEM, "signing");

    hr_buf_init(&b, 8192);
    if (rc == HR_OK)
        rc = input_text(plan, key_id, created, &b, err);
    if (rc == HR_OK && (input = hr_buf_take(&b)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "Signature-Input");
    if (rc == HR_OK)
        rc = fed_sf_dict_parse((struct hr_slice){input, strlen(input)}, d, err);
    if (rc == HR_OK) {
        sig.input = d->m[0];
        rc = fed_sig9_base(&sig, req, &base, err);
    }
    if (rc == HR_OK)
        rc = keys_rsa_sign(priv, base, strlen(base), &b64, err);
    if (rc == HR_OK)
        rc = signature_text(plan, b64, &sigtext, err);
    if (rc == HR_OK) {
        *input_out = input;
        *signature_out = sigtext;
        input = NULL;
    }
    hr_buf_fini(&b);
    free(input);
    free(base);
    free(b64);
    free(d);
    return rc;
}

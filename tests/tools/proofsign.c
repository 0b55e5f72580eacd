/* tests/tools/proofsign.c - makes FEP-8b32 (eddsa-jcs-2022) proofs for fake peers in
 * integration tests, with Herald's own keys/ code:
 *
 *   proofsign key PEMFILE               new Ed25519 key: writes PEMFILE, prints the Multikey
 *   proofsign sign PEMFILE VM CREATED   reads a JSON document on stdin, prints it with one
 *                                       proof by that key (verificationMethod VM, created
 *                                       CREATED, e.g. 2026-01-01T00:00:00Z)
 *
 * Exit 0, or 1 with one line on stderr. */
#include "base/hr.h"
#include "keys/keys.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, const struct hr_err *err)
{
    fprintf(stderr, "proofsign: %s%s%s\n", what, err ? ": " : "", err ? err->msg : "");
    return 1;
}

static int make_key(const char *path)
{
    char *pem = NULL, *mb = NULL;
    struct hr_err err = {0};
    FILE *f;
    int rc = 0;

    if (keys_ed25519_generate(&pem, &mb, &err) != HR_OK)
        return fail("key", &err);
    f = fopen(path, "w");
    if (f == NULL || fputs(pem, f) < 0)
        rc = fail("cannot write the key file", NULL);
    if (f != NULL && fclose(f) != 0)
        rc = fail("cannot write the key file", NULL);
    if (rc == 0)
        printf("%s\n", mb);
    keys_secret_free(pem);
    free(mb);
    return rc;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "r");
    struct hr_buf b;
    char chunk[4096];
    size_t n;

    if (f == NULL)
        return NULL;
    hr_buf_init(&b, 1 << 20);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        hr_buf_add(&b, chunk, n);
    fclose(f);
    return hr_buf_take(&b);
}

static int sign(const char *path, const char *vm, const char *created)
{
    struct hr_err err = {0};
    struct keys_key *priv = NULL;
    json_error_t je;
    char *pem = read_file(path), *out = NULL;
    json_t *doc = json_loadf(stdin, 0, &je);
    int rc = 0;

    if (pem == NULL || keys_private_load(pem, &priv, &err) != HR_OK)
        rc = fail("cannot read the key", pem ? &err : NULL);
    else if (!json_is_object(doc))
        rc = fail("stdin is not a JSON object", NULL);
    else if (keys_proof_add(doc, priv, vm, created, &err) != HR_OK)
        rc = fail("sign", &err);
    if (rc == 0 && (out = json_dumps(doc, JSON_COMPACT)) != NULL)
        printf("%s\n", out);
    free(out);
    keys_secret_free(pem);
    keys_key_free(priv);
    json_decref(doc);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "key") == 0)
        return make_key(argv[2]);
    if (argc == 5 && strcmp(argv[1], "sign") == 0)
        return sign(argv[2], argv[3], argv[4]);
    fprintf(stderr, "usage: proofsign key PEMFILE | proofsign sign PEMFILE VM CREATED < doc\n");
    return 2;
}

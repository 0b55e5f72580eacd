/* tests/tools/proofcheck.c - checks the FEP-8b32 proof of a document the way another
 * server would, with Herald's own checker (fed_proof_check): the verification method is
 * fetched over HTTP from the owner's actor document (loopback allowed, every other
 * outbound guard on), a superseded key only for proofs created before its `expires`.
 *
 *   proofcheck DOC.json
 *
 * Prints "valid METHOD" and exits 0, or "invalid: REASON" / "none: REASON" and exits 1;
 * 2 on usage or setup errors. Its store is a fresh temporary directory, removed at exit. */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "federation/fed.h"
#include "store/store.h"
#include "tests/unit/tmpdir.h"

static int check(const json_t *doc)
{
    struct fed_config cfg = {.domain = "proofcheck.invalid",
                             .base_url = "http://proofcheck.invalid",
                             .allow_private = true,
                             .json_max_depth = 64,
                             .json_max_string = 1 << 20,
                             .json_max_items = 10000,
                             .fetch_max_bytes = 1 << 20,
                             .fetch_timeout_ms = 10000,
                             .fetch_max_redirects = 2};
    struct fed_proof_result r;
    struct store *st = NULL;
    struct fed *fed = NULL;
    char dir[64];
    int rc = 2;

    if (tmpdir_make(dir, "proofcheck") != 0)
        return 2;
    cfg.data_dir = dir;
    if (store_open(dir, STORE_CREATE, 64, &st, NULL) == HR_OK &&
        fed_new(st, &cfg, &fed, NULL) == HR_OK) {
        fed_proof_check(fed, doc, NULL, &r);
        if (r.state == FED_PROOF_VALID)
            printf("valid %s\n", r.method);
        else
            printf("%s: %s\n", r.state == FED_PROOF_NONE ? "none" : "invalid", r.reason);
        rc = r.state == FED_PROOF_VALID ? 0 : 1;
    }
    fed_free(fed);
    store_close(st);
    tmpdir_remove(dir);
    return rc;
}

int main(int argc, char **argv)
{
    json_error_t jerr;
    json_t *doc;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: proofcheck DOC.json\n");
        return 2;
    }
    doc = json_load_file(argv[1], JSON_REJECT_DUPLICATES, &jerr);
    if (!json_is_object(doc)) {
        fprintf(stderr, "proofcheck: %s: %s\n", argv[1], jerr.text);
        json_decref(doc);
        return 2;
    }
    rc = check(doc);
    json_decref(doc);
    return rc;
}

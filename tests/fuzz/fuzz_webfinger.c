/* tests/fuzz/fuzz_webfinger.c - WebFinger resource parsing (RFC 7033): fed_webfinger on
 * one struct fed over a temporary LMDB store holding the account "health", so the path
 * that finds an account and builds the JRD is reached as well as the refusals.
 * Input: the resource query value (MHD has already percent-decoded it). */
#include "fuzz.h"

#include "federation/fed.h"
#include "keys/keys.h"

#include <dirent.h>
#include <unistd.h>

#define DOMAIN "social.example"
#define BASE   "https://social.example"

static struct {
    char dir[512];
    struct store *st;
    struct fed *fed;
} fx;

/* The store directory is flat (LMDB's files and the wake-up socket). */
static void cleanup(void)
{
    DIR *d;
    struct dirent *e;
    char path[1024];

    fed_free(fx.fed);
    store_close(fx.st);
    d = fx.dir[0] != '\0' ? opendir(fx.dir) : NULL;
    while (d != NULL && (e = readdir(d)) != NULL) {
        int n = snprintf(path, sizeof path, "%s/%s", fx.dir, e->d_name);
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && n > 0 &&
            (size_t)n < sizeof path)
            unlink(path);
    }
    if (d != NULL) {
        closedir(d);
        rmdir(fx.dir);
    }
}

static void add_account(const char *name)
{
    struct store_account a = {.name = (char *)(uintptr_t)name,
                              .kind = (char *)(uintptr_t) "agency",
                              .display_name = (char *)(uintptr_t) "Health <b>",
                              .summary = (char *)(uintptr_t) "Sum & mary",
                              .created_ms = 1};
    struct store_txn *txn = NULL;

    FUZZ_CHECK(keys_rsa_generate(&a.rsa_priv_pem, &a.rsa_pub_pem, NULL) == HR_OK);
    FUZZ_CHECK(keys_ed25519_generate(&a.ed_priv_pem, &a.ed_pub_multibase, NULL) == HR_OK);
    FUZZ_CHECK(store_txn_begin(fx.st, STORE_WRITE, &txn, NULL) == HR_OK);
    FUZZ_CHECK(store_account_add(txn, &a, NULL) == HR_OK);
    FUZZ_CHECK(store_txn_commit(txn, NULL) == HR_OK);
    keys_secret_free(a.rsa_priv_pem);
    keys_secret_free(a.ed_priv_pem);
    free(a.rsa_pub_pem);
    free(a.ed_pub_multibase);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *tmp = getenv("TMPDIR");
    struct fed_config cfg = {.domain = DOMAIN,
                             .base_url = BASE,
                             .json_max_depth = 64,
                             .json_max_string = 131072,
                             .json_max_items = 10000,
                             .fetch_max_bytes = 1 << 20};
    struct hr_err err = {0};
    int n;

    (void)argc;
    (void)argv;
    hr_log_max = HR_LOG_ERR;
    n = snprintf(fx.dir, sizeof fx.dir, "%s/herald-fuzz-wf-XXXXXX",
                 tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    FUZZ_CHECK(n > 0 && (size_t)n < sizeof fx.dir);
    FUZZ_CHECK(mkdtemp(fx.dir) != NULL);
    atexit(cleanup);
    if (store_open(fx.dir, STORE_CREATE, 16, &fx.st, &err) != HR_OK) {
        fprintf(stderr, "store_open %s: %s\n", fx.dir, err.msg);
        abort();
    }
    cfg.data_dir = fx.dir;
    FUZZ_CHECK(fed_new(fx.st, &cfg, &fx.fed, &err) == HR_OK);
    add_account("health");
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *resource = fuzz_cstr(data, size);
    struct fed_doc doc;

    memset(&doc, 0, sizeof doc);
    fed_webfinger(fx.fed, resource, &doc);
    FUZZ_CHECK(doc.status == 200 || doc.status == 400 || doc.status == 404);
    if (doc.status == 200) {
        /* only our one account can be found, and only under its canonical subject */
        FUZZ_CHECK(doc.body != NULL);
        FUZZ_CHECK(strstr(doc.body, "\"subject\":\"acct:health@" DOMAIN "\"") != NULL);
        FUZZ_CHECK(strstr(doc.body, "\"href\":\"" BASE "/users/health\"") != NULL);
    } else {
        FUZZ_CHECK(doc.error != NULL);
        FUZZ_CHECK(memchr(doc.message, '\0', sizeof doc.message) != NULL);
    }
    fed_doc_fini(&doc);
    free(resource);
    return 0;
}

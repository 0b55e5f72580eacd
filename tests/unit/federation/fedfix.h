/* tests/unit/federation/fedfix.h - the federation unit tests' fixture: a store in a fresh
 * temporary directory and a federation context over it. Header-only. */
#ifndef HERALD_TEST_FEDFIX_H
#define HERALD_TEST_FEDFIX_H

#include "federation/fed.h"
#include "keys/keys.h"
#include "store/store.h"
#include "tests/unit/tmpdir.h"

/* CFG as given, its data_dir set to the new directory (DIR, 64 bytes); -1 on failure. */
static inline int fedfix_open(char dir[64], struct store **st, struct fed **fed, const char *tag,
                              struct fed_config cfg)
{
    /* the interface catalogs (base/i18n.c), as main() loads them: kind words in zh */
    if (hr_i18n_init(HERALD_LOCALEDIR, NULL) != HR_OK || tmpdir_make(dir, tag) != 0 ||
        store_open(dir, STORE_CREATE, 64, st, NULL) != HR_OK)
        return -1;
    cfg.data_dir = dir;
    return fed_new(*st, &cfg, fed, NULL) == HR_OK ? 0 : -1;
}

static inline int fedfix_close(const char *dir, struct store *st, struct fed *fed)
{
    fed_free(fed);
    store_close(st);
    return tmpdir_remove(dir);
}

/* Adds account A (its key fields are ignored) to ST. One RSA and one Ed25519 key pair serve
 * every account of the test binary: generation is the slow part (minutes under valgrind)
 * and these tests are not about keys. OWN_ED: an Ed25519 key of its own instead, for tests
 * about whose key proves what. Uses cmocka's asserts: include it first. */
static inline void fedfix_account(struct store *st, struct store_account a, bool own_ed)
{
    static char *rsa_priv, *rsa_pub, *ed_priv, *ed_pub;
    char *own_priv = NULL, *own_pub = NULL;
    struct store_txn *txn = NULL;

    if (rsa_priv == NULL) {
        assert_int_equal(keys_rsa_generate(&rsa_priv, &rsa_pub, NULL), HR_OK);
        assert_int_equal(keys_ed25519_generate(&ed_priv, &ed_pub, NULL), HR_OK);
    }
    if (own_ed)
        assert_int_equal(keys_ed25519_generate(&own_priv, &own_pub, NULL), HR_OK);
    a.rsa_priv_pem = rsa_priv;
    a.rsa_pub_pem = rsa_pub;
    a.ed_priv_pem = own_ed ? own_priv : ed_priv;
    a.ed_pub_multibase = own_ed ? own_pub : ed_pub;
    assert_int_equal(store_txn_begin(st, STORE_WRITE, &txn, NULL), HR_OK);
    assert_int_equal(store_account_add(txn, &a, NULL), HR_OK);
    assert_int_equal(store_txn_commit(txn, NULL), HR_OK);
    keys_secret_free(own_priv);
    free(own_pub);
}

#endif

/* tests/fuzz/fuzz_jcs.c - RFC 8785 canonicalisation (keys_jcs) and proof checking
 * (keys_proof_verify) over any JSON jansson accepts. Besides not crashing: the canonical
 * form parses back to an equal value, canonicalising it again gives the same bytes (one
 * canonical form per value), and a proof check ends in one of its documented outcomes. */
#include "fuzz.h"

#include "keys/keys.h"

#include <jansson.h>

static const char test_key[] = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hr_log_max = HR_LOG_ERR;
    return 0;
}

static void round_trip(const json_t *j, size_t flags)
{
    char *canon = NULL, *again = NULL;
    size_t len = 0, len2 = 0;
    struct hr_err err = {0};
    json_t *back;
    int rc = keys_jcs(j, &canon, &len, &err);

    if (rc != HR_OK) {
        FUZZ_CHECK(rc == HR_EINVAL || rc == HR_ETOOBIG);
        FUZZ_CHECK(canon == NULL && err.msg[0] != '\0');
        return;
    }
    /* read back as reals: JCS prints integers past int64 (e.g. 1e19) as plain digits */
    back = json_loadb(canon, len, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DECODE_INT_AS_REAL,
                      NULL);
    FUZZ_CHECK(back != NULL);
    /* integers past 2^53 are doubles to JCS: compare as the reals they became */
    if (flags & JSON_DECODE_INT_AS_REAL)
        FUZZ_CHECK(json_equal(back, (json_t *)(uintptr_t)j));
    FUZZ_CHECK(keys_jcs(back, &again, &len2, NULL) == HR_OK);
    FUZZ_CHECK(len2 == len && memcmp(again, canon, len) == 0);
    json_decref(back);
    free(again);
    free(canon);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t modes[] = {0, JSON_DECODE_INT_AS_REAL};

    for (size_t m = 0; m < 2; m++) {
        json_t *j = json_loadb((const char *)data, size, JSON_DECODE_ANY | JSON_ALLOW_NUL |
                                                             modes[m], NULL);
        struct hr_err err = {0};
        int rc;
        if (j == NULL)
            return 0;
        round_trip(j, modes[m]);
        rc = keys_proof_verify(j, test_key, &err);
        FUZZ_CHECK(rc == HR_OK || rc == HR_ESIG || rc == HR_EINVAL || rc == HR_ENOTFOUND ||
                   rc == HR_ETOOBIG);
        if (rc != HR_OK)
            FUZZ_CHECK(err.msg[0] != '\0');
        json_decref(j);
    }
    return 0;
}

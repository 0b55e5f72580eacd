/* tests/fuzz/fuzz_digest.c - the Digest header (RFC 3230) against a body.
 * Input: "VALUE\nBODY" (no newline: all of it is the value, the body is empty).
 * Besides not crashing, a digest we make ourselves must always check against its body. */
#include "fuzz.h"

#include "federation/httpsig.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hr_log_max = HR_LOG_ERR;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t vlen = nl ? (size_t)(nl - data) : size;
    const uint8_t *body = nl ? nl + 1 : data + size;
    size_t blen = size - vlen - (nl != NULL);
    struct hr_err err = {0};
    char made[64];
    int rc;

    rc = fed_digest_check((struct hr_slice){(const char *)data, vlen}, body, blen, &err);
    if (rc != HR_OK) {
        fuzz_check_err(&err, rc);
        FUZZ_CHECK(rc == HR_EINVAL || rc == HR_ESIG); /* the two documented failures */
    }

    /* round trip: our own Digest of this body always matches it */
    fed_digest_make(body, blen, made);
    FUZZ_CHECK(memchr(made, '\0', sizeof made) != NULL);
    FUZZ_CHECK(fed_digest_check((struct hr_slice){made, strlen(made)}, body, blen, NULL) == HR_OK);
    return 0;
}

/* tests/fuzz/fuzz.h - what every libFuzzer target here shares: the entry points'
 * prototypes (-Wmissing-prototypes), a check that aborts so the fuzzer reports the input,
 * and a NUL-terminated copy of the input for APIs that take C strings. */
#ifndef HERALD_FUZZ_H
#define HERALD_FUZZ_H

#include "base/hr.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A property of the code under test, not an input check: failing it is a finding. */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);         \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* DATA as a heap C string of exactly SIZE + 1 bytes, so ASan sees any read past the NUL.
 * Bytes after an embedded NUL are simply invisible to the callee. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);

    FUZZ_CHECK(s != NULL);
    if (size > 0)
        memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* hr_fail's contract (base/hr.h): a known code and one NUL-terminated line, CR/LF replaced. */
static inline void fuzz_check_err(const struct hr_err *err, int rc)
{
    FUZZ_CHECK(rc > HR_OK && rc <= HR_ELIMIT);
    FUZZ_CHECK((int)err->code == rc);
    FUZZ_CHECK(memchr(err->msg, '\0', sizeof err->msg) != NULL);
    FUZZ_CHECK(strpbrk(err->msg, "\r\n") == NULL);
}

#endif

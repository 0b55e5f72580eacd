/* tests/fuzz/fuzz_config.c - herald.conf: config_parse over the defaults.
 * Input: the file's text (NUL-terminated copy; config_load refuses embedded NULs). */
#include "fuzz.h"

#include "server/config.h"

#define NUL_INSIDE(field) (memchr((field), '\0', sizeof(field)) != NULL)

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hr_log_max = HR_LOG_ERR;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_cstr(data, size);
    struct config c;
    struct hr_err err = {0};
    int rc;

    config_defaults(&c);
    rc = config_parse(text, "herald.conf", &c, &err);
    if (rc != HR_OK) {
        fuzz_check_err(&err, rc);
        FUZZ_CHECK(rc == HR_EINVAL);
        FUZZ_CHECK(strncmp(err.msg, "herald.conf", 11) == 0); /* errors name the file/line */
    }
    /* success or not, every string field stays a C string inside its array */
    FUZZ_CHECK(NUL_INSIDE(c.domain) && NUL_INSIDE(c.base_url) && NUL_INSIDE(c.listen) &&
               NUL_INSIDE(c.log_level));
    if (rc == HR_OK) {
        /* a few ranges the table promises (server/config.c) */
        FUZZ_CHECK(c.json_max_depth >= 4 && c.json_max_depth <= 1000);
        FUZZ_CHECK(c.signature_window >= 30 && c.signature_window <= 86400);
        FUZZ_CHECK(c.fetch_max_redirects <= 10);
    }
    free(text);
    return 0;
}

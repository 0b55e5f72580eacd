/* tests/fuzz/fuzz_activity.c - activity intake: the JSON body of an inbox POST through
 * fed_activity_parse (UTF-8 check, jansson with duplicates refused, Herald's limits, the
 * envelope: http(s) id, type, http(s) actor) with the default limits of herald.conf.
 * Input: the body, not NUL-terminated (as MHD hands it over). */
#include "fuzz.h"

#include "federation/fed_int.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    hr_log_max = HR_LOG_ERR;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* json_max_depth, json_max_string, json_max_items as config_defaults sets them */
    static const struct fed_json_limits lim = {64, 131072, 10000};
    struct fed_activity act = {0};
    struct hr_err err = {0};
    const char *code = NULL;
    int rc;

    rc = fed_activity_parse((const char *)data, size, &lim, &act, &code, &err);
    if (rc != HR_OK) {
        fuzz_check_err(&err, rc);
        FUZZ_CHECK(code != NULL);
        FUZZ_CHECK(strcmp(code, "malformed_json") == 0 || strcmp(code, "not_an_object") == 0 ||
                   strcmp(code, "invalid_activity") == 0);
        FUZZ_CHECK(act.json == NULL);
        return 0;
    }
    /* the envelope's promises (federation/fed_int.h) */
    FUZZ_CHECK(json_is_object(act.json));
    FUZZ_CHECK(act.id != NULL && fed_url_check(act.id, NULL) == HR_OK);
    FUZZ_CHECK(act.type != NULL && act.type[0] != '\0' && strlen(act.type) <= 64);
    FUZZ_CHECK(act.actor != NULL && fed_url_check(act.actor, NULL) == HR_OK);
    FUZZ_CHECK(strcmp(act.id, json_string_value(json_object_get(act.json, "id"))) == 0);
    json_decref(act.json);
    return 0;
}

/* tests/unit/agency/test_images.c - a draft's images through the agency layer: alt text
 * mandatory, one bad image stores nothing (no record, no file), stored images become the
 * draft's attachments with content-addressed files, and the collector keeps what a
 * profile or a live draft refers to and removes the rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "tests/tools/mkimages.h"
#include "tests/unit/tmpdir.h"

#include "agency/agency.h"
#include "federation/fed.h"
#include "media/media.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define L AGENCY_LOCAL

struct fixture {
    char dir[64];
    struct store *st;
    struct fed *fed;
    void *png, *jpg; /* test images (g_free) */
    size_t png_len, jpg_len;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    struct fed_config cfg = {.domain = "social.city.example",
                             .base_url = "https://social.city.example", .json_max_depth = 64,
                             .json_max_string = 100000, .json_max_items = 1000,
                             .fetch_max_bytes = 1 << 20};

    if (fx == NULL || media_init(NULL) != HR_OK || tmpdir_make(fx->dir, "images") != 0 ||
        agency_open(fx->dir, true, 64, &fx->st, NULL) != HR_OK)
        return -1;
    cfg.data_dir = fx->dir;
    if (fed_new(fx->st, &cfg, &fx->fed, NULL) != HR_OK ||
        agency_account_add(fx->st, L, "health", "agency", NULL, NULL, NULL) != HR_OK)
        return -1;
    fx->png = mk_save(mk_gradient(64, 48, false), "png", &fx->png_len);
    fx->jpg = mk_jpeg_gps(500, 300, &fx->jpg_len);
    *state = fx;
    return fx->png && fx->jpg ? 0 : -1;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;

    g_free(fx->png);
    g_free(fx->jpg);
    fed_free(fx->fed);
    agency_close(fx->st);
    if (tmpdir_remove(fx->dir) != 0)
        return -1;
    free(fx);
    return 0;
}

static uint64_t media_records(struct fixture *fx)
{
    struct store_txn *txn = NULL;
    uint64_t n;

    assert_int_equal(store_txn_begin(fx->st, STORE_READ, &txn, NULL), HR_OK);
    n = store_rec_count(txn, STORE_T_MEDIA);
    store_txn_abort(txn);
    return n;
}

static bool media_dir_exists(struct fixture *fx)
{
    char path[128];
    struct stat sb;

    snprintf(path, sizeof path, "%s/media", fx->dir);
    return stat(path, &sb) == 0;
}

/* A draft of "health" by the shell user with the images of IN; its result code. */
static int draft(struct fixture *fx, struct agency_draft_input *in, char id[32],
                 struct hr_err *err)
{
    struct agency_draft_result res = {0};
    int rc;

    in->text = "Flu shots at the town hall";
    rc = agency_draft_new(fx->st, fx->fed, L, "health", in, false, &res, err);
    snprintf(id, 32, "%s", res.id);
    return rc;
}

static void refused_images_store_nothing(void **state)
{
    struct fixture *fx = *state;
    struct agency_draft_input in = {.n_images = 2};
    struct hr_err err = {0};
    char id[32], long_alt[1502];

    in.images[0] = (struct agency_draft_image){.bytes = fx->png, .len = fx->png_len,
                                               .alt = "ok"};
    in.images[1] = (struct agency_draft_image){.bytes = fx->jpg, .len = fx->jpg_len};
    assert_int_equal(draft(fx, &in, id, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "image 2 has no alt text"));
    in.images[1].alt = "";
    assert_int_equal(draft(fx, &in, id, &err), HR_EINVAL);
    memset(long_alt, 'a', 1501);
    long_alt[1501] = '\0';
    in.images[1].alt = long_alt;
    assert_int_equal(draft(fx, &in, id, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "longer than 1500 bytes"));
    in.images[1].alt = "\xff\xfe";
    assert_int_equal(draft(fx, &in, id, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "UTF-8"));
    in.images[1] = (struct agency_draft_image){.bytes = fx->jpg, .len = fx->jpg_len / 2,
                                               .alt = "half a photo"};
    assert_int_equal(draft(fx, &in, id, &err), HR_EINVAL);
    assert_non_null(strstr(err.msg, "image 2: the file is truncated"));
    in.n_images = AGENCY_DRAFT_IMAGES_MAX + 1;
    assert_int_equal(draft(fx, &in, id, &err), HR_EINVAL);
    assert_int_equal(media_records(fx), 0);
    assert_false(media_dir_exists(fx));
}

static void images_become_attachments_and_files(void **state)
{
    struct fixture *fx = *state;
    struct agency_draft_input in = {.n_images = 2};
    char id[32], *json = NULL, path[256];
    json_t *d, *a;
    const char *sha;
    struct stat sb;

    in.images[0] = (struct agency_draft_image){.bytes = fx->png, .len = fx->png_len,
                                               .alt = "A poster"};
    in.images[1] = (struct agency_draft_image){.bytes = fx->jpg, .len = fx->jpg_len,
                                               .alt = "A photo"};
    assert_int_equal(draft(fx, &in, id, NULL), HR_OK);
    assert_int_equal(agency_draft_show(fx->st, L, id, &json, NULL), HR_OK);
    d = json_loads(json, 0, NULL);
    a = json_object_get(d, "attachments");
    assert_int_equal(json_array_size(a), 2);
    a = json_array_get(a, 1);
    assert_string_equal(json_string_value(json_object_get(a, "alt")), "A photo");
    assert_int_equal(json_integer_value(json_object_get(a, "width")), 500);
    sha = json_string_value(json_object_get(a, "sha256"));
    assert_string_not_equal(sha, json_string_value(json_object_get(a, "preview_sha256")));
    snprintf(path, sizeof path, "%s/media/%.2s/%s.jpg", fx->dir, sha, sha);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal((json_int_t)sb.st_size, json_integer_value(json_object_get(a, "size")));
    assert_int_equal(media_records(fx), 3); /* the small PNG is its own preview */
    json_decref(d);
    free(json);
}

static void the_collector_keeps_what_is_referred_to(void **state)
{
    struct fixture *fx = *state;
    struct agency_draft_input in = {.n_images = 1};
    char id[32], *b64 = agency_media_b64_encode(fx->png, fx->png_len);
    size_t removed = 9;

    assert_int_equal(agency_account_set(fx->st, fx->fed, L, "health", "avatar", b64, NULL), HR_OK);
    in.images[0] = (struct agency_draft_image){.bytes = fx->jpg, .len = fx->jpg_len,
                                               .alt = "A photo"};
    assert_int_equal(draft(fx, &in, id, NULL), HR_OK);
    assert_int_equal(media_records(fx), 3); /* avatar, photo, its preview */
    assert_int_equal(agency_media_gc(fx->st, fx->fed, L, 0, &removed, NULL), HR_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(agency_draft_withdraw(fx->st, L, id, NULL, NULL), HR_OK);
    assert_int_equal(agency_media_gc(fx->st, fx->fed, L, AGENCY_MEDIA_GC_MIN_AGE_MS, &removed,
                                     NULL), HR_OK);
    assert_int_equal(removed, 0); /* younger than the grace period */
    assert_int_equal(agency_media_gc(fx->st, fx->fed, L, 0, &removed, NULL), HR_OK);
    assert_int_equal(removed, 2);
    assert_int_equal(media_records(fx), 1); /* the avatar stays */
    assert_int_equal(agency_account_set(fx->st, fx->fed, L, "health", "avatar", NULL, NULL), HR_OK);
    assert_int_equal(agency_media_gc(fx->st, fx->fed, L, 0, &removed, NULL), HR_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(media_records(fx), 0);
    assert_int_equal(agency_media_gc(fx->st, fx->fed, "nobody", 0, &removed, NULL), HR_EFORBIDDEN);
    free(b64);
}

int main(void)
{
    const struct CMUnitTest t[] = {
        cmocka_unit_test_setup_teardown(refused_images_store_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(images_become_attachments_and_files, setup, teardown),
        cmocka_unit_test_setup_teardown(the_collector_keeps_what_is_referred_to, setup, teardown),
    };
    int rc = cmocka_run_group_tests(t, NULL, NULL);

    media_shutdown();
    return rc;
}

/* server/media_cli.c - media on the command line: --image FILE --alt TEXT for drafts,
 * account set NAME avatar|header FILE, and herald media gc. */
#include "server/media_front.h"
#include "media/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int media_cli_draft_opt(int argc, char **argv, int *i, struct agency_draft_input *in)
{
    bool image = strcmp(argv[*i], "--image") == 0, alt = strcmp(argv[*i], "--alt") == 0;

    if (!image && !alt)
        return -1;
    if (*i + 1 >= argc) {
        fprintf(stderr, "herald: %s needs a value (see 'herald help')\n", argv[*i]);
        return 2;
    }
    /* a fifth image: counted, not kept; agency_draft_images refuses the draft (exit 1) */
    if ((image && in->n_images >= AGENCY_DRAFT_IMAGES_MAX) ||
        in->n_images > AGENCY_DRAFT_IMAGES_MAX) {
        in->n_images = AGENCY_DRAFT_IMAGES_MAX + 1;
        *i += 1;
        return 0;
    }
    if (alt && (in->n_images == 0 || in->images[in->n_images - 1].alt != NULL)) {
        fprintf(stderr, "herald: --alt TEXT goes after the --image FILE it describes\n");
        return 2;
    }
    if (image)
        in->images[in->n_images++].path = argv[*i + 1];
    else
        in->images[in->n_images - 1].alt = argv[*i + 1];
    *i += 1;
    return 0;
}

int media_cli_profile_value(const char *key, const char *file, char **out, struct hr_err *err)
{
    unsigned char *bytes = NULL;
    size_t len = 0;
    int rc;

    *out = NULL;
    if (strcmp(key, "avatar") != 0 && strcmp(key, "header") != 0)
        return HR_OK;
    rc = agency_media_read(file, &bytes, &len, err);
    if (rc == HR_OK && (*out = agency_media_b64_encode(bytes, len)) == NULL)
        rc = hr_fail(err, HR_ENOMEM, "reading %.200s", file);
    free(bytes);
    return rc;
}

void media_gc_due(struct app *app, int64_t now_ms)
{
    static int64_t last_ms; /* the scheduler thread's own */
    struct hr_err err = {0};
    size_t removed = 0;

    if (last_ms != 0 && now_ms - last_ms < 3600 * 1000)
        return;
    last_ms = now_ms;
    if (agency_media_gc(app->st, app->fed, AGENCY_LOCAL, AGENCY_MEDIA_GC_MIN_AGE_MS, &removed,
                        &err) != HR_OK)
        hr_log(HR_LOG_ERR, "media", "collecting unreferenced media failed: %s", err.msg);
    else if (removed > 0)
        hr_log(HR_LOG_INFO, "media", "removed %zu unreferenced media file(s)", removed);
}

int media_cli_gc(struct app *app, int argc, char **argv)
{
    uint64_t age_s = AGENCY_MEDIA_GC_MIN_AGE_MS / 1000;
    struct hr_err err = {0};
    size_t removed = 0;
    int rc;

    if (argc == 4 && strcmp(argv[2], "--min-age") == 0 &&
        hr_parse_u64(argv[3], 10u * 365 * 86400, &age_s) == HR_OK)
        argc = 2;
    if (argc != 2 || strcmp(argv[1], "gc") != 0) {
        fprintf(stderr, "herald: media gc [--min-age SECONDS] (see 'herald help')\n");
        return 2;
    }
    rc = agency_media_gc(app->st, app->fed, app->as, (int64_t)age_s * 1000, &removed, &err);
    if (rc != HR_OK) {
        if (err.msg[0] != '\0')
            fprintf(stderr, "herald: %s\n", err.msg);
        return 1;
    }
    printf("media gc: %zu file%s removed\n", removed, removed == 1 ? "" : "s");
    return 0;
}

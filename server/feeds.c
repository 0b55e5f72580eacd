/* server/feeds.c - RSS 2.0 and Atom feeds (issue #11 item 2).
 * FOUNDATION STUB: the feeds helper writes them. */
#include "server/pages.h"

enum MHD_Result feeds_get(struct http_req *r, const char *kind, const char *account,
                          const char *tag)
{
    (void)kind;
    (void)account;
    (void)tag;
    return http_reply_error(r, 404, "not_found", "feeds are not written yet");
}

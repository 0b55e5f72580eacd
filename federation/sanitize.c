/* federation/sanitize.c - HTML from remote servers, made safe to show (issue #11).
 * FOUNDATION STUB: escapes everything as text until the gumbo allow-list lands. */
#include "federation/fed_int.h"

void fed_sanitize_html(const char *html, size_t len, struct hr_buf *out)
{
    hr_buf_add_html(out, html, len);
}

/* server/report_html.c - the evaluation report as ONE self-contained HTML page: no
 * external resource and no script, charts as inline SVG, an inline stylesheet with print
 * rules (the file is read offline and printed; Herald's served pages never carry inline
 * style, this download is not one of them). Every label goes through gettext (TR) in the
 * chosen language; every text is escaped (hr_buf_add_html), names included. */
#include "server/report.h"

#include <stdio.h>
#include <string.h>

static const char css[] =
    "body{font-family:sans-serif;margin:2em;color:#1a1a1a;max-width:60em}"
    "h1{font-size:1.6em}h2{font-size:1.3em;border-bottom:1px solid #999;margin-top:2em}"
    "h3{font-size:1.05em}table{border-collapse:collapse;margin:.5em 0}"
    "th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left}"
    "td.n{text-align:right}svg{display:block;margin:.5em 0}"
    ".bar{fill:#2b5f9e}.axis{stroke:#666}svg text{font-size:11px;fill:#1a1a1a}"
    "@media print{body{margin:0;max-width:none}section{break-inside:avoid}"
    ".bar{fill:#444}}";

static void esc(struct hr_buf *b, const char *s)
{
    hr_buf_add_html(b, s, strlen(s));
}

static void t(struct hr_buf *b, const char *lang, const char *msgid)
{
    esc(b, TR(lang, msgid));
}

static void value(struct hr_buf *b, const json_t *v, enum report_kind kind, const char *lang)
{
    struct hr_buf s;

    hr_buf_init(&s, 4096);
    report_value(&s, v, kind, true);
    esc(b, s.len > 0 && s.data ? s.data : TR(lang, "n/a"));
    hr_buf_fini(&s);
}

/* Vertical bars of N VALUES, STEP pixels apart, with LABELS centred under them (a chart in
 * SVG; its data also in the bars' titles for screen readers). */
static void columns(struct hr_buf *b, const char *lang, const char *title, const double *values,
                    const char *const *labels, size_t n, int step)
{
    double max = 1;
    int w = 40 + step * (int)n;

    for (size_t i = 0; i < n; i++)
        max = values[i] > max ? values[i] : max;
    hr_buf_addf(b, "<svg width=\"%d\" height=\"170\" viewBox=\"0 0 %d 170\" role=\"img\" ", w, w);
    hr_buf_adds(b, "aria-label=\"");
    t(b, lang, title);
    hr_buf_addf(b, "\"><line class=\"axis\" x1=\"30\" y1=\"140\" x2=\"%d\" y2=\"140\"/>", w);
    for (size_t i = 0; i < n; i++) {
        double h = 120.0 * values[i] / max;
        int x = 40 + step * (int)i, mid = x + (step - 12) / 2;
        hr_buf_addf(b, "<rect class=\"bar\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\">", x,
                    140.0 - h, step - 12, h);
        hr_buf_adds(b, "<title>");
        esc(b, labels[i]);
        hr_buf_addf(b,
                    ": %g</title></rect><text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%g"
                    "</text>",
                    values[i], mid, 134.0 - h, values[i]);
        hr_buf_addf(b, "<text x=\"%d\" y=\"156\" text-anchor=\"middle\">", mid);
        esc(b, labels[i]);
        hr_buf_adds(b, "</text>");
    }
    hr_buf_adds(b, "</svg>");
}

/* The four indices as horizontal bars (0-100). */
static void index_bars(struct hr_buf *b, const json_t *row, const char *lang)
{
    static const char *const names[] = {"activity", "spread", "service", "interaction"};
    static const char *const labels[] = {N_("Activity index"), N_("Spread index"),
                                         N_("Service index"), N_("Interaction index")};

    hr_buf_adds(b, "<svg width=\"420\" height=\"110\" viewBox=\"0 0 420 110\" role=\"img\" "
                   "aria-label=\"");
    t(b, lang, N_("Index scores (0-100)"));
    hr_buf_adds(b, "\">");
    for (size_t i = 0; i < 4; i++) {
        char path[64];
        const json_t *v;
        snprintf(path, sizeof path, "indices.%s.score", names[i]);
        v = report_get(row, path);
        hr_buf_addf(b, "<text x=\"0\" y=\"%zu\">", 18 + 26 * i);
        t(b, lang, labels[i]);
        hr_buf_adds(b, "</text>");
        if (json_is_number(v))
            hr_buf_addf(b, "<rect class=\"bar\" x=\"150\" y=\"%zu\" width=\"%.1f\" height=\"16\"/>",
                        6 + 26 * i, 2.0 * json_number_value(v));
        hr_buf_addf(b, "<text x=\"%.1f\" y=\"%zu\">", 156.0 + 2.0 * json_number_value(v),
                    18 + 26 * i);
        value(b, v, RK_SCORE, lang);
        hr_buf_adds(b, "</text>");
    }
    hr_buf_adds(b, "</svg>");
}

static void week_chart(struct hr_buf *b, const json_t *row, const char *lang)
{
    const json_t *weeks = json_object_get(row, "posts_per_week");
    size_t n = json_array_size(weeks) > 60 ? 60 : json_array_size(weeks);
    double values[60];
    char names[60][24];
    const char *labels[60];

    for (size_t i = 0; i < n; i++) {
        values[i] = (double)json_integer_value(json_array_get(weeks, i));
        snprintf(names[i], sizeof names[i], "%zu", i + 1);
        labels[i] = names[i];
    }
    hr_buf_adds(b, "<h3>");
    t(b, lang, N_("Posts per week"));
    hr_buf_adds(b, "</h3>");
    columns(b, lang, N_("Posts per week"), values, labels, n, 40);
}

static void answer_chart(struct hr_buf *b, const json_t *row, const char *lang)
{
    static const char *const buckets[] = {N_("under 1 h"), N_("1-4 h"),    N_("4-24 h"),
                                          N_("1-3 days"),  N_("3-7 days"), N_("over 7 days")};
    const json_t *h = report_get(row, "cases.first_answer_histogram");
    double values[6];
    const char *labels[6];

    for (size_t i = 0; i < 6; i++) {
        values[i] = (double)json_integer_value(json_array_get(h, i));
        labels[i] = TR(lang, buckets[i]);
    }
    hr_buf_adds(b, "<h3>");
    t(b, lang, N_("Time to first answer"));
    hr_buf_adds(b, "</h3>");
    columns(b, lang, N_("Time to first answer"), values, labels, 6, 84);
}

static void account_section(struct hr_buf *b, const json_t *row, const char *lang)
{
    hr_buf_adds(b, "<section><h2>");
    value(b, json_object_get(row, "account"), RK_TEXT, lang);
    hr_buf_adds(b, "</h2><table>");
    for (size_t c = 1; c < report_n_cols; c++) {
        hr_buf_adds(b, "<tr><th scope=\"row\">");
        t(b, lang, report_cols[c].label);
        hr_buf_adds(b, "</th><td class=\"n\">");
        value(b, report_get(row, report_cols[c].path), report_cols[c].kind, lang);
        hr_buf_adds(b, "</td></tr>");
    }
    hr_buf_adds(b, "</table><h3>");
    t(b, lang, N_("Index scores (0-100)"));
    hr_buf_adds(b, "</h3>");
    index_bars(b, row, lang);
    week_chart(b, row, lang);
    answer_chart(b, row, lang);
    hr_buf_adds(b, "</section>");
}

/* A table of ROWS with the columns PATHS (labels LABELS). */
static void table(struct hr_buf *b, const json_t *rows, const struct report_col *cols, size_t n,
                  const char *lang)
{
    const json_t *row;
    size_t i;

    hr_buf_adds(b, "<table><thead><tr>");
    for (size_t c = 0; c < n; c++) {
        hr_buf_adds(b, "<th scope=\"col\">");
        t(b, lang, cols[c].label);
        hr_buf_adds(b, "</th>");
    }
    hr_buf_adds(b, "</tr></thead><tbody>");
    json_array_foreach(rows, i, row)
    {
        hr_buf_adds(b, "<tr>");
        for (size_t c = 0; c < n; c++) {
            hr_buf_adds(b, cols[c].kind == RK_TEXT ? "<td>" : "<td class=\"n\">");
            value(b, report_get(row, cols[c].path), cols[c].kind, lang);
            hr_buf_adds(b, "</td>");
        }
        hr_buf_adds(b, "</tr>");
    }
    hr_buf_adds(b, "</tbody></table>");
}

static const struct report_col summary_cols[] = {
    {"", N_("Account"), "account", RK_TEXT},
    {"", N_("Posts published"), "posts", RK_INT},
    {"", N_("Followers at end"), "followers_end", RK_INT},
    {"", N_("Activity index"), "indices.activity.score", RK_SCORE},
    {"", N_("Spread index"), "indices.spread.score", RK_SCORE},
    {"", N_("Service index"), "indices.service.score", RK_SCORE},
    {"", N_("Interaction index"), "indices.interaction.score", RK_SCORE},
};

static const struct report_col dept_cols[] = {
    {"", N_("Department"), "department", RK_TEXT},
    {"", N_("Posts published"), "posts", RK_INT},
    {"", N_("Followers at end"), "followers_end", RK_INT},
    {"", N_("Cases opened"), "cases.opened", RK_INT},
    {"", N_("Cases answered"), "cases.answered", RK_INT},
    {"", N_("Cases overdue"), "cases.overdue", RK_INT},
    {"", N_("Answered within the deadline"), "cases.share_within_deadline", RK_SHARE},
    {"", N_("Median time to first answer (hours)"), "cases.first_answer_median_ms", RK_HOURS},
    {"", N_("Service index"), "indices.service.score", RK_SCORE},
};

static void departments(struct hr_buf *b, const json_t *depts, const char *lang)
{
    const json_t *d, *m;
    size_t i, j;

    if (json_array_size(depts) == 0)
        return;
    hr_buf_adds(b, "<section><h2>");
    t(b, lang, N_("Departments"));
    hr_buf_adds(b, "</h2>");
    table(b, depts, dept_cols, sizeof dept_cols / sizeof dept_cols[0], lang);
    hr_buf_adds(b, "<ul>");
    json_array_foreach(depts, i, d)
    {
        hr_buf_adds(b, "<li>");
        value(b, json_object_get(d, "department"), RK_TEXT, lang);
        hr_buf_adds(b, ": ");
        json_array_foreach(json_object_get(d, "members"), j, m)
        {
            hr_buf_adds(b, j ? ", " : "");
            value(b, m, RK_TEXT, lang);
        }
        hr_buf_adds(b, "</li>");
    }
    hr_buf_adds(b, "</ul></section>");
}

static void head(struct hr_buf *b, const json_t *period, const char *lang)
{
    hr_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"");
    esc(b, lang);
    hr_buf_adds(b, "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
                   "content=\"width=device-width, initial-scale=1\"><title>");
    t(b, lang, N_("Evaluation report"));
    hr_buf_adds(b, "</title><style>");
    hr_buf_adds(b, css);
    hr_buf_adds(b, "</style></head><body><h1>");
    t(b, lang, N_("Evaluation report"));
    hr_buf_adds(b, "</h1><p>");
    t(b, lang, N_("Period"));
    hr_buf_adds(b, ": ");
    value(b, json_object_get(period, "from"), RK_TEXT, lang);
    hr_buf_adds(b, " &ndash; ");
    value(b, json_object_get(period, "to"), RK_TEXT, lang);
    hr_buf_adds(b, " (");
    value(b, json_object_get(period, "timezone"), RK_TEXT, lang);
    hr_buf_adds(b, ")</p>");
}

void report_html(struct hr_buf *b, const json_t *report, const char *lang)
{
    const json_t *row, *accounts = json_object_get(report, "accounts");
    size_t i;

    head(b, json_object_get(report, "period"), lang);
    hr_buf_adds(b, "<section><h2>");
    t(b, lang, N_("Summary"));
    hr_buf_adds(b, "</h2>");
    table(b, accounts, summary_cols, sizeof summary_cols / sizeof summary_cols[0], lang);
    hr_buf_adds(b, "</section>");
    json_array_foreach(accounts, i, row) account_section(b, row, lang);
    departments(b, json_object_get(report, "departments"), lang);
    hr_buf_adds(b, "<footer><p>");
    t(b, lang,
      N_("How every figure and index is computed: docs/evaluation.md in Herald's "
         "documentation."));
    hr_buf_adds(b, "</p></footer></body></html>\n");
}

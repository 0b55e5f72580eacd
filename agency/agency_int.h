/* agency/agency_int.h - internals shared by the agency sources. */
#ifndef HERALD_AGENCY_INT_H
#define HERALD_AGENCY_INT_H

#include "agency/agency.h"
#include "media/media.h"

#include <jansson.h>

/* ---- issue #10: what a draft revision needs from outside the store, computed before the
 * write transaction (agency/drafts.c prepare_extras). Each sets *OUT to a new JSON value
 * for the draft record (NULL: none), in the formats of fed.h's struct fed_post_input, or
 * fails with a clear error for the operator; nothing is stored on failure. */
/* @user@host mentions in IN->text, each resolved by WebFinger now (agency/mentions.c). */
int agency_draft_mentions(struct store *st, struct fed *fed, const char *account,
                          const struct agency_draft_input *in, json_t **out,
                          struct hr_err *err);
/* The language of a draft: IN's, else the account's profile "language", else the
 * instance's first (fed_language_default), into OUT (agency/mentions.c). */
int agency_draft_language(struct store *st, struct fed *fed, const char *account,
                          const struct agency_draft_input *in, char *out, size_t cap,
                          struct hr_err *err);
/* A BCP 47 language tag (RFC 5646 §2.1 syntax: a 2-3 letter language, then subtags of
 * 1-8 letters or digits; at most 35 bytes)? (agency/mentions.c) */
bool agency_language_valid(const char *tag);
/* The profile key "field" on PROFILE (agency/fields.c): VALUE {"name","value"} as JSON
 * text sets field NAME (a new one is appended; an empty value removes it); NULL removes
 * every field. HR_EINVAL: more than AGENCY_FIELDS_MAX fields, a label over 255 or a value
 * over 2047 bytes, not UTF-8, or not that JSON. */
#define AGENCY_FIELDS_MAX 4
int agency_fields_apply(json_t *profile, const char *value, struct hr_err *err);
/* IN's images, decoded, re-encoded and stored content-addressed (agency/images.c). */
int agency_draft_images(struct store *st, struct fed *fed, const char *account,
                        const struct agency_draft_input *in, json_t **out, struct hr_err *err);
/* IN's poll, checked (agency/polls.c). */
int agency_draft_poll(const struct agency_draft_input *in, json_t **out, struct hr_err *err);
/* The checks of agency_draft_poll as of NOW_MS (2..10 distinct options of 1..200 bytes of
 * UTF-8 without control characters; closing in the future, at most a year ahead). */
int agency_draft_poll_check(const struct agency_draft_input *in, int64_t now_ms,
                            struct hr_err *err);

/* ---- media files (agency/mediafiles.c; docs/storage.md "Media files") ---- */
/* DATA_DIR/media/AB/SHA256.EXT into OUT. HR_EINVAL for a bad hash or type, or no FED. */
int agency_media_path(struct fed *fed, const char *sha256, const char *media_type, char *out,
                      size_t cap);
/* Stores IMG (media_process's result) content-addressed, durably, with its STORE_T_MEDIA
 * record; *OUT = {"sha256","media_type","width","height","blurhash","size"} (new). */
int agency_media_store(struct store *st, struct fed *fed, const struct media_image *img,
                       json_t **out, struct hr_err *err);

/* The newest audit entry; HR_ENOTFOUND on an empty log. */
int agency_audit_last(struct store_txn *txn, struct agency_audit_entry *out, struct hr_err *err);

/* Reads table T's record KEY as a JSON object (caller decrefs). HR_ENOTFOUND. */
int agency_rec_json(struct store_txn *txn, enum store_table t, const char *key, json_t **out,
                    struct hr_err *err);
/* Writes J (compact, sorted keys) as table T's record KEY. */
int agency_rec_put_json(struct store_txn *txn, enum store_table t, const char *key,
                        const json_t *j, unsigned flags, struct hr_err *err);

/* Runs FN inside one write transaction and commits it (with the audit entry FN wrote). */
int agency_write(struct store *st, int (*fn)(struct store_txn *txn, void *ctx), void *ctx,
                 struct hr_err *err);

/* true when OPERATOR is active and holds ROLE on ACCOUNT (or instance-wide). */
bool agency_role_held(struct store_txn *txn, const char *operator, const char *role,
                      const char *account);
bool agency_operator_active(struct store_txn *txn, const char *operator);
/* agency_may inside TXN (the transaction of the change it allows). */
int agency_may_txn(struct store_txn *txn, const char *operator, enum agency_action action,
                   const char *account, const char *subject, struct hr_err *err);

/* HR_EFORBIDDEN (with a message for the operator) when account NAME is frozen, read in
 * TXN (agency/security.c); HR_OK otherwise, an unknown account included. */
int agency_frozen_refuse(struct store_txn *txn, const char *name, struct hr_err *err);
/* HOLD: takes account NAME's scheduled (approved, timed) drafts off the schedule, so a
 * frozen account's posts neither publish nor occupy the scheduler; !HOLD puts them back
 * (a draft past its time publishes at the scheduler's next run). Inside TXN. */
int agency_schedule_hold(struct store_txn *txn, const char *name, bool hold,
                         struct hr_err *err);
/* profile.c's "parent" row (agency/kinds.c): checks VALUE (NULL: clear) for account A and
 * sets it in PROFILE; a new parent starts unconfirmed. */
int agency_parent_apply(struct store_txn *txn, const struct store_account *a, json_t *profile,
                        const char *value, struct hr_err *err);
/* The profile of a new account naming PARENT (NULL: none) as JSON text (caller frees):
 * "parent", and "parent_name" for a local parent. */
int agency_parent_profile(struct store_txn *txn, const char *parent, char **out,
                          struct hr_err *err);
/* After local account PARENT's display name became DISPLAY (inside TXN): each local
 * account naming it stores the new name and, when FED is not NULL, queues Update(actor). */
int agency_children_rename(struct store_txn *txn, struct fed *fed, const char *parent,
                           const char *display, struct hr_err *err);

/* ---- the citizen desk (issue #12) ----
 * A case is a JSON record in STORE_T_CASES (key: its id), written by agency/cases.c and
 * read by the watchdog, the reports and the metrics through agency_case_each:
 *   {"id": "c17", "account": the account written to, "department": the account whose
 *    responders handle it, "citizen": actor URL, "citizen_acct": "@user@host" or absent,
 *    "thread": conversation key, "why": "reply"|"mention"|"direct",
 *    "visibility": "public"|"unlisted"|"followers"|"direct" (of the citizen's first
 *    message: the answer goes out with it), "status": "new"|"assigned"|"answered"|"closed",
 *    "assignee": operator or absent, "tags": [..], "opened_ms", "deadline_ms",
 *    "first_answer_ms" (absent until the first answer is published), "answered_ms" (the
 *    latest), "closed_ms", "overdue_ms" (when the watchdog first saw it overdue; absent
 *    before), "messages": [{"id", "ms", "html" (sanitised), "original" (as received),
 *    "language", "summary", "in_reply_to", "edited_ms", "deleted_ms"}],
 *    "answers": [{"draft", "note", "submitted_ms", "published_ms"}]}
 * Unknown keys are kept by every writer. */
/* Calls CB for every case, in id order (a non-zero return stops and is returned). */
int agency_case_each(struct store_txn *txn, int (*cb)(const json_t *c, void *ctx), void *ctx,
                     struct hr_err *err);
/* The desk settings of ACCOUNT (STORE_T_DESK 'a' NUL account): a new JSON object, {} when
 * none were set. Keys (agency/desk.c checks them): "department", "deadline" ("3d" working
 * days | "8h" working hours), "timezone", "weekdays", "hours", "ack" (true/false),
 * "ack_text", "max_silence_days", "draft_wait_hours". */
int agency_desk_settings(struct store_txn *txn, const char *account, json_t **out,
                         struct hr_err *err);
/* When a case of ACCOUNT opened at OPENED_MS is due for its first answer: the account's
 * deadline counted in its working calendar (agency/calendar.c). */
int agency_deadline_ms(struct store_txn *txn, const char *account, int64_t opened_ms,
                       int64_t *out, struct hr_err *err);
/* Records event TYPE (case.opened, case.overdue, case.answered, draft.submitted,
 * draft.approved, post.published, watchdog.alarm) with DATA (stolen; an object) inside TXN:
 * every webhook that wants TYPE gets a durable delivery job in the same transaction
 * (agency/events.c). */
int agency_event(struct store_txn *txn, const char *type, json_t *data, struct hr_err *err);
/* drafts.c's history() hands every draft event here (ACTION "draft.submit",
 * "draft.approve", "post.publish", ...; D the draft record as saved): the events above,
 * and the case a published answer belongs to (agency_case_draft_event, agency/cases.c). */
int agency_draft_event(struct store_txn *txn, const char *action, const json_t *d,
                       struct hr_err *err);
int agency_case_draft_event(struct store_txn *txn, const char *action, const json_t *d,
                            struct hr_err *err);
/* The department a new case of ACCOUNT goes to (agency/routes.c): the first routing rule
 * matching one of TAGS (hashtag names without '#'), then TEXT (the message without
 * markup), then ACCOUNT; else the account's desk setting "department"; else ACCOUNT. */
int agency_route_pick(struct store_txn *txn, const char *account, const json_t *tags,
                      const char *text, char out[32], struct hr_err *err);
/* agency/drafts.c: a new draft of ACCOUNT that answers (or, ACK, acknowledges) case CASE_ID:
 * checked as case.answer (ACK: as draft.create) instead of draft.create; the rest of the
 * workflow as agency_draft_new. */
int agency_draft_new_for_case(struct store *st, struct fed *fed, const char *by,
                              const char *account, const struct agency_draft_input *in,
                              bool submit, const char *case_id, bool ack,
                              struct agency_draft_result *res, struct hr_err *err);
/* agency/cases.c, inside the new draft's transaction: ties DRAFT_ID to case CASE_ID (an
 * answer: the 'd' index and answers[]; an acknowledgement: "ack_draft", no longer due). */
int agency_case_link_draft(struct store_txn *txn, const char *by, const char *case_id,
                           const char *draft_id, bool ack, struct hr_err *err);
/* Files the due automatic acknowledgements (cases marked "ack_due") as submitted drafts of
 * their departments by AGENCY_LOCAL, through the department's publishing policy (agency/
 * cases.c). Run by agency_desk_tick. */
int agency_case_tick(struct store *st, struct fed *fed, int64_t now_ms, struct hr_err *err);

/* ---- the working calendar and the desk settings (issue #12; agency/calendar.c, desk.c) ----
 * A calendar: time zone TZ (a zoneinfo name libical knows), WEEKDAYS (bit 0 Monday .. bit 6
 * Sunday), working hours [START_MIN, END_MIN) in minutes after local midnight, and HOLIDAY
 * (may be NULL): true when local date "YYYY-MM-DD" is a holiday. */
struct agency_calendar {
    char tz[64];
    unsigned weekdays;
    int start_min, end_min;
    bool (*holiday)(void *ctx, const char *date);
    void *ctx;
};
/* When a case opened at OPENED_MS is due: N working hours (HOURS) counted from the first
 * working moment at or after it, or (days) the close of the Nth working day after the day
 * of that moment (docs/desk.md "Deadlines"). HR_EINVAL for an unknown zone. */
int agency_calendar_due(const struct agency_calendar *cal, int64_t opened_ms, bool hours,
                        unsigned n, int64_t *out, struct hr_err *err);
/* A case is overdue at NOW_MS: it has a deadline that has passed, no first answer, and is
 * not closed. */
bool agency_case_overdue(const json_t *c, int64_t now_ms);
/* The checks of the setting values (HR_EINVAL with a message saying what is wanted). */
int agency_desk_parse_deadline(const char *v, bool *hours, unsigned *n, struct hr_err *err);
int agency_desk_parse_weekdays(const char *v, unsigned *mask, struct hr_err *err);
int agency_desk_parse_hours(const char *v, int *start_min, int *end_min, struct hr_err *err);
bool agency_tz_valid(const char *name);
/* The default zone: the server's TZ (set from config `timezone`), else "UTC". */
void agency_tz_default(char out[64]);
/* "YYYY-MM-DD HH:MM" of MS in zone TZ (UTC when unknown). */
void agency_date_local(int64_t ms, const char *tz, char *out, size_t cap);
/* libical is used under this one lock (its zones expand DST rules lazily; calendar.c). */
void agency_ical_lock(void);
void agency_ical_unlock(void);
/* ACCOUNT's desk settings with every default filled in (a new object): department,
 * deadline, timezone, weekdays, hours, ack, ack_text, max_silence_days, draft_wait_hours. */
int agency_desk_effective(struct store_txn *txn, const char *account, json_t **out,
                          struct hr_err *err);
#define AGENCY_ACK_TEXT_DEFAULT                                                                \
    "We received your message as case {case} and will answer by {deadline}."
/* One watchdog pass at NOW_MS in one write transaction: flags newly overdue cases
 * ("overdue_ms", event case.overdue), stores the alarms up as STORE_T_DESK 'w' records
 * (event watchdog.alarm for a new one) and removes those that cleared (agency/watchdog.c). */
int agency_watchdog_run(struct store *st, int64_t now_ms, struct hr_err *err);

/* agency_event for the webhooks of HOOKS ([{"id","url","instance"}], at least one)
 * whatever they subscribed to: "ping" of webhook test (agency/events.c). DATA stolen. */
int agency_event_queue(struct store_txn *txn, const char *type, json_t *data,
                       const json_t *hooks, struct hr_err *err);

#endif

/* ecraudit — internal utilities shared by every stage (not installed).
 *
 * Memory: x* allocators abort with a message on exhaustion (cmark's
 * xcalloc), so callers need no NULL checks.
 */
#ifndef ECRAUDIT_UTIL_H
#define ECRAUDIT_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "ecraudit/error.h"

/* ---- allocation ------------------------------------------------------ */
void *ecr_xmalloc(size_t n);
void *ecr_xcalloc(size_t count, size_t size);
void *ecr_xrealloc(void *p, size_t n);
char *ecr_xstrdup(const char *s); /* NULL -> NULL */
char *ecr_xstrndup(const char *s, size_t n);
/* An unrecoverable condition (out of memory, the crypto library failing, a
 * broken embedded file): the message goes to the handler the caller set
 * with ecr_set_fatal_cb (none: silence), then abort(). Never for input
 * errors: those return an ecr_status. */
_Noreturn void ecr_fatal(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;
char *ecr_xasprintf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* Grow *arr (element size elem) so that it holds at least need elements. */
void ecr_grow(void **arr, size_t *cap, size_t need, size_t elem);
#define ECR_PUSH(arr, n, cap, value)                                                               \
  do {                                                                                             \
    ecr_grow((void **)&(arr), &(cap), (n) + 1, sizeof(*(arr)));                                    \
    (arr)[(n)++] = (value);                                                                        \
  } while (0)

/* ---- growable byte buffer (always NUL-terminated) -------------------- */
typedef struct ecr_buf {
  char *data;
  size_t len;
  size_t cap;
} ecr_buf;

void ecr_buf_init(ecr_buf *b);
void ecr_buf_cleanup(ecr_buf *b);
void ecr_buf_reset(ecr_buf *b); /* len = 0, keeps memory */
void ecr_buf_append(ecr_buf *b, const void *data, size_t n);
void ecr_buf_puts(ecr_buf *b, const char *s);
void ecr_buf_putc(ecr_buf *b, char c);
void ecr_buf_printf(ecr_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void ecr_buf_vprintf(ecr_buf *b, const char *fmt, va_list ap)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 0)))
#endif
    ;
/* Hand the data to the caller (free() it); the buffer is reset. */
char *ecr_buf_steal(ecr_buf *b);

/* ---- hashing ---------------------------------------------------------- */
/* FNV-1a over n bytes, continuing from h (ECR_FNV1A_SEED to start): the
 * hash of the in-memory tables (not for anything an attacker must not
 * predict: the tables stay linear-probed and bounded by their inputs). */
#define ECR_FNV1A_SEED 14695981039346656037ull
uint64_t ecr_fnv1a(const void *data, size_t n, uint64_t h);
/* Lower-case hex SHA-256 of data, out must hold 65 bytes. */
void ecr_sha256_hex(const void *data, size_t len, char out[65]);

/* ---- files ------------------------------------------------------------ */
/* Largest input file ecraudit reads (documented limit). */
#define ECR_MAX_INPUT_FILE (512u * 1024u * 1024u)

/* Read a whole file; *out is NUL-terminated, free() it.
 * Missing file: ECR_E_INPUT "no such file"; too large: ECR_E_INPUT. */
ecr_status ecr_file_read(const char *path, char **out, size_t *len, ecr_error *err);
bool ecr_file_exists(const char *path);
bool ecr_dir_exists(const char *path);
/* Create a directory and its parents (mode 0755); existing is fine. */
ecr_status ecr_mkdirs(const char *path, ecr_error *err);
/* path joined with '/', caller frees. */
char *ecr_path_join(const char *dir, const char *name);

/* Atomic output: data goes to "<path>.tmp.<random>" (created with
 * O_EXCL|O_NOFOLLOW: a planted link is never followed), is flushed and
 * fsync'd, then renamed over path. On any failure the temporary file is
 * removed, path is untouched, and ECR_E_OUTPUT names path and the reason. */
typedef struct ecr_atomic_file {
  FILE *fp;
  char *path;
  char *tmp_path;
  bool failed;
} ecr_atomic_file;

ecr_status ecr_atomic_open(ecr_atomic_file *af, const char *path, ecr_error *err);
/* fwrite that remembers failure; returns false after the first failure. */
bool ecr_atomic_write(ecr_atomic_file *af, const void *data, size_t n);
ecr_status ecr_atomic_commit(ecr_atomic_file *af, ecr_error *err); /* closes */
/* Two-step commit for a set of files: finish flushes, syncs and closes the
 * temporary file (kept on success, removed on failure); publish renames it
 * over path. Abort still removes a finished temporary file. */
ecr_status ecr_atomic_finish(ecr_atomic_file *af, ecr_error *err);
ecr_status ecr_atomic_publish(ecr_atomic_file *af, ecr_error *err);
void ecr_atomic_abort(ecr_atomic_file *af); /* closes, removes tmp */
/* Remove every temporary file still open on SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT, then die of the signal. Called once by the CLI, before threads
 * start (it also reads the umask that new files honour). */
void ecr_atomic_cleanup_on_signals(void);
/* Exclusive advisory lock (flock) on directory dir, waiting for another run
 * that holds it; ecr_dir_unlock(fd) releases it. */
ecr_status ecr_dir_lock(const char *dir, int *fd_out, ecr_error *err);
void ecr_dir_unlock(int fd);
/* Convenience: whole buffer to path atomically. */
ecr_status ecr_atomic_write_file(const char *path, const void *data, size_t n, ecr_error *err);

/* ---- time ------------------------------------------------------------- */
/* "Now" for reports: SOURCE_DATE_EPOCH when set (and valid), else the clock. */
time_t ecr_time_now(void);
/* out >= 21 bytes: "2026-11-27T12:00:00Z" */
void ecr_time_iso8601(time_t t, char out[21]);
/* out >= 11 bytes: "2026-11-27" */
void ecr_time_date(time_t t, char out[11]);
/* Strict YYYY-MM-DD (a real calendar date); fills days since 1970-01-01. */
bool ecr_date_parse(const char *s, long *days_out);

/* ---- strings ---------------------------------------------------------- */
/* Glob with '*' (any run, including '/' and ':') and '?' (one byte).
 * Linear-space, worst case O(len(p) * len(s)); never recursive. */
bool ecr_glob_match(const char *pattern, const char *text, bool ignore_case);
/* Can the glob (case-sensitive) match some text prefix + s, s spelled with
 * the bytes of suffix_chars (NULL: any)? */
bool ecr_glob_prefix_match(const char *pattern, const char *prefix, const char *suffix_chars);
/* Does the glob match every text starting with prefix? */
bool ecr_glob_covers_prefix(const char *pattern, const char *prefix, bool ignore_case);
bool ecr_str_has_prefix(const char *s, const char *prefix);
int ecr_strcasecmp_ascii(const char *a, const char *b);
/* TSV row order (bytewise, as `LC_ALL=C sort`): compare two fields as if each
 * ended with a tab. */
int ecr_tsv_cmp(const char *a, const char *b);
/* Decode %XX escapes (RFC 3986, as IAM encodes policy documents; '+' is
 * kept as written, like Python's urllib.parse.unquote). Returns a new string; invalid escapes are
 * copied as written. */
char *ecr_url_decode(const char *s);

/* ---- UTF-8 (utf8.c): one decoder, one replacement rule for every format ---- */
#define ECR_UTF8_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */
#define ECR_UTF8_REPLACEMENT_CP 0xFFFDu
/* Decode the character at s (len bytes left). Returns the bytes consumed
 * (0 only when len is 0). Well-formed (Unicode Table 3-7: no overlongs, no
 * surrogates, nothing above U+10FFFF): *valid = true, *cp the code point.
 * Ill-formed: *valid = false, *cp = U+FFFD and the return value is the
 * length of the maximal subpart (1..3), which the caller replaces by ONE
 * U+FFFD (Unicode 15 §3.9, "U+FFFD Substitution of Maximal Subparts"). */
size_t ecr_utf8_next(const char *s, size_t len, uint32_t *cp, bool *valid);
/* true when s is valid UTF-8 (no overlongs, no surrogates). */
bool ecr_utf8_valid(const char *s, size_t len);
/* Offset of the first byte that starts an invalid sequence, len when valid. */
size_t ecr_utf8_first_invalid(const char *s, size_t len);
/* Append s[0..len) to b with each maximal ill-formed subpart replaced by
 * U+FFFD (the one rule, see ecr_utf8_next). */
void ecr_utf8_repair_append(ecr_buf *b, const char *s, size_t len);
/* s with each maximal ill-formed subpart replaced by U+FFFD; NULL when s is
 * already valid (use s as is). Caller frees. */
char *ecr_utf8_repair(const char *s);
/* Encode cp (a surrogate or > U+10FFFF becomes U+FFFD) into out; returns
 * its length (1..4). */
size_t ecr_utf8_encode(uint32_t cp, char out[4]);

/* Unicode bidirectional controls (U+061C, U+200E, U+200F, U+202A..U+202E,
 * U+2066..U+2069): they can make one name display as another, so HTML, JUnit
 * and PDF show them as "[U+202E]" (findings.json keeps them, escaped \u202e). */
static inline bool ecr_is_bidi_control(uint32_t cp) {
  return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

/* The 12-digit account field of an ARN (arn:partition:service:region:ACCOUNT:...),
 * NULL when absent or not 12 digits. Caller frees. */
char *ecr_arn_account(const char *arn);

/* Stable sort of an index array with a comparison that takes a context
 * (qsort_r is a GNU extension): a merge sort, O(n log n). */
void ecr_sort_idx(size_t *idx, size_t n, int (*cmp)(const void *, const void *, void *), void *ctx);
/* Binary search of an index array sorted as above: cmp(elem, key, ctx)
 * compares element elem (a value of idx) with key, like strcmp. Returns the
 * matching element, -1 when none. */
long ecr_sorted_find(const size_t *idx, size_t n, const void *key,
                     int (*cmp)(size_t elem, const void *key, void *ctx), void *ctx);

/* ---- an open-addressing index over items kept in the caller's array ---- */
/* Slots hold item index + 1. The caller hashes; eq(ctx, item) says whether
 * an existing item is the one sought; hash_of(ctx, item) rehashes on growth. */
typedef struct ecr_index {
  size_t *slots;
  size_t cap, n;
} ecr_index;

/* The item with hash h that eq accepts, or, when there is none, `fresh`
 * (the index the caller is about to give its new item), recorded under h;
 * *found says which. */
size_t ecr_index_get(ecr_index *ix, uint64_t h, bool (*eq)(const void *ctx, size_t item),
                     uint64_t (*hash_of)(const void *ctx, size_t item), const void *ctx,
                     size_t fresh, bool *found);
/* The item with hash h that eq accepts, or ECR_INDEX_NONE; the index is not
 * changed (a lookup through a const owner). */
#define ECR_INDEX_NONE ((size_t)-1)
size_t ecr_index_find(const ecr_index *ix, uint64_t h, bool (*eq)(const void *ctx, size_t item),
                      const void *ctx);
void ecr_index_cleanup(ecr_index *ix);

/* ---- JSON rules cJSON does not enforce (json_check.c) ------------------ */
/* DESIGN.md: no object with two equal keys (compared after unescaping) and no
 * U+0000 (\u0000) in any string, nor a \u escape without four hex digits
 * (cJSON reads it as U+0000). One linear pass over the raw text; other
 * syntax errors are left to the parser. Returns false with *off the byte offset of
 * the offending key or escape, *first (when not NULL) the offset of the first
 * of two equal keys (SIZE_MAX otherwise) and msg saying what is wrong. */
bool ecr_json_check(const char *data, size_t len, size_t *off, size_t *first, char *msg,
                    size_t msg_size);

/* ---- embedded files (templates/, data/) -------------------------------- */
/* Files embedded at build time by cmake/embed.cmake; path relative to the
 * project root, e.g. "templates/html/report.css", "data/ecr-actions.json".
 * Data is NUL-terminated; NULL when absent. */
const char *ecr_embedded_get(const char *path, size_t *len);

/* Expand "{{name}}" placeholders from a NULL-terminated list of key/value
 * pairs (k0, v0, k1, v1, ..., NULL). Unknown names expand to "". A value of
 * NULL expands to "". Caller frees. */
char *ecr_template_expand(const char *tmpl, const char *const *kv);
/* templates/text/<name>.txt (embedded) expanded with kv, trailing newlines
 * dropped; "" when the template is missing (the tests check every name is
 * embedded; the library never prints or aborts for it). Caller frees. */
char *ecr_text(const char *name, const char *const *kv);

/* n with thousands separators: "12,345". */
void ecr_fmt_count(size_t n, char out[32]);

/* templates/text/<name>.txt without placeholders (a label, a fixed
 * sentence), expanded once and kept for the process: not freed by the
 * caller; "" when the template is missing. Thread-safe. */
const char *ecr_label(const char *name);

/* The control the tool audits, from templates/text/control/ (one source):
 * its id ("C-0222"), name and benchmark reference. For the report model
 * and as the fallback when a model carries none. Not freed by the caller. */
const char *ecr_control_id(void);
const char *ecr_control_name(void);
const char *ecr_control_ref(void);

/* A fast yes to every check ecr_json_parse makes before cJSON: true only
 * when data holds no NUL byte, is valid UTF-8, nests at most max_depth levels
 * (counted as that check counts them) and passes ecr_json_check; false does
 * not say which failed (make those checks one by one for the message).
 * *longest_string: bytes of the longest string token, quotes included (a
 * decoded string or key is never longer). One pass over data. */
bool ecr_json_check_fast(const char *data, size_t len, long max_depth, size_t *longest_string);

#endif

/* ecraudit-bench — where the time and memory go, per pipeline phase (issue 9).
 *
 *   ecraudit-bench [--repeat N] [--threads] [--out DIR] [--cli PATH] [--kv] BUNDLE
 *
 * Phases, in one process, as `ecraudit report` and `ecraudit matrix` run
 * them: load (ecr_evidence_load), evaluate (ecr_matrix_eval), matrix TSV
 * (ecr_matrix_write_tsv into a sink that counts bytes, like > /dev/null;
 * the lines are counted in a second, untimed write), findings
 * (ecr_report_build), then every renderer (into a counting sink, or with
 * --out into DIR through ecr_render_to_file). --threads also renders all
 * formats on two threads. The baseline is reading and parsing every .json
 * file of the bundle with cJSON alone (in a child process, so its memory
 * does not count against the pipeline). --cli runs the real binary
 * (`matrix` and `report`) and measures wall time and peak RSS of the child,
 * and the size of every report file; --cli-only skips everything else,
 * --timeout S kills a child after S seconds (its numbers are then partial),
 * --tmp DIR holds the report directory (default /tmp).
 *
 * Wall time: clock_gettime(CLOCK_MONOTONIC); CPU: getrusage user+sys (all
 * threads); peak: ru_maxrss; RSS: /proc/self/statm. With --repeat N every
 * time is the minimum of N runs (memory from the first run).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <libxml/parser.h>

#include "ecraudit/evaluate.h"
#include "ecraudit/evidence.h"
#include "ecraudit/render.h"
#include "ecraudit/report.h"

#define AS_OF "2026-11-27"
#define MAX_PHASES 24

typedef struct phase {
  const char *name;
  double wall_ms;  /* min over repeats */
  double cpu_ms;   /* of the run with the minimum wall time */
  double rss_mib;  /* resident after the phase (first run) */
  double peak_mib; /* ru_maxrss after the phase (first run) */
  double peak_delta_mib;
  uint64_t bytes; /* output bytes where meaningful */
  bool measured;
  bool failed; /* the phase returned an error (message on stderr) */
} phase;

typedef struct bench {
  const char *bundle;
  const char *out_dir;
  const char *cli;
  int repeat;
  bool threads;
  bool kv;
  bool matrix_only;
  phase ph[MAX_PHASES];
  size_t n_ph;
  uint64_t matrix_lines;
  size_t n_principals, n_repos, n_findings, n_matrix_principals;
  /* baseline */
  double cjson_ms, cjson_read_ms, cjson_peak_mib, cjson_cpu_ms;
  uint64_t json_bytes;
  size_t json_files;
  /* CLI */
  double cli_matrix_ms, cli_matrix_peak_mib, cli_report_ms, cli_report_peak_mib;
  double cli_matrix_cpu_ms, cli_report_cpu_ms;
  int cli_matrix_rc, cli_report_rc;
  bool cli_only;
  double timeout_s;
  const char *tmp_dir;
  bool cli_matrix_timeout, cli_report_timeout;
  double cli_file_mib[4]; /* report.html, report.pdf, report.junit.xml, findings.json */
} bench;

/* ---- measurement -------------------------------------------------------- */
typedef struct snap {
  struct timespec t;
  double cpu_ms;
  double peak_mib;
} snap;

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double tv_ms(struct timeval tv) {
  return (double)tv.tv_sec * 1e3 + (double)tv.tv_usec / 1e3;
}

static snap take(void) {
  snap s;
  struct rusage ru;
  clock_gettime(CLOCK_MONOTONIC, &s.t);
  getrusage(RUSAGE_SELF, &ru);
  s.cpu_ms = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
  s.peak_mib = (double)ru.ru_maxrss / 1024.0;
  return s;
}

static double rss_mib(void) {
  long pages = 0, resident = 0;
  FILE *fp = fopen("/proc/self/statm", "r");
  if (fp) {
    if (fscanf(fp, "%ld %ld", &pages, &resident) != 2) resident = 0;
    fclose(fp);
  }
  return (double)resident * (double)sysconf(_SC_PAGESIZE) / (1024.0 * 1024.0);
}

static phase *phase_get(bench *b, const char *name) {
  for (size_t i = 0; i < b->n_ph; i++)
    if (strcmp(b->ph[i].name, name) == 0) return &b->ph[i];
  if (b->n_ph == MAX_PHASES) abort();
  phase *p = &b->ph[b->n_ph++];
  memset(p, 0, sizeof *p);
  p->name = name;
  return p;
}

static void phase_record(bench *b, const char *name, snap before, uint64_t bytes, bool first) {
  snap after = take();
  phase *p = phase_get(b, name);
  double wall = (double)(after.t.tv_sec - before.t.tv_sec) * 1e3 +
                (double)(after.t.tv_nsec - before.t.tv_nsec) / 1e6;
  if (!p->measured || wall < p->wall_ms) {
    p->wall_ms = wall;
    p->cpu_ms = after.cpu_ms - before.cpu_ms;
  }
  if (first) {
    p->rss_mib = rss_mib();
    p->peak_mib = after.peak_mib;
    p->peak_delta_mib = after.peak_mib - before.peak_mib;
    p->bytes = bytes;
  }
  p->measured = true;
}

static double phase_ms(bench *b, const char *name) {
  for (size_t i = 0; i < b->n_ph; i++)
    if (strcmp(b->ph[i].name, name) == 0 && b->ph[i].measured) return b->ph[i].wall_ms;
  return 0.0;
}

/* ---- sinks ------------------------------------------------------------------ */
typedef struct counter {
  uint64_t bytes;
  uint64_t lines;
} counter;

static int count_write(void *ctx, const void *data, size_t len) {
  ((counter *)ctx)->bytes += len;
  return 0;
}

/* A FILE that counts bytes and lines and throws them away (like > /dev/null,
 * but it tells how much the matrix printed). */
static ssize_t cookie_write(void *ctx, const char *buf, size_t len) {
  counter *c = ctx;
  c->bytes += len;
  for (const char *p = buf, *end = buf + len; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
    c->lines++;
  return (ssize_t)len;
}

/* A FILE that only counts bytes: what `> /dev/null` costs the writer (the
 * timed matrix-tsv phase; lines are counted in a separate, untimed write). */
static ssize_t null_write(void *ctx, const char *buf, size_t len) {
  ((counter *)ctx)->bytes += len;
  return (ssize_t)len;
}

static FILE *cookie_file(counter *c, bool lines) {
  cookie_io_functions_t io = {NULL, lines ? cookie_write : null_write, NULL, NULL};
  FILE *fp = fopencookie(c, "w", io);
  if (fp) setvbuf(fp, NULL, _IOFBF, 1 << 16);
  return fp;
}

static FILE *counting_file(counter *c) {
  return cookie_file(c, true);
}

static void fail(const char *what, const ecr_error *err) {
  char buf[1400];
  ecr_error_format(err, buf, sizeof buf);
  fprintf(stderr, "ecraudit-bench: %s: %s\n", what, buf);
  exit(1);
}

/* ---- renderers on two threads ---------------------------------------------- */
typedef struct par_ctx {
  const ecr_renderer *rs;
  size_t n;
  const ecr_report *report;
  const ecr_render_opts *opts;
  const char *out_dir;
  atomic_size_t next;
  atomic_int failed;
  uint64_t bytes[16];
} par_ctx;

static void *par_worker(void *arg) {
  par_ctx *pc = arg;
  for (;;) {
    size_t i = atomic_fetch_add(&pc->next, 1);
    if (i >= pc->n) break;
    ecr_error err;
    ecr_error_clear(&err);
    ecr_status st;
    if (pc->out_dir) {
      st = ecr_render_to_file(&pc->rs[i], pc->report, pc->opts, pc->out_dir, &err);
    } else {
      counter c = {0, 0};
      ecr_sink sink = {count_write, &c};
      st = pc->rs[i].render(pc->report, pc->opts, &sink, &err);
      if (i < 16) pc->bytes[i] = c.bytes;
    }
    if (st != ECR_OK) atomic_store(&pc->failed, 1);
  }
  return NULL;
}

/* ---- the pipeline ------------------------------------------------------------- */
static void run_pipeline(bench *b, bool first) {
  ecr_error err;
  ecr_error_clear(&err);
  ecr_evidence *ev = NULL;
  ecr_matrix *m = NULL;
  ecr_report *r = NULL;
  ecr_render_opts opts;
  memset(&opts, 0, sizeof opts);

  snap s = take();
  if (ecr_evidence_load(b->bundle, &ev, &err) != ECR_OK) fail("load", &err);
  phase_record(b, "load", s, 0, first);
  b->n_principals = ev->n_principals;
  b->n_repos = ev->n_repos;

  s = take();
  if (ecr_matrix_eval(ev, &m, &err) != ECR_OK) fail("evaluate", &err);
  phase_record(b, "evaluate", s, 0, first);
  b->n_matrix_principals = ecr_matrix_principal_count(m);

  counter c = {0, 0};
  s = take();
  FILE *fp = cookie_file(&c, false);
  if (!fp) {
    perror("fopencookie");
    exit(1);
  }
  if (ecr_matrix_write_tsv(m, fp, &err) != ECR_OK) fail("matrix TSV", &err);
  fclose(fp);
  phase_record(b, "matrix-tsv", s, c.bytes, first);
  if (first) { /* the line count, outside the timed phase (memchr per line
                * cost more than the writing on a matrix of 12 M lines) */
    counter lc = {0, 0};
    if (!(fp = counting_file(&lc))) {
      perror("fopencookie");
      exit(1);
    }
    if (ecr_matrix_write_tsv(m, fp, &err) != ECR_OK) fail("matrix TSV", &err);
    fclose(fp);
    b->matrix_lines = lc.lines;
  }

  if (b->matrix_only) goto done;
  s = take();
  if (ecr_report_build(ev, m, NULL, AS_OF, &r, &err) != ECR_OK) fail("findings", &err);
  phase_record(b, "findings", s, 0, first);
  b->n_findings = r->n_findings;

  size_t n_r = 0;
  const ecr_renderer *rs = ecr_renderers(&n_r);
  static const char *const names[] = {"render-json", "render-junit", "render-html", "render-pdf",
                                      "render-5",    "render-6",     "render-7",    "render-8"};
  for (size_t i = 0; i < n_r && i < 8; i++) {
    const char *pname = names[i];
    for (size_t k = 0; k < 4; k++) /* name the phase after the renderer */
      if (strcmp(rs[i].name, names[k] + 7) == 0) pname = names[k];
    counter rc = {0, 0};
    s = take();
    ecr_status st;
    if (b->out_dir) {
      st = ecr_render_to_file(&rs[i], r, &opts, b->out_dir, &err);
      if (st == ECR_OK) {
        char *path = malloc(strlen(b->out_dir) + strlen(rs[i].filename) + 2);
        struct stat sb;
        sprintf(path, "%s/%s", b->out_dir, rs[i].filename);
        if (stat(path, &sb) == 0) rc.bytes = (uint64_t)sb.st_size;
        free(path);
      }
    } else {
      ecr_sink sink = {count_write, &rc};
      st = rs[i].render(r, &opts, &sink, &err);
    }
    phase_record(b, pname, s, rc.bytes, first);
    if (st != ECR_OK) { /* report it and go on: the other renderers still count */
      char msg[1400];
      ecr_error_format(&err, msg, sizeof msg);
      fprintf(stderr, "ecraudit-bench: %s: %s\n", rs[i].name, msg);
      phase_get(b, pname)->failed = true;
      ecr_error_clear(&err);
    }
  }

  if (b->threads) {
    par_ctx pc;
    memset(&pc, 0, sizeof pc);
    pc.rs = rs;
    pc.n = n_r;
    pc.report = r;
    pc.opts = &opts;
    pc.out_dir = b->out_dir;
    atomic_init(&pc.next, 0);
    atomic_init(&pc.failed, 0);
    s = take();
    pthread_t th[2];
    for (int k = 0; k < 2; k++)
      if (pthread_create(&th[k], NULL, par_worker, &pc) != 0) {
        perror("pthread_create");
        exit(1);
      }
    for (int k = 0; k < 2; k++) pthread_join(th[k], NULL);
    uint64_t total = 0;
    for (size_t i = 0; i < n_r && i < 16; i++) total += pc.bytes[i];
    phase_record(b, "render-all-2-threads", s, total, first);
    if (atomic_load(&pc.failed)) phase_get(b, "render-all-2-threads")->failed = true;
  }

done:
  s = take();
  ecr_report_free(r);
  ecr_matrix_free(m);
  ecr_evidence_free(ev);
  phase_record(b, "free", s, 0, first);
}

/* ---- baseline: cJSON alone ---------------------------------------------------- */
typedef struct pathlist {
  char **v;
  size_t n;
} pathlist;

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect_json(const char *dir, pathlist *pl) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    size_t n = strlen(dir) + strlen(e->d_name) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, e->d_name);
    struct stat sb;
    if (stat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) {
      collect_json(p, pl);
      free(p);
    } else if (n > 6 && strcmp(p + strlen(p) - 5, ".json") == 0) {
      pl->v = realloc(pl->v, (pl->n + 1) * sizeof *pl->v);
      pl->v[pl->n++] = p;
    } else {
      free(p);
    }
  }
  closedir(d);
}

static char *slurp(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (!fp) return NULL;
  struct stat sb;
  if (fstat(fileno(fp), &sb) != 0) {
    fclose(fp);
    return NULL;
  }
  char *buf = malloc((size_t)sb.st_size + 1);
  *len = fread(buf, 1, (size_t)sb.st_size, fp);
  buf[*len] = '\0';
  fclose(fp);
  return buf;
}

typedef struct baseline_result {
  double parse_ms, read_ms;
  uint64_t bytes;
  size_t files;
  int ok;
} baseline_result;

/* In a child: read + parse every file `repeat` times, min wall. */
static void run_baseline(bench *b) {
  int fds[2];
  if (pipe(fds) != 0) {
    perror("pipe");
    exit(1);
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    exit(1);
  }
  if (pid == 0) {
    close(fds[0]);
    baseline_result res;
    memset(&res, 0, sizeof res);
    pathlist pl = {NULL, 0};
    collect_json(b->bundle, &pl);
    qsort(pl.v, pl.n, sizeof *pl.v, cmp_str);
    res.ok = 1;
    for (int rep = 0; rep < b->repeat; rep++) {
      double t0 = now_ms(), read_ms = 0;
      uint64_t bytes = 0;
      for (size_t i = 0; i < pl.n; i++) {
        double r0 = now_ms();
        size_t len = 0;
        char *data = slurp(pl.v[i], &len);
        read_ms += now_ms() - r0;
        if (!data) {
          res.ok = 0;
          continue;
        }
        bytes += len;
        cJSON *j = cJSON_ParseWithLength(data, len);
        if (!j) res.ok = 0;
        cJSON_Delete(j);
        free(data);
      }
      double wall = now_ms() - t0;
      if (rep == 0 || wall < res.parse_ms) {
        res.parse_ms = wall;
        res.read_ms = read_ms;
      }
      res.bytes = bytes;
      res.files = pl.n;
    }
    ssize_t w = write(fds[1], &res, sizeof res);
    _exit(w == (ssize_t)sizeof res ? 0 : 1);
  }
  close(fds[1]);
  baseline_result res;
  memset(&res, 0, sizeof res);
  ssize_t got = read(fds[0], &res, sizeof res);
  close(fds[0]);
  int status = 0;
  struct rusage ru;
  wait4(pid, &status, 0, &ru);
  if (got != (ssize_t)sizeof res || !res.ok) {
    fprintf(stderr, "ecraudit-bench: cJSON baseline failed on %s\n", b->bundle);
    exit(1);
  }
  b->cjson_ms = res.parse_ms;
  b->cjson_read_ms = res.read_ms;
  b->json_bytes = res.bytes;
  b->json_files = res.files;
  b->cjson_peak_mib = (double)ru.ru_maxrss / 1024.0;
  b->cjson_cpu_ms = (tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime)) / b->repeat;
}

/* ---- the real binary ---------------------------------------------------------- */
/* Run argv with stdout to /dev/null and stderr to err_path; exit status. */
static int run_child(char *const argv[], const char *err_path, double *ms, double *peak_mib,
                     double *cpu_ms, double timeout_s, bool *timed_out) {
  *timed_out = false;
  double t0 = now_ms();
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    int fd = open("/dev/null", O_WRONLY);
    if (fd >= 0) {
      dup2(fd, 1);
      close(fd);
    }
    if (err_path) {
      int efd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (efd >= 0) {
        dup2(efd, 2);
        close(efd);
      }
    }
    execv(argv[0], argv);
    _exit(127);
  }
  int status = 0;
  struct rusage ru;
  if (timeout_s > 0) {
    /* Poll: a child that overruns is killed, its numbers are partial. */
    for (;;) {
      pid_t w = wait4(pid, &status, WNOHANG, &ru);
      if (w < 0 && errno != EINTR) return -1;
      if (w == pid) break;
      if (now_ms() - t0 > timeout_s * 1000.0) {
        kill(pid, SIGKILL);
        if (wait4(pid, &status, 0, &ru) < 0) return -1;
        *timed_out = true;
        break;
      }
      struct timespec nap = {0, 20 * 1000 * 1000};
      nanosleep(&nap, NULL);
    }
  } else if (wait4(pid, &status, 0, &ru) < 0) {
    return -1;
  }
  *ms = now_ms() - t0;
  if (*timed_out) {
    *peak_mib = (double)ru.ru_maxrss / 1024.0;
    *cpu_ms = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
    return 124;
  }
  *peak_mib = (double)ru.ru_maxrss / 1024.0;
  *cpu_ms = tv_ms(ru.ru_utime) + tv_ms(ru.ru_stime);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void show_stderr(const char *path, const char *what) {
  FILE *fp = fopen(path, "r");
  char line[1024];
  if (!fp) return;
  while (fgets(line, sizeof line, fp)) fprintf(stderr, "ecraudit-bench: `%s` said: %s", what, line);
  fclose(fp);
}

static void run_cli(bench *b) {
  char *cli = (char *)b->cli, *bundle = (char *)b->bundle;
  char *margv[] = {cli, "matrix", "--evidence", bundle, NULL};
  char etmpl[] = "/tmp/ecraudit-bench-err-XXXXXX";
  int efd = mkstemp(etmpl);
  if (efd < 0) {
    perror("mkstemp");
    exit(1);
  }
  close(efd);
  const char *err_path = etmpl;
  b->cli_matrix_rc = 0;
  for (int rep = 0; rep < b->repeat; rep++) {
    double ms, peak, cpu;
    bool to;
    int rc = run_child(margv, err_path, &ms, &peak, &cpu, b->timeout_s, &to);
    b->cli_matrix_timeout |= to;
    if (rep == 0 || ms < b->cli_matrix_ms) {
      b->cli_matrix_ms = ms;
      b->cli_matrix_cpu_ms = cpu;
    }
    if (rep == 0) b->cli_matrix_peak_mib = peak;
    if (rc != 0) {
      b->cli_matrix_rc = rc;
      show_stderr(err_path, "matrix");
      break;
    }
  }
  char tmpl[4096];
  snprintf(tmpl, sizeof tmpl, "%s/ecraudit-bench-XXXXXX", b->tmp_dir ? b->tmp_dir : "/tmp");
  char *dir = mkdtemp(tmpl);
  if (!dir) {
    perror("mkdtemp");
    exit(1);
  }
  char *rargv[] = {cli, "report", "--evidence", bundle, "--out", dir, NULL};
  b->cli_report_rc = 0;
  for (int rep = 0; rep < b->repeat; rep++) {
    double ms, peak, cpu;
    bool to;
    int rc = run_child(rargv, err_path, &ms, &peak, &cpu, b->timeout_s, &to);
    b->cli_report_timeout |= to;
    if (rep == 0 || ms < b->cli_report_ms) {
      b->cli_report_ms = ms;
      b->cli_report_cpu_ms = cpu;
    }
    if (rep == 0) b->cli_report_peak_mib = peak;
    b->cli_report_rc = rc; /* 1 = non-compliant: a normal outcome */
    if (rc > 1) break;
  }
  if (b->cli_report_rc > 1) show_stderr(err_path, "report");
  unlink(etmpl);
  static const char *const files[] = {"report.html", "report.pdf", "report.junit.xml",
                                      "findings.json"};
  for (size_t i = 0; i < 4; i++) {
    size_t n = strlen(dir) + strlen(files[i]) + 2;
    char *p = malloc(n);
    snprintf(p, n, "%s/%s", dir, files[i]);
    struct stat st;
    b->cli_file_mib[i] = stat(p, &st) == 0 ? (double)st.st_size / 1048576.0 : -1.0;
    unlink(p);
    free(p);
  }
  /* A killed report may leave its temporary files behind. */
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
      size_t n = strlen(dir) + strlen(de->d_name) + 2;
      char *p = malloc(n);
      snprintf(p, n, "%s/%s", dir, de->d_name);
      struct stat st;
      for (size_t i = 0; i < 4; i++) /* partial size of a killed report's file */
        if (b->cli_file_mib[i] < 0 && strncmp(de->d_name, files[i], strlen(files[i])) == 0 &&
            stat(p, &st) == 0)
          b->cli_file_mib[i] = (double)st.st_size / 1048576.0;
      unlink(p);
      free(p);
    }
    closedir(d);
  }
  rmdir(dir);
}

/* ---- output -------------------------------------------------------------------- */
static void print_cli_files(bench *b);

static void print_table(bench *b) {
  printf("bundle: %s\n", b->bundle);
  printf("  %zu principals (users+roles), %zu repositories, %zu JSON files, %.1f MiB of JSON\n",
         b->n_principals, b->n_repos, b->json_files, (double)b->json_bytes / 1048576.0);
  printf("  matrix: %zu principals, %llu lines; findings: %zu\n", b->n_matrix_principals,
         (unsigned long long)b->matrix_lines, b->n_findings);
  printf("\n  %-22s %10s %10s %10s %10s %10s %12s\n", "phase", "wall ms", "cpu ms", "rss MiB",
         "peak MiB", "peak +MiB", "output");
  printf("  %-22s %10.1f %10.1f %10s %10.1f %10s %12s  (read %.1f ms; own process)\n",
         "cJSON parse (baseline)", b->cjson_ms, b->cjson_cpu_ms, "", b->cjson_peak_mib, "", "",
         b->cjson_read_ms);
  for (size_t i = 0; i < b->n_ph; i++) {
    phase *p = &b->ph[i];
    char out[32] = "";
    if (p->bytes) snprintf(out, sizeof out, "%.2f MiB", (double)p->bytes / 1048576.0);
    printf("  %-22s %10.1f %10.1f %10.1f %10.1f %10.1f %12s%s\n", p->name, p->wall_ms, p->cpu_ms,
           p->rss_mib, p->peak_mib, p->peak_delta_mib, out, p->failed ? "  FAILED" : "");
  }
  double matrix = phase_ms(b, "load") + phase_ms(b, "evaluate") + phase_ms(b, "matrix-tsv");
  double renders = phase_ms(b, "render-json") + phase_ms(b, "render-junit") +
                   phase_ms(b, "render-html") + phase_ms(b, "render-pdf");
  double report = phase_ms(b, "load") + phase_ms(b, "evaluate") + phase_ms(b, "findings") + renders;
  double peak = 0;
  for (size_t i = 0; i < b->n_ph; i++)
    if (b->ph[i].peak_mib > peak) peak = b->ph[i].peak_mib;
  printf("\n  matrix (load+evaluate+tsv): %.1f ms = %.2fx cJSON parse (target <= 3x)\n", matrix,
         b->cjson_ms > 0 ? matrix / b->cjson_ms : 0.0);
  printf("  report (load+evaluate+findings+4 renderers, sequential): %.1f ms", report);
  if (b->threads)
    printf("; renderers on 2 threads: %.1f ms instead of %.1f ms",
           phase_ms(b, "render-all-2-threads"), renders);
  printf("\n  peak RSS of the pipeline: %.1f MiB\n", peak);
  if (b->cli) {
    printf("  CLI `matrix`: %.1f ms (cpu %.1f ms), peak %.1f MiB, exit %d\n", b->cli_matrix_ms,
           b->cli_matrix_cpu_ms, b->cli_matrix_peak_mib, b->cli_matrix_rc);
    printf("  CLI `report` (all four files): %.1f ms (cpu %.1f ms), peak %.1f MiB, exit %d%s\n",
           b->cli_report_ms, b->cli_report_cpu_ms, b->cli_report_peak_mib, b->cli_report_rc,
           b->cli_report_rc == 1 ? " (non-compliant)"
           : b->cli_report_rc    ? " (ERROR)"
                                 : "");
    print_cli_files(b);
  }
}

static void print_cli_files(bench *b) {
  static const char *const names[4] = {"report.html", "report.pdf", "report.junit.xml",
                                       "findings.json"};
  printf("  report files (MiB):");
  for (int i = 0; i < 4; i++) printf(" %s %.1f", names[i], b->cli_file_mib[i]);
  printf("\n");
  if (b->cli_matrix_timeout) printf("  CLI `matrix` killed after %.1f s: partial\n", b->timeout_s);
  if (b->cli_report_timeout) printf("  CLI `report` killed after %.1f s: partial\n", b->timeout_s);
}

static void print_cli_kv(bench *b) {
  printf(" cli_matrix_ms=%.1f cli_matrix_cpu_ms=%.1f cli_matrix_peak_mib=%.1f cli_matrix_rc=%d "
         "cli_report_ms=%.1f cli_report_cpu_ms=%.1f cli_report_peak_mib=%.1f cli_report_rc=%d "
         "cli_html_mib=%.1f cli_pdf_mib=%.1f cli_junit_mib=%.1f cli_findings_mib=%.1f",
         b->cli_matrix_ms, b->cli_matrix_cpu_ms, b->cli_matrix_peak_mib, b->cli_matrix_rc,
         b->cli_report_ms, b->cli_report_cpu_ms, b->cli_report_peak_mib, b->cli_report_rc,
         b->cli_file_mib[0], b->cli_file_mib[1], b->cli_file_mib[2], b->cli_file_mib[3]);
  if (b->cli_matrix_timeout) printf(" cli_matrix_timeout=1");
  if (b->cli_report_timeout) printf(" cli_report_timeout=1");
}

static void print_kv(bench *b) {
  printf("BENCH principals=%zu repos=%zu json_mib=%.2f cjson_ms=%.1f cjson_cpu_ms=%.1f "
         "cjson_peak_mib=%.1f matrix_principals=%zu matrix_lines=%llu findings=%zu",
         b->n_principals, b->n_repos, (double)b->json_bytes / 1048576.0, b->cjson_ms,
         b->cjson_cpu_ms, b->cjson_peak_mib, b->n_matrix_principals,
         (unsigned long long)b->matrix_lines, b->n_findings);
  double peak = 0;
  for (size_t i = 0; i < b->n_ph; i++) {
    printf(" %s_ms=%.1f %s_cpu_ms=%.1f", b->ph[i].name, b->ph[i].wall_ms, b->ph[i].name,
           b->ph[i].cpu_ms);
    if (b->ph[i].bytes) printf(" %s_mib=%.2f", b->ph[i].name, (double)b->ph[i].bytes / 1048576.0);
    if (b->ph[i].failed) printf(" %s_failed=1", b->ph[i].name);
    if (b->ph[i].peak_mib > peak) peak = b->ph[i].peak_mib;
  }
  printf(" peak_mib=%.1f", peak);
  if (b->cli) print_cli_kv(b);
  printf("\n");
}

static void usage(FILE *fp) {
  fputs("usage: ecraudit-bench [--repeat N] [--threads] [--out DIR] [--cli PATH] [--kv]\n"
        "                      [--matrix-only] [--cli-only] [--timeout S] [--tmp DIR] BUNDLE\n"
        "  --repeat N  run every phase N times, report the fastest (default 1)\n"
        "  --threads   also render all formats on two threads\n"
        "  --out DIR   renderers write DIR/<file> (ecr_render_to_file) instead of a counting sink\n"
        "  --cli PATH  also time `PATH matrix` and `PATH report` as child processes\n"
        "  --kv        one machine-readable line (BENCH key=value ...) after the table\n"
        "  --matrix-only  stop after the matrix TSV (no findings, no renderers)\n"
        "  --cli-only  only the --cli runs (no baseline, no in-process phases)\n"
        "  --timeout S kill a --cli child after S seconds (numbers partial, exit 124)\n"
        "  --tmp DIR   create the --cli report directory in DIR (default /tmp)\n",
        fp);
}

int main(int argc, char **argv) {
  bench b;
  memset(&b, 0, sizeof b);
  b.repeat = 1;
  static const struct option opts[] = {{"repeat", required_argument, NULL, 'n'},
                                       {"threads", no_argument, NULL, 't'},
                                       {"out", required_argument, NULL, 'o'},
                                       {"cli", required_argument, NULL, 'c'},
                                       {"kv", no_argument, NULL, 'k'},
                                       {"help", no_argument, NULL, 'h'},
                                       {"matrix-only", no_argument, NULL, 'm'},
                                       {"cli-only", no_argument, NULL, 'C'},
                                       {"timeout", required_argument, NULL, 'T'},
                                       {"tmp", required_argument, NULL, 'D'},
                                       {NULL, 0, NULL, 0}};
  int ch;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'n': b.repeat = atoi(optarg); break;
    case 't': b.threads = true; break;
    case 'o': b.out_dir = optarg; break;
    case 'c': b.cli = optarg; break;
    case 'k': b.kv = true; break;
    case 'm': b.matrix_only = true; break;
    case 'C': b.cli_only = true; break;
    case 'T': b.timeout_s = atof(optarg); break;
    case 'D': b.tmp_dir = optarg; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (optind + 1 != argc || b.repeat < 1) {
    usage(stderr);
    return 2;
  }
  b.bundle = argv[optind];
  /* Children first: a forked child's ru_maxrss starts at the parent's
   * resident size, which is smallest now. */
  if (b.cli_only && !b.cli) {
    fputs("ecraudit-bench: --cli-only needs --cli PATH\n", stderr);
    return 2;
  }
  if (b.cli) run_cli(&b);
  if (b.cli_only) {
    printf("bundle: %s\n", b.bundle);
    printf("  CLI `matrix`: %.1f ms (cpu %.1f ms), peak %.1f MiB, exit %d\n", b.cli_matrix_ms,
           b.cli_matrix_cpu_ms, b.cli_matrix_peak_mib, b.cli_matrix_rc);
    printf("  CLI `report` (all four files): %.1f ms (cpu %.1f ms), peak %.1f MiB, exit %d\n",
           b.cli_report_ms, b.cli_report_cpu_ms, b.cli_report_peak_mib, b.cli_report_rc);
    print_cli_files(&b);
    if (b.kv) {
      printf("BENCH cli_only=1");
      print_cli_kv(&b);
      printf("\n");
    }
    fflush(stdout);
    return 0;
  }
  run_baseline(&b);
  xmlInitParser(); /* once, before any thread */
  for (int rep = 0; rep < b.repeat; rep++) run_pipeline(&b, rep == 0);
  print_table(&b);
  if (b.kv) print_kv(&b);
  fflush(stdout);
  return 0;
}

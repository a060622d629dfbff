/* ecraudit-gen — a deterministic synthetic AWS account as an evidence bundle.
 *
 *   ecraudit-gen --users N --roles N --groups N --policies N --repos N
 *                --regions N --repo-policy-share F --scp-levels N --seed S --out DIR
 *
 * Writes the bundle layout of DESIGN.md ("Evidence bundle") with AWS CLI
 * JSON shapes. Same parameters -> byte-identical files (splitmix64 streams
 * derived per object, no clock, no hash-table order).
 *
 * Principals are drawn from personas with realistic weights (see PERSONAS
 * below): most roles and users touch no ECR at all, most ECR access is pull
 * on a team's repositories, a few percent hold broad ECR access (admins,
 * EKS nodes, ECS task execution roles, auditors, legacy CI users).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gen.h"
#include "policies.h"

#define GEN_VERSION "0.1.0"
#define EPOCH_2016 INT64_C(1451606400)
#define NINE_YEARS INT64_C(283996800)

/* ---- personas ------------------------------------------------------------ */
/* U_COUNT / R_COUNT personas make the default ("rare") profile; the broad
 * profile adds the ones after them (U_ALL / R_ALL in total). */
enum {
  U_DEV = 0,
  U_DATA,
  U_SVC,
  U_OPS,
  U_AUDITOR,
  U_ADMIN,
  U_CI_LEGACY,
  U_BILLING,
  U_COUNT,
  U_POWER = U_COUNT,
  U_PLATFORM,
  U_NOTACTION,
  U_ALL
};
enum {
  R_APP = 0,
  R_MONITOR,
  R_DATA,
  R_TEAM_PULL,
  R_TEAM_PULL_COND,
  R_CI_PUSH,
  R_ECS_EXEC,
  R_EKS_NODE,
  R_SLR,
  R_AUDIT,
  R_SSO,
  R_ADMIN,
  R_ECR_ADMIN,
  R_COUNT,
  R_DEPLOY = R_COUNT,
  R_NOTACTION,
  R_ALL
};

enum { PROFILE_RARE = 0, PROFILE_BROAD };

typedef struct persona {
  const char *name;
  uint32_t weight; /* per 10,000 */
  bool broad;      /* ECR access on every repository */
} persona;

static const persona USER_PERSONAS[U_COUNT] = {
    [U_DEV] = {"developer", 6500, false},    [U_DATA] = {"data", 1000, false},
    [U_SVC] = {"service-user", 1500, false}, [U_OPS] = {"ops", 500, false},
    [U_AUDITOR] = {"auditor", 100, true},    [U_ADMIN] = {"admin", 50, true},
    [U_CI_LEGACY] = {"ci-legacy", 50, true}, [U_BILLING] = {"billing", 300, false},
};

/* --profile broad: an enterprise account where a majority of principals
 * can write to most repositories (AdministratorAccess, PowerUserAccess,
 * customer ecr:* on *, NotAction allows), carved out by Denies on prod-*
 * and platform/ (groups, boundaries, SCPs). `broad` = write on most
 * repositories. */
static const persona BROAD_USER_PERSONAS[U_ALL] = {
    [U_DEV] = {"developer", 2700, false},          [U_DATA] = {"data", 500, false},
    [U_SVC] = {"service-user", 500, false},        [U_OPS] = {"ops", 200, false},
    [U_AUDITOR] = {"auditor", 250, false},         [U_ADMIN] = {"admin", 1200, true},
    [U_CI_LEGACY] = {"ci-legacy", 300, true},      [U_BILLING] = {"billing", 150, false},
    [U_POWER] = {"power-user", 2900, true},        [U_PLATFORM] = {"platform-engineer", 700, true},
    [U_NOTACTION] = {"notaction-user", 600, true},
};

static const persona BROAD_ROLE_PERSONAS[R_ALL] = {
    [R_APP] = {"app", 1500, false},
    [R_MONITOR] = {"monitoring", 100, false},
    [R_DATA] = {"data", 300, false},
    [R_TEAM_PULL] = {"team-pull", 700, false},
    [R_TEAM_PULL_COND] = {"team-pull-conditional", 100, false},
    [R_CI_PUSH] = {"ci-push", 600, false},
    [R_ECS_EXEC] = {"ecs-task-execution", 300, false},
    [R_EKS_NODE] = {"eks-node", 200, false},
    [R_SLR] = {"service-linked", 100, false},
    [R_AUDIT] = {"security-audit", 100, false},
    [R_SSO] = {"sso-permission-set", 1900, true},
    [R_ADMIN] = {"admin", 1300, true},
    [R_ECR_ADMIN] = {"ecr-admin", 800, true},
    [R_DEPLOY] = {"deploy", 1300, true},
    [R_NOTACTION] = {"notaction-role", 700, true},
};

static const persona ROLE_PERSONAS[R_COUNT] = {
    [R_APP] = {"app", 6150, false},
    [R_MONITOR] = {"monitoring", 500, false},
    [R_DATA] = {"data", 1000, false},
    [R_TEAM_PULL] = {"team-pull", 1000, false},
    [R_TEAM_PULL_COND] = {"team-pull-conditional", 200, false},
    [R_CI_PUSH] = {"ci-push", 400, false},
    [R_ECS_EXEC] = {"ecs-task-execution", 150, true},
    [R_EKS_NODE] = {"eks-node", 120, true},
    [R_SLR] = {"service-linked", 300, false},
    [R_AUDIT] = {"security-audit", 40, true},
    [R_SSO] = {"sso-permission-set", 80, true},
    [R_ADMIN] = {"admin", 30, true},
    [R_ECR_ADMIN] = {"ecr-admin", 30, true},
};

/* Customer managed policy kinds, weights per 10,000. */
/* The first CK_RARE kinds make the default profile; broad adds the rest. */
enum {
  CK_NONECR = 0,
  CK_TEAM_PULL,
  CK_TEAM_PUSH,
  CK_ECR_DENY,
  CK_ECR_ADMIN,
  CK_BOUNDARY,
  CK_MIXED,
  CK_RARE,
  CK_ECR_STAR = CK_RARE,
  CK_NOTACTION,
  CK_PROD_DENY,
  CK_PROD_BOUNDARY,
  CK_COUNT
};
static const uint32_t CK_WEIGHT[CK_RARE] = {8400, 600, 450, 150, 50, 150, 200};
static const uint32_t CK_WEIGHT_BROAD[CK_COUNT] = {7000, 600, 500, 150, 50, 150,
                                                   200,  400, 400, 300, 250};
static const char *const CK_STEM[CK_COUNT] = {
    "access", "ecr-pull",        "ecr-push",           "ecr-guardrail",  "ecr-admin",    "boundary",
    "app",    "ecr-full-access", "everything-but-iam", "prod-guardrail", "prod-boundary"};

/* Fixed groups, then one group per team (broad: G_FIXED_BROAD fixed groups). */
enum {
  G_ADMINS = 0,
  G_DEVELOPERS,
  G_AUDITORS,
  G_OPS,
  G_DATA,
  G_BILLING,
  G_CI_LEGACY,
  G_FIXED,
  G_POWER = G_FIXED,
  G_PLATFORM,
  G_PROD_GUARD,
  G_CONTRACTORS,
  G_SANDBOX,
  G_FIXED_BROAD
};
static const char *const FIXED_GROUPS[G_FIXED_BROAD] = {
    "admins",     "developers",       "auditors",
    "ops",        "data-engineering", "billing",
    "ci-legacy",  "power-users",      "platform-engineers",
    "prod-guard", "contractors",      "sandbox-users"};

static const char *const ALL_REGIONS[] = {
    "us-east-1", "eu-west-1", "us-west-2",    "eu-central-1", "ap-southeast-2", "ap-northeast-1",
    "us-east-2", "eu-west-2", "ca-central-1", "sa-east-1",    "ap-south-1",     "eu-north-1"};
#define N_ALL_REGIONS (sizeof ALL_REGIONS / sizeof *ALL_REGIONS)

static const char *const TEAM_WORDS[] = {
    "payments",  "checkout", "search",  "identity",  "platform", "catalog", "orders",  "shipping",
    "fraud",     "risk",     "ledger",  "notify",    "mobile",   "web",     "media",   "pricing",
    "inventory", "loyalty",  "support", "analytics", "ml",       "infra",   "billing", "reviews"};
#define N_TEAM_WORDS (sizeof TEAM_WORDS / sizeof *TEAM_WORDS)

static const char *const COMPONENTS[] = {"api",  "worker",   "frontend",  "batch",    "gateway",
                                         "cron", "consumer", "scheduler", "migrator", "exporter"};
#define N_COMPONENTS (sizeof COMPONENTS / sizeof *COMPONENTS)

static const char *const FIRST[] = {
    "alice",   "bob",  "carol",  "dave",   "erin",   "frank", "grace", "heidi",  "ivan",   "judy",
    "mallory", "niaj", "olivia", "peggy",  "rupert", "sybil", "trent", "victor", "walter", "wendy",
    "amir",    "bea",  "chen",   "dmitri", "eva",    "farah", "goran", "hana",   "igor",   "jun",
    "kofi",    "lena", "marta",  "noor",   "oscar",  "priya", "quinn", "rosa",   "sami",   "tomas"};
static const char *const LAST[] = {
    "smith",    "jones",  "garcia",  "muller",  "rossi",   "dubois", "tanaka",  "kim",
    "silva",    "novak",  "nowak",   "jensen",  "ivanova", "okafor", "haddad",  "larsen",
    "kowalski", "moreau", "fischer", "costa",   "mendes",  "yilmaz", "sato",    "wang",
    "khan",     "berg",   "lund",    "petrov",  "meyer",   "weber",  "schmidt", "lopez",
    "ruiz",     "romero", "bianchi", "ferrari", "horvat",  "varga",  "kovacs",  "popescu"};
#define N_FIRST (sizeof FIRST / sizeof *FIRST)
#define N_LAST (sizeof LAST / sizeof *LAST)

typedef struct slr_info {
  const char *role;
  const char *service;
  int policy;
} slr_info;

static const slr_info SLRS[] = {
    {"AWSServiceRoleForECRReplication", "replication.ecr.amazonaws.com", MP_SLR_ECR_REPL},
    {"AWSServiceRoleForAutoScaling", "autoscaling.amazonaws.com", MP_SLR_AUTOSCALING},
    {"AWSServiceRoleForElasticLoadBalancing", "elasticloadbalancing.amazonaws.com", MP_SLR_ELB},
    {"AWSServiceRoleForRDS", "rds.amazonaws.com", MP_SLR_RDS},
    {"AWSServiceRoleForSupport", "support.amazonaws.com", MP_SLR_SUPPORT},
    {"AWSServiceRoleForAmazonEKS", "eks.amazonaws.com", MP_SLR_EKS}};
#define N_SLRS (sizeof SLRS / sizeof *SLRS)

static const char *const SSO_SETS[] = {"AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess",
                                       "Developer"};

/* ---- configuration and plan --------------------------------------------- */
typedef struct cfg {
  size_t users, roles, groups, policies, repos, regions;
  int profile; /* PROFILE_* */
  bool share_given;
  uint32_t repo_policy_ppm;
  unsigned scp_levels;
  uint64_t seed;
  double broad_scale;
  const char *out;
  const char *account;
  bool manifest;
  bool stats;
} cfg;

typedef struct mpol {
  char *name, *path, *arn, *id;
  int aws;  /* MP_* or -1 */
  int kind; /* CK_* for customer managed */
  size_t team;
  unsigned n_versions, default_version; /* 1-based */
  size_t attach, boundary_use;
  int64_t created, updated;
} mpol;

typedef struct uplan {
  char *name;
  int persona;
  size_t team;
  bool break_glass;
  bool broad;   /* counted as broad by --stats */
  bool named;   /* --stats: a repository policy names this user */
  uint64_t sig; /* --stats: hash of what decides its ECR access */
} uplan;

typedef struct rplan {
  char *name;
  char *path;
  int persona;
  size_t team;
  size_t sub; /* SSO set or SLR index */
  bool broad;
  bool named;
  uint64_t sig;
} rplan;

typedef struct gplan {
  char *name;
  size_t team; /* team groups */
  bool is_team;
  size_t *attached;
  size_t n_attached;
} gplan;

typedef struct rplan_repo {
  char *name;
  size_t region;
  size_t team;
  int policy; /* -1 none, else repository policy shape */
  int64_t created;
} rplan_repo;

typedef struct manifest_file {
  char *path;
  char sha256[65];
  uint64_t size;
} manifest_file;

typedef struct gen {
  cfg c;
  pol_ctx pc;
  char *teams_store[256];
  size_t n_teams;
  const char *external[6];
  mpol *mp;
  size_t n_mp;
  size_t *by_kind[CK_COUNT];
  size_t n_by_kind[CK_COUNT];
  uplan *users;
  rplan *roles;
  gplan *groups;
  size_t n_groups;
  rplan_repo *repos;
  long *team_ci_role; /* broad: per team, the CI role repository policies name (-1 none) */
  manifest_file *files;
  size_t n_files;
  /* statistics */
  size_t persona_count_u[U_ALL], persona_count_r[R_ALL];
  size_t broad_users, broad_roles;
  size_t repo_policies_by_shape[8];
  /* --org: the organisation this bundle is account org_index of (org.c); NULL alone */
  const gen_org *org;
  size_t org_index;
} gen;

static int64_t rand_time(gen_rng *r) {
  return EPOCH_2016 + (int64_t)gen_rng_below(r, (uint64_t)NINE_YEARS);
}

/* AWS-style unique id: prefix + 17 upper-case letters and digits. */
static char *rand_id(gen_rng *r, const char *prefix) {
  static const char alnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  char buf[32];
  size_t n = strlen(prefix);
  memcpy(buf, prefix, n);
  for (size_t i = 0; i < 17; i++) buf[n + i] = alnum[gen_rng_below(r, 32)];
  buf[n + 17] = '\0';
  return gen_xstrdup(buf);
}

static int pick_weighted(gen_rng *r, const uint32_t *w, size_t n) {
  uint64_t total = 0;
  for (size_t i = 0; i < n; i++) total += w[i];
  uint64_t x = gen_rng_below(r, total);
  for (size_t i = 0; i < n; i++) {
    if (x < w[i]) return (int)i;
    x -= w[i];
  }
  return 0;
}

/* Persona weights, broad ones scaled by --broad-scale (the difference goes
 * to the first, ECR-free persona). */
static void persona_weights(const persona *p, size_t n, double scale, uint32_t *w) {
  int64_t diff = 0;
  for (size_t i = 0; i < n; i++) {
    w[i] = p[i].weight;
    if (p[i].broad) {
      uint32_t s = (uint32_t)((double)p[i].weight * scale + 0.5);
      diff += (int64_t)p[i].weight - (int64_t)s;
      w[i] = s;
    }
  }
  int64_t first = (int64_t)w[0] + diff;
  w[0] = first < 0 ? 0 : (uint32_t)first;
}

/* The persona of principal i: the first n principals cover every persona
 * once (so small bundles still show every shape), the rest are weighted. */
static int choose_persona(gen_rng *r, size_t i, size_t total, const uint32_t *w, size_t n) {
  if (total >= 4 * n && i < n && w[i] > 0) return (int)i;
  return pick_weighted(r, w, n);
}

/* ---- plan ------------------------------------------------------------------ */
static size_t mp_add(gen *g, mpol m) {
  g->mp = gen_xrealloc(g->mp, (g->n_mp + 1) * sizeof *g->mp);
  g->mp[g->n_mp] = m;
  return g->n_mp++;
}

static void plan_policies(gen *g) {
  gen_rng r = gen_rng_derive(g->c.seed, 1, 0);
  for (int a = 0; a < MP_AWS_COUNT; a++) {
    mpol m = {0};
    m.name = gen_xstrdup(POL_AWS[a].name);
    m.path = gen_xstrdup(POL_AWS[a].path);
    m.arn = gen_xasprintf("arn:aws:iam::aws:policy%s%s", POL_AWS[a].path, POL_AWS[a].name);
    gen_rng ir = gen_rng_derive(UINT64_C(0xA115), 2, (uint64_t)a); /* same ids in every bundle */
    m.id = rand_id(&ir, "ANPA");
    m.aws = a;
    m.kind = -1;
    m.n_versions = 1 + (unsigned)gen_rng_below(&ir, 12);
    m.default_version = m.n_versions;
    m.created = EPOCH_2016 - (int64_t)gen_rng_below(&ir, 86400 * 700);
    m.updated = m.created + (int64_t)gen_rng_below(&ir, 86400 * 1500);
    mp_add(g, m);
  }
  for (size_t i = 0; i < g->c.policies; i++) {
    mpol m = {0};
    /* The first CK_COUNT policies cover every kind once. */
    bool broad = g->c.profile == PROFILE_BROAD;
    size_t nk = broad ? CK_COUNT : CK_RARE;
    m.kind = (i < nk && g->c.policies >= 2 * nk)
                 ? (int)i
                 : pick_weighted(&r, broad ? CK_WEIGHT_BROAD : CK_WEIGHT, nk);
    m.aws = -1;
    m.team = (size_t)gen_rng_below(&r, g->n_teams);
    const char *tm = g->teams_store[m.team];
    bool team_path = gen_rng_ppm(&r, 300000);
    m.path = team_path ? gen_xasprintf("/teams/%s/", tm) : gen_xstrdup("/");
    if (m.kind == CK_BOUNDARY || m.kind == CK_PROD_BOUNDARY)
      m.name = gen_xasprintf("permissions-boundary-%zu", i);
    else if (m.kind == CK_NONECR)
      m.name = gen_xasprintf("%s-%s-%s-%zu", tm, COMPONENTS[gen_rng_below(&r, N_COMPONENTS)],
                             CK_STEM[m.kind], i);
    else
      m.name = gen_xasprintf("%s-%s-%zu", tm, CK_STEM[m.kind], i);
    m.arn = gen_xasprintf("arn:aws:iam::%s:policy%s%s", g->c.account, m.path, m.name);
    m.id = rand_id(&r, "ANPA");
    m.n_versions = gen_rng_ppm(&r, 250000) ? 2 + (unsigned)gen_rng_below(&r, 3) : 1;
    m.default_version = (m.n_versions > 1 && gen_rng_ppm(&r, 200000))
                            ? 1 + (unsigned)gen_rng_below(&r, m.n_versions - 1)
                            : m.n_versions;
    m.created = rand_time(&r);
    m.updated = m.created + (int64_t)gen_rng_below(&r, 86400 * 400);
    size_t idx = mp_add(g, m);
    g->by_kind[m.kind] =
        gen_xrealloc(g->by_kind[m.kind], (g->n_by_kind[m.kind] + 1) * sizeof(size_t));
    g->by_kind[m.kind][g->n_by_kind[m.kind]++] = idx;
  }
}

/* A customer managed policy of this kind, -1 when the pool has none. */
static long pick_kind(gen *g, gen_rng *r, int kind) {
  if (g->n_by_kind[kind] == 0) return -1;
  return (long)g->by_kind[kind][gen_rng_below(r, g->n_by_kind[kind])];
}

/* One of the first k policies of this kind: the account's standard
 * policies, attached to many principals (-1 when the pool has none). */
static long pick_std(gen *g, gen_rng *r, int kind, size_t k) {
  if (g->n_by_kind[kind] == 0) return -1;
  if (k > g->n_by_kind[kind]) k = g->n_by_kind[kind];
  return (long)g->by_kind[kind][gen_rng_below(r, k)];
}

static size_t n_fixed_groups(const gen *g) {
  return g->c.profile == PROFILE_BROAD ? G_FIXED_BROAD : G_FIXED;
}

static void plan_teams(gen *g) {
  size_t fixed = n_fixed_groups(g);
  size_t n = g->c.groups > fixed ? g->c.groups - fixed : 0;
  if (n < 4) n = 4;
  if (n > 256) n = 256;
  for (size_t i = 0; i < n; i++) {
    if (i < N_TEAM_WORDS)
      g->teams_store[i] = gen_xstrdup(TEAM_WORDS[i]);
    else
      g->teams_store[i] =
          gen_xasprintf("%s-%zu", TEAM_WORDS[i % N_TEAM_WORDS], i / N_TEAM_WORDS + 1);
  }
  g->n_teams = n;
}

static void plan_principals(gen *g) {
  bool bp = g->c.profile == PROFILE_BROAD;
  const persona *up = bp ? BROAD_USER_PERSONAS : USER_PERSONAS;
  const persona *rpers = bp ? BROAD_ROLE_PERSONAS : ROLE_PERSONAS;
  size_t nu = bp ? U_ALL : U_COUNT, nr = bp ? R_ALL : R_COUNT;
  uint32_t wu[U_ALL], wr[R_ALL];
  persona_weights(up, nu, g->c.broad_scale, wu);
  persona_weights(rpers, nr, g->c.broad_scale, wr);
  g->users = gen_xcalloc(g->c.users, sizeof *g->users);
  for (size_t i = 0; i < g->c.users; i++) {
    gen_rng r = gen_rng_derive(g->c.seed, 3, i);
    uplan *u = &g->users[i];
    u->team = (size_t)gen_rng_below(&r, g->n_teams);
    u->persona = choose_persona(&r, i, g->c.users, wu, nu);
    if (i == 0 && g->c.users >= 50) u->break_glass = true;
    size_t k = (i * 617) % (N_FIRST * N_LAST);
    const char *f = FIRST[k % N_FIRST], *l = LAST[k / N_FIRST];
    size_t gen_no = i / (N_FIRST * N_LAST);
    if (u->break_glass)
      u->name = gen_xstrdup("break-glass");
    else if (u->persona == U_SVC)
      u->name = gen_xasprintf("svc-%s-%s-%zu", g->teams_store[u->team],
                              COMPONENTS[gen_rng_below(&r, N_COMPONENTS)], i);
    else if (u->persona == U_CI_LEGACY)
      u->name = gen_xasprintf("%s-%zu", gen_rng_ppm(&r, 500000) ? "jenkins" : "gitlab-runner", i);
    else if (gen_no == 0)
      u->name = gen_xasprintf("%s.%s", f, l);
    else
      u->name = gen_xasprintf("%s.%s%zu", f, l, gen_no + 1);
    g->persona_count_u[u->persona]++;
    u->broad = up[u->persona].broad || u->break_glass;
    if (u->broad) g->broad_users++;
  }
  g->roles = gen_xcalloc(g->c.roles, sizeof *g->roles);
  size_t n_slr = 0;
  for (size_t i = 0; i < g->c.roles; i++) {
    gen_rng r = gen_rng_derive(g->c.seed, 4, i);
    rplan *p = &g->roles[i];
    p->team = (size_t)gen_rng_below(&r, g->n_teams);
    p->persona = choose_persona(&r, i, g->c.roles, wr, nr);
    const char *tm = g->teams_store[p->team];
    const char *comp = COMPONENTS[gen_rng_below(&r, N_COMPONENTS)];
    p->path = gen_xstrdup("/");
    switch (p->persona) {
    case R_APP: {
      static const char *const kinds[] = {"lambda", "ecs-task", "ec2", "batch"};
      p->name = gen_xasprintf("%s-%s-%s-%zu", tm, comp, kinds[gen_rng_below(&r, 4)], i);
      break;
    }
    case R_MONITOR: p->name = gen_xasprintf("monitoring-%s-%zu", tm, i); break;
    case R_DATA: p->name = gen_xasprintf("%s-etl-%s-%zu", tm, comp, i); break;
    case R_TEAM_PULL:
    case R_TEAM_PULL_COND: p->name = gen_xasprintf("%s-%s-irsa-%zu", tm, comp, i); break;
    case R_CI_PUSH:
      p->name = gen_rng_ppm(&r, 500000) ? gen_xasprintf("%s-codebuild-push-%zu", tm, i)
                                        : gen_xasprintf("github-actions-%s-%zu", tm, i);
      break;
    case R_ECS_EXEC: p->name = gen_xasprintf("ecsTaskExecutionRole-%s-%zu", tm, i); break;
    case R_EKS_NODE: p->name = gen_xasprintf("eks-%s-nodegroup-%zu-NodeInstanceRole", tm, i); break;
    case R_SLR: {
      /* The ECR replication role exists once; the others repeat with a suffix. */
      size_t k = n_slr == 0 ? 0 : 1 + (n_slr - 1) % (N_SLRS - 1);
      p->sub = k;
      if (n_slr < N_SLRS)
        p->name = gen_xstrdup(SLRS[k].role);
      else
        p->name = gen_xasprintf("%s_%zu", SLRS[k].role, i);
      free(p->path);
      p->path = gen_xasprintf("/aws-service-role/%s/", SLRS[k].service);
      n_slr++;
      break;
    }
    case R_AUDIT: p->name = gen_xasprintf("security-audit-%zu", i); break;
    case R_SSO:
      if (bp) {
        /* Admin 40 %, PowerUser 45 %, ReadOnly 10 %, Developer 5 %. */
        static const uint32_t sso_w[4] = {40, 45, 10, 5};
        p->sub = (size_t)pick_weighted(&r, sso_w, 4);
      } else {
        p->sub = (size_t)gen_rng_below(&r, 4);
      }
      p->name = gen_xasprintf("AWSReservedSSO_%s_%016" PRIx64, SSO_SETS[p->sub], gen_rng_next(&r));
      free(p->path);
      p->path = gen_xasprintf("/aws-reserved/sso.amazonaws.com/%s/", g->pc.regions[0]);
      break;
    case R_ADMIN: p->name = gen_xasprintf("admin-%s-%zu", tm, i); break;
    case R_DEPLOY: p->name = gen_xasprintf("deploy-%s-%s-%zu", tm, comp, i); break;
    case R_NOTACTION: p->name = gen_xasprintf("%s-%s-operator-%zu", tm, comp, i); break;
    default: p->name = gen_xasprintf("ecr-admin-%zu", i); break;
    }
    g->persona_count_r[p->persona]++;
    bool broad = rpers[p->persona].broad;
    if (p->persona == R_SSO && p->sub == 3) broad = false;
    if (bp && p->persona == R_SSO && p->sub == 2) broad = false; /* read only */
    if (!bp && p->persona == R_SLR && p->sub == 0) broad = true;
    p->broad = broad;
    if (broad) g->broad_roles++;
  }
}

static void group_attach(gplan *gp, long idx) {
  if (idx < 0) return;
  gp->attached = gen_xrealloc(gp->attached, (gp->n_attached + 1) * sizeof(size_t));
  gp->attached[gp->n_attached++] = (size_t)idx;
}

static void plan_groups(gen *g) {
  size_t fixed = n_fixed_groups(g);
  g->n_groups = g->c.groups;
  g->groups = gen_xcalloc(g->n_groups, sizeof *g->groups);
  for (size_t i = 0; i < g->n_groups; i++) {
    gen_rng r = gen_rng_derive(g->c.seed, 5, i);
    gplan *gp = &g->groups[i];
    if (i < fixed) {
      gp->name = gen_xstrdup(FIXED_GROUPS[i]);
    } else {
      gp->is_team = true;
      gp->team = (i - fixed) % g->n_teams;
      gp->name = gen_xasprintf("team-%s", g->teams_store[gp->team]);
    }
    switch (gp->is_team ? -1 : (int)i) {
    case G_POWER: group_attach(gp, MP_POWERUSER); break;
    case G_PLATFORM:
      group_attach(gp, pick_std(g, &r, CK_ECR_STAR, 1));
      group_attach(gp, MP_CW_RO);
      break;
    case G_PROD_GUARD:
    case G_CONTRACTORS:
    case G_SANDBOX: break; /* inline only */
    case G_ADMINS: group_attach(gp, MP_ADMIN); break;
    case G_DEVELOPERS:
      group_attach(gp, MP_CW_RO);
      group_attach(gp, pick_kind(g, &r, CK_NONECR));
      break;
    case G_AUDITORS:
      group_attach(gp, MP_SECAUDIT);
      group_attach(gp, MP_READONLY);
      break;
    case G_OPS:
      group_attach(gp, MP_CW_RO);
      for (int k = 0; k < 3; k++) group_attach(gp, pick_kind(g, &r, CK_TEAM_PUSH));
      break;
    case G_DATA:
      group_attach(gp, MP_S3_RO);
      group_attach(gp, pick_kind(g, &r, CK_NONECR));
      group_attach(gp, pick_kind(g, &r, CK_NONECR));
      break;
    case G_BILLING: group_attach(gp, MP_BILLING); break;
    case G_CI_LEGACY: group_attach(gp, MP_ECR_POWER); break;
    default:
      group_attach(gp, pick_kind(g, &r, CK_NONECR));
      if (gen_rng_ppm(&r, 300000)) group_attach(gp, pick_kind(g, &r, CK_MIXED));
      break;
    }
    /* Drop duplicate attachments (the same policy picked twice). */
    size_t w = 0;
    for (size_t a = 0; a < gp->n_attached; a++) {
      bool dup = false;
      for (size_t b = 0; b < w; b++) dup |= gp->attached[b] == gp->attached[a];
      if (!dup) gp->attached[w++] = gp->attached[a];
    }
    gp->n_attached = w;
  }
}

static void plan_repos(gen *g) {
  gen_rng r = gen_rng_derive(g->c.seed, 6, 0);
  g->repos = gen_xcalloc(g->c.repos, sizeof *g->repos);
  size_t first_region = g->c.regions > 1 ? (g->c.repos * 6 + 9) / 10 : g->c.repos;
  static const uint32_t shape_w[8] = {45, 15, 12, 15, 3, 5, 3, 2};
  static const char *const langs[] = {"python", "node", "java", "go", "distroless", "alpine"};
  static const char *const images[] = {"nginx",   "redis", "postgres",
                                       "busybox", "envoy", "fluent-bit"};
  for (size_t i = 0; i < g->c.repos; i++) {
    rplan_repo *rp = &g->repos[i];
    rp->region = i < first_region ? 0 : 1 + (i - first_region) % (g->c.regions - 1);
    rp->team = (size_t)gen_rng_below(&r, g->n_teams);
    uint64_t k = gen_rng_below(&r, 100);
    const char *tm = g->teams_store[rp->team];
    if (k < 85) {
      rp->name =
          gen_xasprintf("%s/%s-%s-%zu", tm, tm, COMPONENTS[gen_rng_below(&r, N_COMPONENTS)], i);
    } else if (k < 90) {
      rp->name = gen_xasprintf("base/%s-%zu", langs[gen_rng_below(&r, 6)], i);
    } else if (k < 93) {
      rp->name = gen_xasprintf("mirror/docker-hub/library/%s-%zu", images[gen_rng_below(&r, 6)], i);
    } else if (k < 95 && g->c.users > 0) {
      size_t u = (size_t)gen_rng_below(&r, g->c.users);
      rp->name = gen_xasprintf("sandbox/%s/scratch-%zu", g->users[u].name, i);
    } else {
      rp->name = gen_xasprintf("legacy-%s-%zu", COMPONENTS[gen_rng_below(&r, N_COMPONENTS)], i);
    }
    rp->policy = gen_rng_ppm(&r, g->c.repo_policy_ppm) ? pick_weighted(&r, shape_w, 8) : -1;
    if (rp->policy >= 0) g->repo_policies_by_shape[rp->policy]++;
    rp->created = rand_time(&r);
  }
}

/* Broad profile: prod-* and platform/ repositories (the Deny carve-outs
 * protect them), more repository policies, and per team the CI role that
 * repository policies grant push to (one per team, so a handful of roles
 * are named, as in a real account). */
static void plan_repos_broad(gen *g) {
  gen_rng r = gen_rng_derive(g->c.seed, 6, 0);
  g->repos = gen_xcalloc(g->c.repos, sizeof *g->repos);
  size_t first_region = g->c.regions > 1 ? (g->c.repos * 6 + 9) / 10 : g->c.repos;
  /* cross-account 30, service 8, role push 25, org "*" 20, public 2,
   * deny delete 8, user direct 2, account root 5 */
  static const uint32_t shape_w[8] = {30, 8, 25, 20, 2, 8, 2, 5};
  static const char *const langs[] = {"python", "node", "java", "go", "distroless", "alpine"};
  static const char *const images[] = {"nginx",   "redis", "postgres",
                                       "busybox", "envoy", "fluent-bit"};
  static const char *const platform[] = {
      "base-python", "base-node",   "base-jvm",     "ingress-nginx", "otel-collector",
      "vault-agent", "istio-proxy", "cert-manager", "external-dns",  "karpenter"};
  for (size_t i = 0; i < g->c.repos; i++) {
    rplan_repo *rp = &g->repos[i];
    rp->region = i < first_region ? 0 : 1 + (i - first_region) % (g->c.regions - 1);
    rp->team = (size_t)gen_rng_below(&r, g->n_teams);
    uint64_t k = gen_rng_below(&r, 100);
    const char *tm = g->teams_store[rp->team];
    const char *comp = COMPONENTS[gen_rng_below(&r, N_COMPONENTS)];
    if (k < 25)
      rp->name = gen_xasprintf(POL_PROD_PREFIX "%s-%s-%zu", tm, comp, i);
    else if (k < 35)
      rp->name = gen_xasprintf(POL_PLATFORM_PREFIX "%s-%zu", platform[gen_rng_below(&r, 10)], i);
    else if (k < 78)
      rp->name = gen_xasprintf("%s/%s-%s-%zu", tm, tm, comp, i);
    else if (k < 84)
      rp->name = gen_xasprintf("base/%s-%zu", langs[gen_rng_below(&r, 6)], i);
    else if (k < 89)
      rp->name = gen_xasprintf("mirror/docker-hub/library/%s-%zu", images[gen_rng_below(&r, 6)], i);
    else if (k < 92 && g->c.users > 0)
      rp->name =
          gen_xasprintf("sandbox/%s/scratch-%zu", g->users[gen_rng_below(&r, g->c.users)].name, i);
    else
      rp->name = gen_xasprintf("legacy-%s-%zu", comp, i);
    rp->policy = gen_rng_ppm(&r, g->c.repo_policy_ppm) ? pick_weighted(&r, shape_w, 8) : -1;
    if (rp->policy >= 0) g->repo_policies_by_shape[rp->policy]++;
    rp->created = rand_time(&r);
  }
  g->team_ci_role = gen_xcalloc(g->n_teams, sizeof *g->team_ci_role);
  long any = -1;
  for (size_t t = 0; t < g->n_teams; t++) g->team_ci_role[t] = -1;
  for (size_t i = 0; i < g->c.roles; i++) {
    if (g->roles[i].persona != R_CI_PUSH) continue;
    if (any < 0) any = (long)i;
    if (g->team_ci_role[g->roles[i].team] < 0) g->team_ci_role[g->roles[i].team] = (long)i;
  }
  for (size_t t = 0; t < g->n_teams; t++)
    if (g->team_ci_role[t] < 0) g->team_ci_role[t] = any;
}

/* ---- output helpers ---------------------------------------------------------- */
static FILE *open_out(gen *g, const char *rel, char **path_out) {
  char *path = gen_xasprintf("%s/%s", g->c.out, rel);
  char *dir = gen_xstrdup(path);
  char *slash = strrchr(dir, '/');
  if (slash) *slash = '\0';
  if (gen_mkdirs(dir) != 0) gen_die("%s: %s", dir, strerror(errno));
  free(dir);
  FILE *fp = fopen(path, "w");
  if (!fp) gen_die("%s: %s", path, strerror(errno));
  setvbuf(fp, NULL, _IOFBF, 1 << 20);
  *path_out = path;
  return fp;
}

static void close_out(gen *g, FILE *fp, char *path, const char *rel) {
  if (ferror(fp) | fclose(fp)) gen_die("%s: write failed", path);
  manifest_file mf = {0};
  mf.path = gen_xstrdup(rel);
  if (gen_sha256_file(path, mf.sha256, &mf.size) != 0) gen_die("%s: cannot hash", path);
  g->files = gen_xrealloc(g->files, (g->n_files + 1) * sizeof *g->files);
  g->files[g->n_files++] = mf;
  free(path);
}

/* Write a whole document (AWS CLI layout) to rel. */
static void write_doc(gen *g, const char *rel, const cJSON *doc) {
  char *path;
  FILE *fp = open_out(g, rel, &path);
  gen_json_print(fp, doc, 0, &GEN_STYLE_CLI);
  fputc('\n', fp);
  close_out(g, fp, path, rel);
}

/* Streaming a top-level list of the IAM document. */
typedef struct list_writer {
  FILE *fp;
  size_t n;
} list_writer;

static void list_begin(list_writer *lw, FILE *fp, const char *key, bool first_key) {
  lw->fp = fp;
  lw->n = 0;
  fprintf(fp, "%s\n    ", first_key ? "{" : ",");
  gen_json_print_string(fp, key);
  fputs(": [", fp);
}

static void list_item(list_writer *lw, cJSON *item) {
  fputs(lw->n++ ? ",\n        " : "\n        ", lw->fp);
  gen_json_print(lw->fp, item, 2, &GEN_STYLE_CLI);
  cJSON_Delete(item);
}

static void list_end(list_writer *lw) {
  if (lw->n) fputs("\n    ", lw->fp);
  fputc(']', lw->fp);
}

/* ---- IAM ------------------------------------------------------------------- */
static uint64_t principal_sig(gen *g, const cJSON *o, const char *inline_key, const char *var_group,
                              const char *username);

static void add_date(cJSON *o, const char *key, int64_t t) {
  char buf[32];
  gen_time_iam(t, buf);
  gen_add_str(o, key, buf);
}

static cJSON *inline_policy(const char *name_key, const char *doc_key, const char *name,
                            cJSON *doc) {
  cJSON *p = gen_obj();
  gen_add_str(p, name_key, name);
  gen_add(p, doc_key, doc);
  return p;
}

/* Attachment list + counters. */
typedef struct attach_list {
  size_t idx[16];
  size_t n;
} attach_list;

static void attach(attach_list *al, long idx) {
  if (idx < 0 || al->n == 16) return;
  for (size_t i = 0; i < al->n; i++)
    if (al->idx[i] == (size_t)idx) return;
  al->idx[al->n++] = (size_t)idx;
}

static cJSON *attached_json(gen *g, const attach_list *al) {
  cJSON *arr = gen_arr();
  for (size_t i = 0; i < al->n; i++) {
    mpol *m = &g->mp[al->idx[i]];
    m->attach++;
    cJSON *o = gen_obj();
    gen_add_str(o, "PolicyName", m->name);
    gen_add_str(o, "PolicyArn", m->arn);
    gen_push(arr, o);
  }
  return arr;
}

static void add_boundary(gen *g, cJSON *o, long idx) {
  if (idx < 0) return;
  g->mp[idx].boundary_use++;
  cJSON *b = gen_obj();
  gen_add_str(b, "PermissionsBoundaryType", "Policy");
  gen_add_str(b, "PermissionsBoundaryArn", g->mp[idx].arn);
  gen_add(o, "PermissionsBoundary", b);
}

static cJSON *tags_json(gen *g, gen_rng *r, size_t team) {
  cJSON *arr = gen_arr();
  if (gen_rng_ppm(r, 500000)) {
    cJSON *t = gen_obj();
    gen_add_str(t, "Key", "team");
    gen_add_str(t, "Value", g->teams_store[team]);
    gen_push(arr, t);
    t = gen_obj();
    gen_add_str(t, "Key", "cost-center");
    gen_add(t, "Value", gen_strf("cc-%04u", (unsigned)gen_rng_below(r, 10000)));
    gen_push(arr, t);
  }
  return arr;
}

static cJSON *emit_user(gen *g, size_t i) {
  uplan *u = &g->users[i];
  gen_rng r = gen_rng_derive(g->c.seed, 7, i);
  cJSON *o = gen_obj();
  bool svc_path = u->persona == U_SVC || u->persona == U_CI_LEGACY;
  gen_add_str(o, "Path", svc_path ? "/service-accounts/" : "/");
  gen_add_str(o, "UserName", u->name);
  char *id = rand_id(&r, "AIDA");
  gen_add_str(o, "UserId", id);
  free(id);
  gen_add(o, "Arn",
          gen_strf("arn:aws:iam::%s:user%s%s", g->c.account, svc_path ? "/service-accounts/" : "/",
                   u->name));
  add_date(o, "CreateDate", rand_time(&r));

  cJSON *inl = gen_arr();
  cJSON *groups = gen_arr();
  attach_list al = {{0}, 0};
  long boundary = -1;
  size_t tm = u->team;
#define JOIN(gi)                                                                                   \
  do {                                                                                             \
    if ((size_t)(gi) < g->n_groups) gen_push(groups, gen_str(g->groups[gi].name));                 \
  } while (0)
  if (u->break_glass) {
    cJSON *d = pol_doc("2012-10-17");
    cJSON *s = pol_stmt(d, "BreakGlass", false);
    gen_add(s, "Action", gen_str("*"));
    gen_add(s, "Resource", gen_str("*"));
    gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "break-glass-full-access", d));
  }
  bool bp = g->c.profile == PROFILE_BROAD;
  size_t bteams = g->n_groups > G_FIXED_BROAD ? g->n_groups - G_FIXED_BROAD : 0;
#define JOIN_OR(gi, pol)                                                                           \
  do {                                                                                             \
    if ((size_t)(gi) < g->n_groups)                                                                \
      JOIN(gi);                                                                                    \
    else                                                                                           \
      attach(&al, (pol));                                                                          \
  } while (0)
#define JOIN_TEAM()                                                                                \
  do {                                                                                             \
    if (bteams) JOIN(G_FIXED_BROAD + tm % bteams);                                                 \
  } while (0)
  if (bp && (u->persona == U_DEV || u->persona == U_ADMIN || u->persona >= U_COUNT)) {
    switch (u->persona) {
    case U_ADMIN:
      JOIN_OR(G_ADMINS, MP_ADMIN);
      if (gen_rng_ppm(&r, 150000)) JOIN(G_PROD_GUARD);
      break;
    case U_POWER:
      JOIN_OR(G_POWER, MP_POWERUSER);
      JOIN_TEAM();
      if (gen_rng_ppm(&r, 350000)) JOIN(G_PROD_GUARD);
      if (gen_rng_ppm(&r, 150000)) JOIN(G_CONTRACTORS);
      if (gen_rng_ppm(&r, 100000)) boundary = pick_std(g, &r, CK_PROD_BOUNDARY, 3);
      break;
    case U_PLATFORM:
      JOIN_OR(G_PLATFORM, pick_std(g, &r, CK_ECR_STAR, 1));
      JOIN_TEAM();
      if (gen_rng_ppm(&r, 250000)) boundary = pick_std(g, &r, CK_PROD_BOUNDARY, 3);
      break;
    case U_NOTACTION:
      attach(&al, pick_std(g, &r, CK_NOTACTION, 4));
      JOIN_TEAM();
      if (gen_rng_ppm(&r, 300000)) attach(&al, pick_std(g, &r, CK_PROD_DENY, 4));
      break;
    default: /* U_DEV: base images, the team's images, sometimes a sandbox */
      JOIN(G_DEVELOPERS);
      JOIN_TEAM();
      if (gen_rng_ppm(&r, 300000)) JOIN(G_SANDBOX);
      if (gen_rng_ppm(&r, 300000)) attach(&al, pick_kind(g, &r, CK_NONECR));
      if (gen_rng_ppm(&r, 200000))
        gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "personal-dev",
                                    pol_nonecr_doc(&g->pc, &r, tm)));
      if (gen_rng_ppm(&r, 150000)) boundary = pick_std(g, &r, CK_BOUNDARY, 3);
      break;
    }
  } else
    switch (u->persona) {
    case U_DEV: {
      JOIN(G_DEVELOPERS);
      size_t team_groups = g->n_groups > G_FIXED ? g->n_groups - G_FIXED : 0;
      if (team_groups) {
        size_t a = G_FIXED + tm % team_groups;
        JOIN(a);
        if (gen_rng_ppm(&r, 300000)) {
          size_t b = G_FIXED + (size_t)gen_rng_below(&r, team_groups);
          if (b != a) JOIN(b);
        }
      }
      if (gen_rng_ppm(&r, 300000)) attach(&al, pick_kind(g, &r, CK_NONECR));
      if (gen_rng_ppm(&r, 200000))
        gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "personal-dev",
                                    pol_nonecr_doc(&g->pc, &r, tm)));
      if (gen_rng_ppm(&r, 200000)) boundary = pick_kind(g, &r, CK_BOUNDARY);
      break;
    }
    case U_DATA:
      JOIN(G_DATA);
      if (gen_rng_ppm(&r, 500000)) attach(&al, MP_S3_RO);
      if (gen_rng_ppm(&r, 300000))
        gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "notebook-access",
                                    pol_nonecr_doc(&g->pc, &r, tm)));
      break;
    case U_SVC: {
      unsigned n = 1 + (unsigned)gen_rng_below(&r, 2);
      for (unsigned k = 0; k < n; k++) attach(&al, pick_kind(g, &r, CK_NONECR));
      if (gen_rng_ppm(&r, 100000)) attach(&al, pick_kind(g, &r, CK_TEAM_PULL));
      if (gen_rng_ppm(&r, 500000))
        gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "app-access",
                                    pol_nonecr_doc(&g->pc, &r, tm)));
      break;
    }
    case U_OPS:
      JOIN(G_OPS);
      JOIN(G_DEVELOPERS);
      if (gen_rng_ppm(&r, 200000)) attach(&al, pick_kind(g, &r, CK_TEAM_PUSH));
      break;
    case U_AUDITOR:
      if (G_AUDITORS < g->n_groups) {
        JOIN(G_AUDITORS);
      } else {
        attach(&al, MP_SECAUDIT);
        attach(&al, MP_READONLY);
      }
      break;
    case U_ADMIN:
      if (G_ADMINS < g->n_groups)
        JOIN(G_ADMINS);
      else
        attach(&al, MP_ADMIN);
      break;
    case U_CI_LEGACY:
      if (gen_rng_ppm(&r, 500000)) {
        if (G_CI_LEGACY < g->n_groups && gen_rng_ppm(&r, 500000))
          JOIN(G_CI_LEGACY);
        else
          attach(&al, MP_ECR_POWER);
      } else {
        cJSON *d = pol_doc("2012-10-17");
        pol_add_ecr_admin(&r, d, false);
        if (gen_rng_ppm(&r, 300000)) {
          cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItem(d, "Statement"), 0);
          gen_add(s, "Condition", pol_condition(&g->pc, &r, tm));
        }
        gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "ecr-push-all", d));
      }
      break;
    default:
      if (G_BILLING < g->n_groups)
        JOIN(G_BILLING);
      else
        attach(&al, MP_BILLING);
      break;
    }
#undef JOIN_TEAM
#undef JOIN_OR
#undef JOIN
  gen_add(o, "UserPolicyList", inl);
  gen_add(o, "GroupList", groups);
  gen_add(o, "AttachedManagedPolicies", attached_json(g, &al));
  add_boundary(g, o, boundary);
  gen_add(o, "Tags", tags_json(g, &r, tm));
  if (g->c.stats) {
    size_t vg = bp ? G_SANDBOX : G_DEVELOPERS;
    u->sig = principal_sig(g, o, "UserPolicyList", vg < g->n_groups ? g->groups[vg].name : NULL,
                           u->name);
  }
  return o;
}

static cJSON *emit_group(gen *g, size_t i) {
  gplan *gp = &g->groups[i];
  gen_rng r = gen_rng_derive(g->c.seed, 8, i);
  cJSON *o = gen_obj();
  gen_add_str(o, "Path", "/");
  gen_add_str(o, "GroupName", gp->name);
  char *id = rand_id(&r, "AGPA");
  gen_add_str(o, "GroupId", id);
  free(id);
  gen_add(o, "Arn", gen_strf("arn:aws:iam::%s:group/%s", g->c.account, gp->name));
  add_date(o, "CreateDate", rand_time(&r));
  cJSON *inl = gen_arr();
  bool bp = g->c.profile == PROFILE_BROAD;
  if (bp && !gp->is_team && i != G_DEVELOPERS) {
    /* Broad: admins without the MFA Deny; the carve-out groups. */
    if (i == G_PROD_GUARD)
      gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "deny-prod-writes",
                                  pol_prod_guard_doc()));
    else if (i == G_CONTRACTORS)
      gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "deny-prod-and-platform",
                                  pol_contractor_deny_doc()));
    else if (i == G_SANDBOX) {
      cJSON *d = pol_doc("2012-10-17");
      pol_add_ecr_login(&r, d);
      pol_add_sandbox(&r, &g->pc, d);
      gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "sandbox-repositories", d));
    }
  } else if (bp && i == G_DEVELOPERS) {
    gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "pull-base-images",
                                pol_base_pull_doc(&g->pc)));
  } else if (gp->is_team) {
    cJSON *d = pol_doc("2012-10-17");
    pol_add_team_pull(&g->pc, &r, d, gp->team, gen_rng_ppm(&r, 100000), false);
    if (gen_rng_ppm(&r, 500000)) pol_add_nonecr(&g->pc, &r, d, gp->team);
    gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "team-images", d));
  } else if (i == G_ADMINS) {
    /* The classic "no MFA, no access" Deny: makes admin grants conditional. */
    cJSON *d = pol_doc("2012-10-17");
    cJSON *s = pol_stmt(d, "DenyAllExceptListedIfNoMFA", true);
    gen_add(s, "NotAction",
            gen_strs("iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser",
                     "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice",
                     "sts:GetSessionToken", (const char *)NULL));
    gen_add(s, "Resource", gen_str("*"));
    cJSON *c = gen_obj(), *inner = gen_obj();
    gen_add_str(inner, "aws:MultiFactorAuthPresent", "false");
    gen_add(c, "BoolIfExists", inner);
    gen_add(s, "Condition", c);
    gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "require-mfa", d));
  } else if (i == G_DEVELOPERS) {
    cJSON *d = pol_doc("2012-10-17");
    pol_add_ecr_login(&r, d);
    pol_add_sandbox(&r, &g->pc, d);
    gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "sandbox-repositories", d));
  }
  gen_add(o, "GroupPolicyList", inl);
  attach_list al = {{0}, 0};
  for (size_t k = 0; k < gp->n_attached; k++) attach(&al, (long)gp->attached[k]);
  gen_add(o, "AttachedManagedPolicies", attached_json(g, &al));
  return o;
}

static cJSON *trust_service(const char *service) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, NULL, false);
  cJSON *p = gen_obj();
  gen_add_str(p, "Service", service);
  gen_add(s, "Principal", p);
  gen_add_str(s, "Action", "sts:AssumeRole");
  return d;
}

static cJSON *trust_federated(const char *provider, const char *action, cJSON *cond) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, NULL, false);
  cJSON *p = gen_obj();
  gen_add_str(p, "Federated", provider);
  gen_add(s, "Principal", p);
  gen_add_str(s, "Action", action);
  gen_add(s, "Condition", cond);
  return d;
}

static cJSON *trust_account(const char *account, cJSON *cond) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, NULL, false);
  cJSON *p = gen_obj();
  gen_add(p, "AWS", gen_strf("arn:aws:iam::%s:root", account));
  gen_add(s, "Principal", p);
  gen_add_str(s, "Action", "sts:AssumeRole");
  if (cond) gen_add(s, "Condition", cond);
  return d;
}

static cJSON *cond_kv(const char *op, const char *key, const char *value) {
  cJSON *c = gen_obj(), *inner = gen_obj();
  gen_add_str(inner, key, value);
  gen_add(c, op, inner);
  return c;
}

static cJSON *trust_irsa(gen *g, gen_rng *r, const rplan *p) {
  char *issuer = gen_xasprintf("oidc.eks.%s.amazonaws.com/id/%016" PRIX64 "%016" PRIX64,
                               g->pc.regions[0], gen_rng_next(r), gen_rng_next(r));
  char *provider = gen_xasprintf("arn:aws:iam::%s:oidc-provider/%s", g->c.account, issuer);
  char *key = gen_xasprintf("%s:sub", issuer);
  char *sa = gen_xasprintf("system:serviceaccount:%s:%s", g->teams_store[p->team], p->name);
  cJSON *d =
      trust_federated(provider, "sts:AssumeRoleWithWebIdentity", cond_kv("StringEquals", key, sa));
  free(issuer);
  free(provider);
  free(key);
  free(sa);
  return d;
}

static cJSON *instance_profiles(gen *g, gen_rng *r, const rplan *p, const char *role_id,
                                int64_t created, const cJSON *trust) {
  cJSON *arr = gen_arr();
  if (p->persona != R_EKS_NODE && !(p->persona == R_APP && strstr(p->name, "-ec2-"))) return arr;
  cJSON *ip = gen_obj();
  gen_add_str(ip, "Path", "/");
  gen_add_str(ip, "InstanceProfileName", p->name);
  char *id = rand_id(r, "AIPA");
  gen_add_str(ip, "InstanceProfileId", id);
  free(id);
  gen_add(ip, "Arn", gen_strf("arn:aws:iam::%s:instance-profile/%s", g->c.account, p->name));
  add_date(ip, "CreateDate", created);
  cJSON *roles = gen_arr(), *ro = gen_obj();
  gen_add_str(ro, "Path", p->path);
  gen_add_str(ro, "RoleName", p->name);
  gen_add_str(ro, "RoleId", role_id);
  gen_add(ro, "Arn", gen_strf("arn:aws:iam::%s:role%s%s", g->c.account, p->path, p->name));
  add_date(ro, "CreateDate", created);
  gen_add(ro, "AssumeRolePolicyDocument", cJSON_Duplicate(trust, true));
  gen_push(roles, ro);
  gen_add(ip, "Roles", roles);
  gen_push(arr, ip);
  return arr;
}

static cJSON *emit_role(gen *g, size_t i) {
  rplan *p = &g->roles[i];
  gen_rng r = gen_rng_derive(g->c.seed, 9, i);
  const pol_ctx *pc = &g->pc;
  size_t tm = p->team;
  cJSON *o = gen_obj();
  gen_add_str(o, "Path", p->path);
  gen_add_str(o, "RoleName", p->name);
  char *role_id = rand_id(&r, "AROA");
  gen_add_str(o, "RoleId", role_id);
  gen_add(o, "Arn", gen_strf("arn:aws:iam::%s:role%s%s", g->c.account, p->path, p->name));
  int64_t created = rand_time(&r);
  add_date(o, "CreateDate", created);

  cJSON *trust = NULL;
  cJSON *inl = gen_arr();
  attach_list al = {{0}, 0};
  long boundary = -1;
  bool bp = g->c.profile == PROFILE_BROAD;
  switch (p->persona) {
  case R_APP: {
    const char *svc = strstr(p->name, "-lambda-")     ? "lambda.amazonaws.com"
                      : strstr(p->name, "-ecs-task-") ? "ecs-tasks.amazonaws.com"
                      : strstr(p->name, "-batch-")    ? "batch.amazonaws.com"
                                                      : "ec2.amazonaws.com";
    trust = trust_service(svc);
    unsigned n = (unsigned)gen_rng_below(&r, 4);
    for (unsigned k = 0; k < n; k++) attach(&al, pick_kind(g, &r, CK_NONECR));
    if (svc[0] == 'l') attach(&al, MP_LAMBDA_BASIC);
    if (strcmp(svc, "ec2.amazonaws.com") == 0) attach(&al, MP_SSM_CORE);
    if (n == 0 || gen_rng_ppm(&r, 400000))
      gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "app-inline",
                                  pol_nonecr_doc(pc, &r, tm)));
    break;
  }
  case R_MONITOR:
    trust = trust_service("monitoring.rds.amazonaws.com");
    attach(&al, MP_CW_RO);
    if (gen_rng_ppm(&r, 500000)) attach(&al, pick_kind(g, &r, CK_NONECR));
    break;
  case R_DATA:
    trust = trust_service(gen_rng_ppm(&r, 500000) ? "glue.amazonaws.com" : "states.amazonaws.com");
    attach(&al, MP_S3_RO);
    attach(&al, pick_kind(g, &r, CK_NONECR));
    gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "etl-inline",
                                pol_nonecr_doc(pc, &r, tm)));
    break;
  case R_TEAM_PULL:
  case R_TEAM_PULL_COND: {
    trust = trust_irsa(g, &r, p);
    bool cond = p->persona == R_TEAM_PULL_COND;
    long k = cond ? -1 : pick_kind(g, &r, gen_rng_ppm(&r, 700000) ? CK_TEAM_PULL : CK_MIXED);
    if (k >= 0) {
      attach(&al, k);
    } else {
      cJSON *d = pol_doc("2012-10-17");
      pol_add_team_pull(pc, &r, d, tm, cond, false);
      gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "pull-team-images", d));
    }
    attach(&al, pick_kind(g, &r, CK_NONECR));
    break;
  }
  case R_CI_PUSH: {
    if (strstr(p->name, "codebuild")) {
      trust = trust_service("codebuild.amazonaws.com");
    } else {
      char *prov = gen_xasprintf(
          "arn:aws:iam::%s:oidc-provider/token.actions.githubusercontent.com", g->c.account);
      char *sub = gen_xasprintf("repo:acme/%s-*:ref:refs/heads/main", g->teams_store[tm]);
      cJSON *c =
          cond_kv("StringEquals", "token.actions.githubusercontent.com:aud", "sts.amazonaws.com");
      cJSON *like = gen_obj();
      gen_add_str(like, "token.actions.githubusercontent.com:sub", sub);
      gen_add(c, "StringLike", like);
      trust = trust_federated(prov, "sts:AssumeRoleWithWebIdentity", c);
      free(prov);
      free(sub);
    }
    long k = pick_kind(g, &r, CK_TEAM_PUSH);
    if (k >= 0 && gen_rng_ppm(&r, 600000)) {
      attach(&al, k);
    } else {
      cJSON *d = pol_doc("2012-10-17");
      pol_add_team_push(pc, &r, d, tm, gen_rng_ppm(&r, 200000), false);
      gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "push-team-images", d));
    }
    if (gen_rng_ppm(&r, 300000)) attach(&al, pick_kind(g, &r, CK_ECR_DENY));
    if (gen_rng_ppm(&r, 300000)) boundary = pick_kind(g, &r, CK_BOUNDARY);
    attach(&al, pick_kind(g, &r, CK_NONECR));
    break;
  }
  case R_ECS_EXEC:
    trust = trust_service("ecs-tasks.amazonaws.com");
    attach(&al, MP_ECS_EXEC);
    if (gen_rng_ppm(&r, 300000)) {
      cJSON *d = pol_doc("2012-10-17");
      cJSON *s = pol_stmt(d, "ReadSecrets", false);
      gen_add(s, "Action",
              gen_strs("secretsmanager:GetSecretValue", "kms:Decrypt", (const char *)NULL));
      gen_add(s, "Resource", gen_str("*"));
      gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "task-secrets", d));
    }
    break;
  case R_EKS_NODE:
    trust = trust_service("ec2.amazonaws.com");
    attach(&al, MP_EKS_WORKER);
    attach(&al, MP_EKS_CNI);
    attach(&al, gen_rng_ppm(&r, 600000) ? MP_ECR_RO : MP_ECR_PULL);
    attach(&al, MP_SSM_CORE);
    break;
  case R_SLR:
    trust = trust_service(SLRS[p->sub].service);
    attach(&al, SLRS[p->sub].policy);
    break;
  case R_AUDIT: {
    cJSON *c = cond_kv("StringEquals", "sts:ExternalId", "ecraudit-4711");
    trust = trust_account(g->pc.external[2], c);
    attach(&al, MP_SECAUDIT);
    attach(&al, MP_READONLY);
    break;
  }
  case R_SSO: {
    char *prov = gen_xasprintf("arn:aws:iam::%s:saml-provider/AWSSSO_%016" PRIx64 "_DO_NOT_DELETE",
                               g->c.account, gen_rng_next(&r));
    trust =
        trust_federated(prov, "sts:AssumeRoleWithSAML",
                        cond_kv("StringEquals", "SAML:aud", "https://signin.aws.amazon.com/saml"));
    free(prov);
    if (p->sub == 0)
      attach(&al, MP_ADMIN);
    else if (p->sub == 1 && bp) {
      /* The PowerUser permission set of the broad account keeps off prod. */
      attach(&al, MP_POWERUSER);
      gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "AwsSSOInlinePolicy",
                                  pol_prod_guard_doc()));
    } else if (p->sub == 1)
      attach(&al, MP_POWERUSER);
    else if (p->sub == 2)
      attach(&al, MP_READONLY);
    else {
      attach(&al, pick_kind(g, &r, CK_NONECR));
      attach(&al, pick_kind(g, &r, CK_TEAM_PULL));
    }
    break;
  }
  case R_ADMIN:
    trust = trust_account(g->c.account, cond_kv("Bool", "aws:MultiFactorAuthPresent", "true"));
    attach(&al, MP_ADMIN);
    if (gen_rng_ppm(&r, 500000))
      boundary = bp ? pick_std(g, &r, CK_PROD_BOUNDARY, 3) : pick_kind(g, &r, CK_BOUNDARY);
    break;
  case R_DEPLOY: /* broad: CloudFormation / CodePipeline deployers with PowerUserAccess */
    trust = trust_service(gen_rng_ppm(&r, 500000) ? "cloudformation.amazonaws.com"
                                                  : "codepipeline.amazonaws.com");
    attach(&al, MP_POWERUSER);
    if (gen_rng_ppm(&r, 500000)) attach(&al, pick_std(g, &r, CK_PROD_DENY, 4));
    attach(&al, pick_std(g, &r, CK_NONECR, 8));
    break;
  case R_NOTACTION: /* broad: operators with an "everything but IAM" policy */
    trust = trust_service("ec2.amazonaws.com");
    attach(&al, pick_std(g, &r, CK_NOTACTION, 4));
    if (gen_rng_ppm(&r, 300000)) attach(&al, pick_std(g, &r, CK_PROD_DENY, 4));
    if (gen_rng_ppm(&r, 200000)) boundary = pick_std(g, &r, CK_PROD_BOUNDARY, 3);
    break;
  default: { /* R_ECR_ADMIN */
    trust = trust_account(g->c.account, NULL);
    if (bp) {
      uint64_t x = gen_rng_below(&r, 10);
      if (x < 7) {
        attach(&al, pick_std(g, &r, CK_ECR_STAR, 3));
      } else if (x < 9) {
        attach(&al, MP_ECR_FULL);
      } else {
        gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "ecr-administration",
                                    pol_ecr_star_doc(&r)));
      }
      break;
    }
    long k = pick_kind(g, &r, CK_ECR_ADMIN);
    if (k >= 0 && gen_rng_ppm(&r, 500000)) {
      attach(&al, k);
    } else if (gen_rng_ppm(&r, 300000)) {
      attach(&al, MP_ECR_FULL);
    } else {
      cJSON *d = pol_doc("2012-10-17");
      pol_add_ecr_admin(&r, d, gen_rng_ppm(&r, 300000));
      gen_push(inl, inline_policy("PolicyName", "PolicyDocument", "ecr-administration", d));
    }
    break;
  }
  }
  gen_add(o, "AssumeRolePolicyDocument", trust);
  gen_add(o, "InstanceProfileList", instance_profiles(g, &r, p, role_id, created, trust));
  free(role_id);
  gen_add(o, "RolePolicyList", inl);
  gen_add(o, "AttachedManagedPolicies", attached_json(g, &al));
  add_boundary(g, o, boundary);
  gen_add(o, "Tags", tags_json(g, &r, tm));
  cJSON *lu = gen_obj();
  if (gen_rng_ppm(&r, 700000)) {
    add_date(lu, "LastUsedDate", EPOCH_2016 + NINE_YEARS + (int64_t)gen_rng_below(&r, 86400 * 300));
    gen_add_str(lu, "Region", pc->regions[gen_rng_below(&r, pc->n_regions)]);
  }
  gen_add(o, "RoleLastUsed", lu);
  if (g->c.stats) p->sig = principal_sig(g, o, "RolePolicyList", NULL, NULL);
  return o;
}

/* The document of customer managed policy m, version v (1-based). Older
 * versions of ECR policies are broader, so only the default one may count. */
static cJSON *customer_doc(gen *g, size_t idx, unsigned v) {
  const mpol *m = &g->mp[idx];
  gen_rng r = gen_rng_derive(g->c.seed, 10, (uint64_t)idx * 8 + v);
  const pol_ctx *pc = &g->pc;
  bool old = v != m->default_version;
  cJSON *d;
  switch (m->kind) {
  case CK_TEAM_PULL:
    d = pol_doc("2012-10-17");
    pol_add_team_pull(pc, &r, d, m->team, gen_rng_ppm(&r, 150000), old);
    break;
  case CK_TEAM_PUSH:
    d = pol_doc("2012-10-17");
    pol_add_team_push(pc, &r, d, m->team, gen_rng_ppm(&r, 200000), old);
    break;
  case CK_ECR_DENY:
    d = pol_doc("2012-10-17");
    pol_add_ecr_deny(pc, &r, d, m->team);
    break;
  case CK_ECR_ADMIN:
    d = pol_doc("2012-10-17");
    pol_add_ecr_admin(&r, d, gen_rng_ppm(&r, 300000));
    break;
  case CK_BOUNDARY: d = pol_boundary_doc(pc, &r); break;
  case CK_ECR_STAR: d = pol_ecr_star_doc(&r); break;
  case CK_NOTACTION: d = pol_notaction_doc(&r); break;
  case CK_PROD_DENY: d = pol_prod_deny_doc(pc, &r); break;
  case CK_PROD_BOUNDARY: d = pol_prod_boundary_doc(pc, &r); break;
  case CK_MIXED:
    d = pol_nonecr_doc(pc, &r, m->team);
    pol_add_team_pull(pc, &r, d, m->team, false, old);
    break;
  default: d = pol_nonecr_doc(pc, &r, m->team); break;
  }
  return d;
}

static cJSON *emit_policy(gen *g, size_t idx) {
  const mpol *m = &g->mp[idx];
  cJSON *o = gen_obj();
  gen_add_str(o, "PolicyName", m->name);
  gen_add_str(o, "PolicyId", m->id);
  gen_add_str(o, "Arn", m->arn);
  gen_add_str(o, "Path", m->path);
  gen_add(o, "DefaultVersionId", gen_strf("v%u", m->default_version));
  gen_add(o, "AttachmentCount", cJSON_CreateNumber((double)m->attach));
  gen_add(o, "PermissionsBoundaryUsageCount", cJSON_CreateNumber((double)m->boundary_use));
  gen_add(o, "IsAttachable", cJSON_CreateTrue());
  add_date(o, "CreateDate", m->created);
  add_date(o, "UpdateDate", m->updated);
  cJSON *versions = gen_arr();
  /* AWS managed: only the default version is listed here (older ones are
   * AWS's history, not the account's). */
  unsigned first = m->aws >= 0 ? m->n_versions : 1;
  for (unsigned v = m->n_versions; v >= first && v >= 1; v--) {
    cJSON *pv = gen_obj();
    gen_add(pv, "Document", m->aws >= 0 ? pol_aws_doc(m->aws) : customer_doc(g, idx, v));
    gen_add(pv, "VersionId", gen_strf("v%u", v));
    gen_add(pv, "IsDefaultVersion", cJSON_CreateBool(v == m->default_version));
    add_date(pv, "CreateDate",
             m->created +
                 (int64_t)(m->updated - m->created) * (int64_t)(v - 1) / (int64_t)m->n_versions);
    gen_push(versions, pv);
  }
  gen_add(o, "PolicyVersionList", versions);
  return o;
}

static void write_iam(gen *g) {
  const char *rel = "iam/account-authorization-details.json";
  char *path;
  FILE *fp = open_out(g, rel, &path);
  list_writer lw;
  list_begin(&lw, fp, "UserDetailList", true);
  for (size_t i = 0; i < g->c.users; i++) list_item(&lw, emit_user(g, i));
  list_end(&lw);
  list_begin(&lw, fp, "GroupDetailList", false);
  for (size_t i = 0; i < g->n_groups; i++) list_item(&lw, emit_group(g, i));
  list_end(&lw);
  list_begin(&lw, fp, "RoleDetailList", false);
  for (size_t i = 0; i < g->c.roles; i++) list_item(&lw, emit_role(g, i));
  list_end(&lw);
  /* get-account-authorization-details lists local policies and the AWS
   * managed policies in use. */
  list_begin(&lw, fp, "Policies", false);
  for (size_t i = 0; i < g->n_mp; i++)
    if (g->mp[i].aws < 0 || g->mp[i].attach || g->mp[i].boundary_use)
      list_item(&lw, emit_policy(g, i));
  list_end(&lw);
  fputs("\n}\n", fp);
  close_out(g, fp, path, rel);
}

/* ---- ECR ------------------------------------------------------------------- */
static const char *const PULL3[] = {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                                    "ecr:BatchCheckLayerAvailability"};

static cJSON *pull_actions(void) {
  cJSON *a = gen_arr();
  for (int i = 0; i < 3; i++) gen_push(a, gen_str(PULL3[i]));
  return a;
}

static cJSON *principal_aws(cJSON *value) {
  cJSON *p = gen_obj();
  gen_add(p, "AWS", value);
  return p;
}

/* A role of the account with this persona (any when none), for direct grants. */
static const rplan *find_role(gen *g, gen_rng *r, int want) {
  if (g->c.roles == 0) return NULL;
  size_t start = (size_t)gen_rng_below(r, g->c.roles);
  for (size_t k = 0; k < g->c.roles; k++) {
    const rplan *p = &g->roles[(start + k) % g->c.roles];
    if (p->persona == want) return p;
  }
  return &g->roles[start];
}

static char *repository_policy_text(gen *g, const rplan_repo *rp, gen_rng *r) {
  const char *acct = g->c.account;
  cJSON *d = pol_doc(gen_rng_ppm(r, 600000) ? "2008-10-17" : "2012-10-17");
  cJSON *s;
  switch (rp->policy) {
  case 0: /* cross-account pull */
    s = pol_stmt(d, "AllowCrossAccountPull", false);
    gen_add(s, "Principal",
            principal_aws(gen_maybe_single(
                gen_strs(g->external[gen_rng_below(r, 3)], (const char *)NULL), false)));
    if (gen_rng_ppm(r, 400000)) {
      /* A bare 12-digit account id is legal too. */
      cJSON *aws = cJSON_GetObjectItem(cJSON_GetObjectItem(s, "Principal"), "AWS");
      gen_push(aws, gen_str(g->external[3 + gen_rng_below(r, 3)]));
    }
    gen_add(s, "Action", pull_actions());
    break;
  case 1: /* service principal */
    s = pol_stmt(d, "ServicePull", false);
    if (gen_rng_ppm(r, 500000)) {
      cJSON *p = gen_obj();
      gen_add_str(p, "Service", "codebuild.amazonaws.com");
      gen_add(s, "Principal", p);
      gen_add(s, "Action", pull_actions());
    } else {
      cJSON *p = gen_obj();
      gen_add_str(p, "Service", "lambda.amazonaws.com");
      gen_add(s, "Principal", p);
      gen_add(s, "Action",
              gen_strs("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", (const char *)NULL));
      cJSON *c = gen_obj(), *inner = gen_obj();
      gen_add(inner, "aws:sourceArn",
              gen_strf("arn:aws:lambda:%s:%s:function:*", g->pc.regions[rp->region], acct));
      gen_add(c, "StringLike", inner);
      gen_add(s, "Condition", c);
    }
    break;
  case 2: { /* a role of this account granted push directly */
    const rplan *role;
    if (g->team_ci_role)
      role = g->team_ci_role[rp->team] >= 0 ? &g->roles[g->team_ci_role[rp->team]] : NULL;
    else
      role = find_role(g, r, R_CI_PUSH);
    if (role) ((rplan *)role)->named = true;
    s = pol_stmt(d, "CiPush", false);
    if (role)
      gen_add(s, "Principal",
              principal_aws(gen_strf("arn:aws:iam::%s:role%s%s", acct, role->path, role->name)));
    else
      gen_add(s, "Principal", principal_aws(gen_strf("arn:aws:iam::%s:root", acct)));
    gen_add(s, "Action",
            gen_strs("ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                     "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
                     "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", (const char *)NULL));
    break;
  }
  case 3: { /* organization-wide pull: "*" narrowed by a Condition */
    s = pol_stmt(d, "OrgPull", false);
    gen_add_str(s, "Principal", "*");
    gen_add(s, "Action", pull_actions());
    cJSON *c = gen_obj(), *inner = gen_obj();
    gen_add_str(inner, "aws:PrincipalOrgID", "o-a1b2c3d4e5");
    gen_add(c, "StringEquals", inner);
    gen_add(s, "Condition", c);
    break;
  }
  case 4: /* public pull, no condition */
    s = pol_stmt(d, "allow public pull", false);
    gen_add_str(s, "Principal", "*");
    gen_add(s, "Action", pull_actions());
    break;
  case 5: { /* pull for a partner, and nobody but admins deletes */
    s = pol_stmt(d, "PartnerPull", false);
    gen_add(s, "Principal", principal_aws(gen_str(g->external[1])));
    gen_add(s, "Action", pull_actions());
    s = pol_stmt(d, "DenyDeleteExceptAdmins", true);
    gen_add_str(s, "Principal", "*");
    gen_add(s, "Action",
            gen_strs("ecr:DeleteRepository", "ecr:BatchDeleteImage", (const char *)NULL));
    cJSON *c = gen_obj(), *inner = gen_obj();
    gen_add(inner, "aws:PrincipalArn", gen_strf("arn:aws:iam::%s:role/admin-*", acct));
    gen_add(c, "ArnNotLike", inner);
    gen_add(s, "Condition", c);
    break;
  }
  case 6: { /* a user granted directly (bypasses the user's boundary) */
    s = pol_stmt(d, "LegacyUserPush", false);
    uplan *u = g->c.users ? &g->users[gen_rng_below(r, g->c.users)] : NULL;
    if (u) u->named = true;
    if (u)
      gen_add(s, "Principal",
              principal_aws(gen_strf(
                  "arn:aws:iam::%s:user%s%s", acct,
                  (u->persona == U_SVC || u->persona == U_CI_LEGACY) ? "/service-accounts/" : "/",
                  u->name)));
    else
      gen_add(s, "Principal", principal_aws(gen_str(acct)));
    gen_add(s, "Action", gen_strs("ecr:*", (const char *)NULL));
    break;
  }
  default: /* the account itself: delegates to IAM */
    s = pol_stmt(d, "AccountAccess", false);
    gen_add(s, "Principal", principal_aws(gen_strf("arn:aws:iam::%s:root", acct)));
    gen_add(s, "Action", gen_str("ecr:*"));
    break;
  }
  char *text = gen_json_string(d, &GEN_STYLE_ECR);
  cJSON_Delete(d);
  return text;
}

static void write_ecr(gen *g) {
  for (size_t reg = 0; reg < g->c.regions; reg++) {
    const char *rname = g->pc.regions[reg];
    gen_rng r = gen_rng_derive(g->c.seed, 11, reg);
    cJSON *doc = gen_obj(), *list = gen_arr(), *pols = gen_arr();
    for (size_t i = 0; i < g->c.repos; i++) {
      const rplan_repo *rp = &g->repos[i];
      if (rp->region != reg) continue;
      gen_rng rr = gen_rng_derive(g->c.seed, 12, i);
      cJSON *o = gen_obj();
      gen_add(o, "repositoryArn",
              gen_strf("arn:aws:ecr:%s:%s:repository/%s", rname, g->c.account, rp->name));
      gen_add_str(o, "registryId", g->c.account);
      gen_add_str(o, "repositoryName", rp->name);
      gen_add(o, "repositoryUri",
              gen_strf("%s.dkr.ecr.%s.amazonaws.com/%s", g->c.account, rname, rp->name));
      char ts[40];
      gen_time_ecr(rp->created, (unsigned)gen_rng_below(&rr, 1000), ts);
      gen_add_str(o, "createdAt", ts);
      gen_add_str(o, "imageTagMutability", gen_rng_ppm(&rr, 300000) ? "IMMUTABLE" : "MUTABLE");
      cJSON *scan = gen_obj();
      gen_add(scan, "scanOnPush", cJSON_CreateBool(gen_rng_ppm(&rr, 400000)));
      gen_add(o, "imageScanningConfiguration", scan);
      cJSON *enc = gen_obj();
      gen_add_str(enc, "encryptionType", "AES256");
      gen_add(o, "encryptionConfiguration", enc);
      gen_push(list, o);
      if (rp->policy >= 0) {
        cJSON *p = gen_obj();
        gen_add_str(p, "registryId", g->c.account);
        gen_add_str(p, "repositoryName", rp->name);
        char *text = repository_policy_text(g, rp, &rr);
        gen_add_str(p, "policyText", text);
        free(text);
        gen_push(pols, p);
      }
    }
    gen_add(doc, "repositories", list);
    char *rel = gen_xasprintf("ecr/%s/repositories.json", rname);
    write_doc(g, rel, doc);
    free(rel);
    cJSON_Delete(doc);
    rel = gen_xasprintf("ecr/%s/repository-policies.json", rname);
    write_doc(g, rel, pols);
    free(rel);
    cJSON_Delete(pols);

    /* Registry policy: replication from the build account (every first
     * region, half of the others). */
    if (reg == 0 || gen_rng_ppm(&r, 500000)) {
      cJSON *d = pol_doc("2012-10-17");
      cJSON *s = pol_stmt(d, "ReplicationAccessCrossAccount", false);
      gen_add(s, "Principal", principal_aws(gen_str(g->external[0])));
      gen_add(s, "Action",
              gen_strs("ecr:CreateRepository", "ecr:ReplicateImage", (const char *)NULL));
      gen_add(s, "Resource", gen_strf("arn:aws:ecr:%s:%s:repository/*", rname, g->c.account));
      if (gen_rng_ppm(&r, 500000)) {
        s = pol_stmt(d, "PullThroughCache", false);
        gen_add(s, "Principal", principal_aws(gen_strf("arn:aws:iam::%s:root", g->c.account)));
        gen_add(
            s, "Action",
            gen_strs("ecr:CreateRepository", "ecr:BatchImportUpstreamImage", (const char *)NULL));
        gen_add(s, "Resource",
                gen_strf("arn:aws:ecr:%s:%s:repository/mirror/*", rname, g->c.account));
      }
      cJSON *out = gen_obj();
      gen_add_str(out, "registryId", g->c.account);
      char *text = gen_json_string(d, &GEN_STYLE_ECR);
      gen_add_str(out, "policyText", text);
      free(text);
      cJSON_Delete(d);
      rel = gen_xasprintf("ecr/%s/registry-policy.json", rname);
      write_doc(g, rel, out);
      free(rel);
      cJSON_Delete(out);
    }
  }
}

/* ---- SCPs, STS, manifest ------------------------------------------------------ */
cJSON *gen_policy_entry(const char *id, const char *name, cJSON *doc) {
  cJSON *o = gen_obj();
  gen_add_str(o, "Id", id);
  gen_add_str(o, "Name", name);
  char *text = gen_json_compact(doc);
  gen_add_str(o, "Content", text);
  free(text);
  cJSON_Delete(doc);
  return o;
}

static cJSON *full_aws_access(void) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, NULL, false);
  gen_add_str(s, "Action", "*");
  gen_add_str(s, "Resource", "*");
  return d;
}

static void write_scps(gen *g) {
  if (g->c.scp_levels == 0) return;
  gen_rng r = gen_rng_derive(g->c.seed, 13, 0);
  cJSON *levels = gen_arr();
  char org[16];
  snprintf(org, sizeof org, "%04" PRIx64, gen_rng_next(&r) & 0xffff);
  for (unsigned lv = 0; lv < g->c.scp_levels; lv++) {
    bool root = lv == 0, account = lv + 1 == g->c.scp_levels && lv > 0;
    cJSON *level = gen_obj(), *pols = gen_arr();
    if (root) {
      gen_add(level, "target", gen_strf("r-%s", org));
      gen_push(pols, gen_policy_entry("p-FullAWSAccess", "FullAWSAccess", full_aws_access()));
      cJSON *d = pol_doc("2012-10-17");
      cJSON *s = pol_stmt(d, "DenyLeaveOrg", true);
      gen_add_str(s, "Action", "organizations:LeaveOrganization");
      gen_add_str(s, "Resource", "*");
      char *id = gen_xasprintf("p-%08" PRIx64, gen_rng_next(&r) & 0xffffffffu);
      gen_push(pols, gen_policy_entry(id, "deny-leave-organization", d));
      free(id);
    } else if (account) {
      gen_add_str(level, "target", g->c.account);
      /* An allow-list SCP: ECR allowed, ECR Public not. */
      cJSON *d = pol_doc("2012-10-17");
      cJSON *s = pol_stmt(d, "AllowedServices", false);
      gen_add(s, "Action",
              gen_strs("ecr:*", "s3:*", "ec2:*", "ecs:*", "eks:*", "logs:*", "cloudwatch:*",
                       "iam:*", "sts:*", "kms:*", "dynamodb:*", "sqs:*", "sns:*", "lambda:*",
                       "ssm:*", "secretsmanager:*", (const char *)NULL));
      gen_add_str(s, "Resource", "*");
      s = pol_stmt(d, "NoPublicGallery", true);
      gen_add_str(s, "Action", "ecr-public:*");
      gen_add_str(s, "Resource", "*");
      gen_push(pols, gen_policy_entry("p-a11owlist", "account-allow-list", d));
    } else {
      gen_add(level, "target", gen_strf("ou-%s-%08" PRIx64, org, gen_rng_next(&r) & 0xffffffffu));
      gen_push(pols, gen_policy_entry("p-FullAWSAccess", "FullAWSAccess", full_aws_access()));
      cJSON *d = pol_doc("2012-10-17");
      cJSON *s = pol_stmt(d, "ProtectImages", true);
      gen_add(s, "Action",
              gen_strs("ecr:DeleteRepository", "ecr:BatchDeleteImage", "ecr:SetRepositoryPolicy",
                       "ecr:DeleteRepositoryPolicy", "ecr:PutRegistryPolicy",
                       "ecr:DeleteRegistryPolicy", (const char *)NULL));
      gen_add_str(s, "Resource", "*");
      cJSON *c = gen_obj(), *inner = gen_obj();
      gen_add(
          inner, "aws:PrincipalArn",
          gen_strs(
              "arn:aws:iam::*:role/admin-*",
              "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*/AWSReservedSSO_AdministratorAccess_*",
              (const char *)NULL));
      gen_add(c, "ArnNotLike", inner);
      gen_add(s, "Condition", c);
      char *id = gen_xasprintf("p-%08" PRIx64, gen_rng_next(&r) & 0xffffffffu);
      gen_push(pols, gen_policy_entry(id, "protect-container-images", d));
      if (g->c.profile == PROFILE_BROAD) {
        /* Nobody deletes production images, not even admins. */
        d = pol_doc("2012-10-17");
        s = pol_stmt(d, "ProtectProdImages", true);
        gen_add(s, "Action",
                gen_strs("ecr:DeleteRepository", "ecr:BatchDeleteImage", (const char *)NULL));
        gen_add_str(s, "Resource", "arn:aws:ecr:*:*:repository/" POL_PROD_PREFIX "*");
        id[2] = 'b';
        gen_push(pols, gen_policy_entry(id, "protect-prod-images", d));
      }
      free(id);
    }
    gen_add(level, "policies", pols);
    gen_push(levels, level);
  }
  write_doc(g, "organizations/scps.json", levels);
  cJSON_Delete(levels);
}

static void write_sts(gen *g) {
  cJSON *o = gen_obj();
  gen_rng r = gen_rng_derive(g->c.seed, 14, 0);
  char *id = rand_id(&r, "AROA");
  gen_add(o, "UserId", gen_strf("%s:ecraudit", id));
  free(id);
  gen_add_str(o, "Account", g->c.account);
  gen_add(o, "Arn", gen_strf("arn:aws:sts::%s:assumed-role/security-audit/ecraudit", g->c.account));
  write_doc(g, "sts/caller-identity.json", o);
  cJSON_Delete(o);
}

static int cmp_file(const void *a, const void *b) {
  return strcmp(((const manifest_file *)a)->path, ((const manifest_file *)b)->path);
}

/* Hooks for org.c: write a document into the bundle (and its manifest). */
void gen_bundle_write_doc(gen *g, const char *rel, const cJSON *doc) {
  write_doc(g, rel, doc);
}

/* Re-hash rel after org.c rewrote it. */
void gen_bundle_rehash(gen *g, const char *rel) {
  for (size_t i = 0; i < g->n_files; i++) {
    if (strcmp(g->files[i].path, rel) != 0) continue;
    char *path = gen_xasprintf("%s/%s", g->c.out, rel);
    if (gen_sha256_file(path, g->files[i].sha256, &g->files[i].size) != 0)
      gen_die("%s: cannot hash", path);
    free(path);
  }
}

const char *gen_bundle_dir(const gen *g) {
  return g->c.out;
}
const char *gen_bundle_region(const gen *g) {
  return g->pc.regions[0];
}

static void write_manifest(gen *g) {
  qsort(g->files, g->n_files, sizeof *g->files, cmp_file);
  cJSON *m = gen_obj();
  gen_add_str(m, "tool", "ecraudit-gen");
  gen_add_str(m, "tool_version", GEN_VERSION);
  gen_add_str(m, "account", g->c.account);
  cJSON *regions = gen_arr();
  for (size_t i = 0; i < g->c.regions; i++) gen_push(regions, gen_str(g->pc.regions[i]));
  gen_add(m, "regions", regions);
  gen_add_str(m, "collected_at", "2026-11-27T12:00:00Z");
  cJSON *params = gen_obj();
  gen_add(params, "users", cJSON_CreateNumber((double)g->c.users));
  gen_add(params, "roles", cJSON_CreateNumber((double)g->c.roles));
  gen_add(params, "groups", cJSON_CreateNumber((double)g->c.groups));
  gen_add(params, "policies", cJSON_CreateNumber((double)g->c.policies));
  gen_add(params, "repos", cJSON_CreateNumber((double)g->c.repos));
  gen_add(params, "regions", cJSON_CreateNumber((double)g->c.regions));
  gen_add(params, "repo_policy_share_ppm", cJSON_CreateNumber((double)g->c.repo_policy_ppm));
  gen_add(params, "scp_levels", cJSON_CreateNumber((double)g->c.scp_levels));
  gen_add(params, "seed", gen_strf("%" PRIu64, g->c.seed));
  gen_add(params, "broad_scale_permille",
          cJSON_CreateNumber((double)(long)(g->c.broad_scale * 1000 + 0.5)));
  if (g->c.profile == PROFILE_BROAD) gen_add_str(params, "profile", "broad");
  gen_add(m, "synthetic", params);
  cJSON *files = gen_arr();
  for (size_t i = 0; i < g->n_files; i++) {
    cJSON *f = gen_obj();
    gen_add_str(f, "path", g->files[i].path);
    gen_add_str(f, "sha256", g->files[i].sha256);
    gen_add(f, "size", cJSON_CreateNumber((double)g->files[i].size));
    gen_push(files, f);
  }
  gen_add(m, "files", files);
  gen_add(m, "gaps", gen_arr());
  char *path = gen_xasprintf("%s/manifest.json", g->c.out);
  FILE *fp = fopen(path, "w");
  if (!fp) gen_die("%s: %s", path, strerror(errno));
  gen_json_print(fp, m, 0, &GEN_STYLE_CLI);
  fputc('\n', fp);
  if (ferror(fp) | fclose(fp)) gen_die("%s: write failed", path);
  free(path);
  cJSON_Delete(m);
}

/* ---- --stats: distinct access signatures --------------------------------------
 * An estimate of how many principals share one ECR access profile: a hash
 * of the sorted group names, managed policy ARNs, boundary ARN and inline
 * statements that can touch ECR (NotAction, "*", ecr:...), plus the name of
 * a user whose groups use ${aws:username}, plus the ARN of a principal a
 * repository policy names. (Tags read by aws:PrincipalTag conditions and
 * ARNs read by SCP conditions are left out: an estimate.) */
static uint64_t fnv(uint64_t h, const char *s) {
  for (; *s; s++) h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
  return (h ^ 0xff) * UINT64_C(0x100000001b3);
}

static int cmp_cstr(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ecr_relevant(const cJSON *st) {
  if (cJSON_GetObjectItemCaseSensitive(st, "NotAction")) return true;
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(st, "Action"), *it;
  if (cJSON_IsString(a))
    return strcmp(a->valuestring, "*") == 0 || strncasecmp(a->valuestring, "ecr:", 4) == 0;
  cJSON_ArrayForEach(it, a) if (cJSON_IsString(it) &&
                                (strcmp(it->valuestring, "*") == 0 ||
                                 strncasecmp(it->valuestring, "ecr:", 4) == 0)) return true;
  return false;
}

static uint64_t principal_sig(gen *g, const cJSON *o, const char *inline_key, const char *var_group,
                              const char *username) {
  char **v = NULL;
  size_t n = 0;
#define PUSHF(...)                                                                                 \
  do {                                                                                             \
    v = gen_xrealloc(v, (n + 1) * sizeof *v);                                                      \
    v[n++] = gen_xasprintf(__VA_ARGS__);                                                           \
  } while (0)
  const cJSON *it, *st;
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "GroupList")) {
    PUSHF("g:%s", it->valuestring);
    if (var_group && username && strcmp(it->valuestring, var_group) == 0) PUSHF("u:%s", username);
  }
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, "AttachedManagedPolicies"))
      PUSHF("m:%s", cJSON_GetObjectItemCaseSensitive(it, "PolicyArn")->valuestring);
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, "PermissionsBoundary");
  if (b) PUSHF("b:%s", cJSON_GetObjectItemCaseSensitive(b, "PermissionsBoundaryArn")->valuestring);
  cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(o, inline_key)) {
    cJSON_ArrayForEach(
        st, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(it, "PolicyDocument"),
                                             "Statement")) {
      if (!ecr_relevant(st)) continue;
      char *txt = gen_json_compact(st);
      PUSHF("i:%s", txt);
      free(txt);
    }
  }
#undef PUSHF
  qsort(v, n, sizeof *v, cmp_cstr);
  uint64_t h = UINT64_C(0xcbf29ce484222325);
  for (size_t i = 0; i < n; i++) {
    h = fnv(h, v[i]);
    free(v[i]);
  }
  free(v);
  (void)g;
  return h;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static size_t count_distinct(uint64_t *h, size_t n) {
  qsort(h, n, sizeof *h, cmp_u64);
  size_t d = 0;
  for (size_t i = 0; i < n; i++) d += i == 0 || h[i] != h[i - 1];
  return d;
}

static void print_signatures(const gen *g) {
  bool bp = g->c.profile == PROFILE_BROAD;
  size_t n = g->c.users + g->c.roles, nb = 0;
  uint64_t *all = gen_xcalloc(n ? n : 1, sizeof *all), *br = gen_xcalloc(n ? n : 1, sizeof *br);
  for (size_t i = 0; i < g->c.users; i++) {
    const uplan *u = &g->users[i];
    uint64_t h = u->named ? fnv(u->sig, u->name) : u->sig;
    all[i] = h;
    if (u->broad) br[nb++] = h;
  }
  for (size_t i = 0; i < g->c.roles; i++) {
    const rplan *p = &g->roles[i];
    uint64_t h = p->named ? fnv(p->sig, p->name) : p->sig;
    all[g->c.users + i] = h;
    if (p->broad) br[nb++] = h;
  }
  size_t da = count_distinct(all, n), db = count_distinct(br, nb);
  fprintf(stderr,
          "  distinct access signatures (estimate): %zu of %zu principals; %zu of the %zu %s\n", da,
          n, db, nb, bp ? "with write on most repositories" : "with access on every repository");
  free(all);
  free(br);
}

static void print_stats(const gen *g) {
  fprintf(stderr,
          "ecraudit-gen: %zu users, %zu roles, %zu groups, %zu customer managed policies, "
          "%zu repositories in %zu regions\n",
          g->c.users, g->c.roles, g->n_groups, g->c.policies, g->c.repos, g->c.regions);
  bool bp = g->c.profile == PROFILE_BROAD;
  fprintf(stderr, "  profile: %s\n  users by persona:", bp ? "broad" : "rare");
  for (int i = 0; i < (bp ? U_ALL : U_COUNT); i++)
    fprintf(stderr, " %s=%zu", (bp ? BROAD_USER_PERSONAS : USER_PERSONAS)[i].name,
            g->persona_count_u[i]);
  fprintf(stderr, "\n  roles by persona:");
  for (int i = 0; i < (bp ? R_ALL : R_COUNT); i++)
    fprintf(stderr, " %s=%zu", (bp ? BROAD_ROLE_PERSONAS : ROLE_PERSONAS)[i].name,
            g->persona_count_r[i]);
  size_t n = g->c.users + g->c.roles;
  fprintf(stderr, "\n  principals with %s: %zu users + %zu roles = %.1f%%\n",
          bp ? "write on most repositories" : "ECR access on every repository", g->broad_users,
          g->broad_roles, n ? 100.0 * (double)(g->broad_users + g->broad_roles) / (double)n : 0.0);
  size_t prod = 0, plat = 0;
  for (size_t i = 0; i < g->c.repos; i++) {
    prod += strncmp(g->repos[i].name, POL_PROD_PREFIX, strlen(POL_PROD_PREFIX)) == 0;
    plat += strncmp(g->repos[i].name, POL_PLATFORM_PREFIX, strlen(POL_PLATFORM_PREFIX)) == 0;
  }
  size_t with_pol = 0;
  for (int i = 0; i < 8; i++) with_pol += g->repo_policies_by_shape[i];
  fprintf(stderr,
          "  repositories: %zu " POL_PROD_PREFIX "*, %zu " POL_PLATFORM_PREFIX
          "*, %zu with a repository policy (%.0f%%)\n",
          prod, plat, with_pol, g->c.repos ? 100.0 * (double)with_pol / (double)g->c.repos : 0.0);
  print_signatures(g);
  static const char *const shapes[8] = {"cross-account",   "service",     "role-push",
                                        "org-conditional", "public",      "deny-delete",
                                        "user-direct",     "account-root"};
  fprintf(stderr, "  repository policies:");
  for (int i = 0; i < 8; i++) fprintf(stderr, " %s=%zu", shapes[i], g->repo_policies_by_shape[i]);
  fputc('\n', stderr);
}

/* Everything the plan holds (so LeakSanitizer builds stay quiet). */
static void gen_free(gen *g) {
  for (size_t i = 0; i < g->n_mp; i++) {
    free(g->mp[i].name);
    free(g->mp[i].path);
    free(g->mp[i].arn);
    free(g->mp[i].id);
  }
  free(g->mp);
  for (int k = 0; k < CK_COUNT; k++) free(g->by_kind[k]);
  for (size_t i = 0; i < g->c.users && g->users; i++) free(g->users[i].name);
  free(g->users);
  for (size_t i = 0; i < g->c.roles && g->roles; i++) {
    free(g->roles[i].name);
    free(g->roles[i].path);
  }
  free(g->roles);
  for (size_t i = 0; i < g->n_groups; i++) {
    free(g->groups[i].name);
    free(g->groups[i].attached);
  }
  free(g->groups);
  for (size_t i = 0; i < g->c.repos && g->repos; i++) free(g->repos[i].name);
  free(g->repos);
  free(g->team_ci_role);
  for (size_t i = 0; i < g->n_files; i++) free(g->files[i].path);
  free(g->files);
  for (size_t i = 0; i < g->n_teams; i++) free(g->teams_store[i]);
}

/* ---- main ------------------------------------------------------------------ */
static void usage(FILE *fp) {
  fputs("usage: ecraudit-gen --out DIR [--users N] [--roles N] [--groups N] [--policies N]\n"
        "                    [--repos N] [--regions N] [--repo-policy-share F] [--scp-levels N]\n"
        "                    [--seed S] [--account ID] [--broad-scale F] [--profile rare|broad]\n"
        "                    [--no-manifest] [--stats] [--force] [--org N]\n"
        "Writes a deterministic synthetic evidence bundle (DESIGN.md layout).\n"
        "Defaults: 60 users, 90 roles, 12 groups, 80 policies, 40 repos, 2 regions,\n"
        "          share 0.25 (0.40 with --profile broad), 3 SCP levels, seed 1,\n"
        "          account 111122223333, broad scale 1.0, profile rare.\n"
        "--profile rare:  few principals with ECR access on every repository (issue 9).\n"
        "--profile broad: most principals write to most repositories (admin, PowerUser,\n"
        "                 ecr:* on *, NotAction), Deny carve-outs on prod-* and platform/*.\n"
        "--org N:         an organisation of N accounts (DESIGN \"Organisation evidence\n"
        "                 (layout)\"): DIR/organization/ and DIR/accounts/<id>/, mixed sizes\n"
        "                 around the options above, SCPs and RCPs per OU, cross-account\n"
        "                 repository policies between the members (bench/README.md).\n",
        fp);
}

static size_t parse_size(const char *opt, const char *s, size_t max) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || end == s || s[0] == '-' || v > max)
    gen_die("--%s: expected an integer 0..%zu, got '%s'", opt, max, s);
  return (size_t)v;
}

static double parse_double(const char *opt, const char *s, double max) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || *end || end == s || !(v >= 0.0 && v <= max))
    gen_die("--%s: expected a number 0..%g, got '%s'", opt, max, s);
  return v;
}

static bool dir_is_empty_or_absent(const char *path) {
  char *probe = gen_xasprintf("%s/manifest.json", path);
  char *probe2 = gen_xasprintf("%s/iam", path);
  FILE *fp = fopen(probe, "r");
  FILE *fp2 = fopen(probe2, "r");
  bool ok = !fp && !fp2;
  if (fp) fclose(fp);
  if (fp2) fclose(fp2);
  free(probe);
  free(probe2);
  return ok;
}

/* One bundle of g->c (g zeroed but for c, org and org_index); external:
 * the six accounts its cross-account grants name (NULL: the defaults). */
static void generate(gen *g, const char *const *external) {
  static const char *const ext[6] = {
      "arn:aws:iam::222233334444:root", "arn:aws:iam::555566667777:root",
      "arn:aws:iam::888899990000:root", "arn:aws:iam::123456789012:root",
      "arn:aws:iam::210987654321:root", "arn:aws:iam::999988887777:root"};
  /* Bare 12-digit ids for the bare-id spelling (index 3..5 -> digits only). */
  static const char *const ext_ids[6] = {"222233334444", "555566667777", "888899990000",
                                         "123456789012", "210987654321", "999988887777"};
  for (int i = 0; i < 6; i++) g->external[i] = i < 3 ? ext[i] : ext_ids[i];
  static const char *const ext_accounts[3] = {"222233334444", "555566667777", "888899990000"};
  const char *const *accounts3 = ext_accounts;
  if (external) { /* --org: the other member accounts */
    for (int i = 0; i < 6; i++) g->external[i] = external[i];
    accounts3 = external + 6;
  }
  plan_teams(g);
  g->pc.account = g->c.account;
  g->pc.regions = ALL_REGIONS;
  g->pc.n_regions = g->c.regions;
  g->pc.teams = (const char *const *)g->teams_store;
  g->pc.n_teams = g->n_teams;
  g->pc.external = accounts3;

  if (gen_mkdirs(g->c.out) != 0) gen_die("%s: %s", g->c.out, strerror(errno));
  plan_policies(g);
  plan_principals(g);
  plan_groups(g);
  if (g->c.profile == PROFILE_BROAD)
    plan_repos_broad(g);
  else
    plan_repos(g);
  write_sts(g);
  write_iam(g);
  write_ecr(g);
  if (g->org)
    gen_org_write_account(g->org, g->org_index, g); /* SCPs, RCPs, the seeded grant */
  else
    write_scps(g);
  if (g->c.manifest) write_manifest(g);
  if (g->c.stats) print_stats(g);
  gen_free(g);
}

/* --org N: every account's bundle (sizes scaled from base), then
 * DIR/organization/ (org.c). */
static void generate_org(const cfg *base, size_t n, bool force) {
  char *probe = gen_xasprintf("%s/organization/manifest.json", base->out);
  FILE *fp = fopen(probe, "r");
  if (fp) fclose(fp);
  free(probe);
  if (fp && !force)
    gen_die("%s already holds an organisation (use a new directory, or --force to write over it)",
            base->out);
  gen_org *org = gen_org_new(base->out, n, base->seed);
  for (size_t k = 0; k < n; k++) {
    gen g;
    memset(&g, 0, sizeof g);
    g.c = *base;
    unsigned pm = gen_org_scale_permille(org, k);
#define SCALE(x) ((x) ? ((x)*pm + 999) / 1000 : 0)
    g.c.users = SCALE(base->users);
    g.c.roles = SCALE(base->roles);
    g.c.groups = SCALE(base->groups);
    g.c.policies = SCALE(base->policies);
    g.c.repos = SCALE(base->repos);
#undef SCALE
    g.c.seed = gen_org_seed(org, k);
    g.c.account = gen_org_account(org, k);
    char *dir = gen_org_account_dir(org, k);
    g.c.out = dir;
    g.c.manifest = true;
    g.org = org;
    g.org_index = k;
    generate(&g, gen_org_external(org, k));
    free(dir);
  }
  gen_org_write_organization(org);
  gen_org_free(org);
}

int main(int argc, char **argv) {
  gen g;
  memset(&g, 0, sizeof g);
  g.c = (cfg){.users = 60,
              .roles = 90,
              .groups = 12,
              .policies = 80,
              .repos = 40,
              .regions = 2,
              .repo_policy_ppm = 250000,
              .scp_levels = 3,
              .seed = 1,
              .broad_scale = 1.0,
              .account = "111122223333",
              .manifest = true};
  bool force = false, account_given = false;
  size_t org_n = 0;
  static const struct option opts[] = {{"org", required_argument, NULL, 'O'},
                                       {"users", required_argument, NULL, 'u'},
                                       {"roles", required_argument, NULL, 'r'},
                                       {"groups", required_argument, NULL, 'g'},
                                       {"policies", required_argument, NULL, 'p'},
                                       {"repos", required_argument, NULL, 'R'},
                                       {"regions", required_argument, NULL, 'G'},
                                       {"repo-policy-share", required_argument, NULL, 'F'},
                                       {"scp-levels", required_argument, NULL, 'L'},
                                       {"seed", required_argument, NULL, 's'},
                                       {"out", required_argument, NULL, 'o'},
                                       {"account", required_argument, NULL, 'a'},
                                       {"broad-scale", required_argument, NULL, 'B'},
                                       {"no-manifest", no_argument, NULL, 'M'},
                                       {"stats", no_argument, NULL, 'S'},
                                       {"force", no_argument, NULL, 'f'},
                                       {"profile", required_argument, NULL, 'P'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
  int ch;
  while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
    switch (ch) {
    case 'u': g.c.users = parse_size("users", optarg, 1000000); break;
    case 'r': g.c.roles = parse_size("roles", optarg, 1000000); break;
    case 'g': g.c.groups = parse_size("groups", optarg, 100000); break;
    case 'p': g.c.policies = parse_size("policies", optarg, 1000000); break;
    case 'R': g.c.repos = parse_size("repos", optarg, 1000000); break;
    case 'G': g.c.regions = parse_size("regions", optarg, N_ALL_REGIONS); break;
    case 'F':
      g.c.repo_policy_ppm = (uint32_t)(parse_double("repo-policy-share", optarg, 1.0) * 1e6 + 0.5);
      g.c.share_given = true;
      break;
    case 'P':
      if (strcmp(optarg, "rare") == 0)
        g.c.profile = PROFILE_RARE;
      else if (strcmp(optarg, "broad") == 0)
        g.c.profile = PROFILE_BROAD;
      else
        gen_die("--profile: expected rare or broad, got '%s'", optarg);
      break;
    case 'L': g.c.scp_levels = (unsigned)parse_size("scp-levels", optarg, 8); break;
    case 's': g.c.seed = (uint64_t)parse_size("seed", optarg, SIZE_MAX); break;
    case 'o': g.c.out = optarg; break;
    case 'a':
      g.c.account = optarg;
      account_given = true;
      break;
    case 'O':
      org_n = parse_size("org", optarg, 10000);
      if (org_n == 0) gen_die("--org: at least 1 account");
      break;
    case 'B': g.c.broad_scale = parse_double("broad-scale", optarg, 20.0); break;
    case 'M': g.c.manifest = false; break;
    case 'S': g.c.stats = true; break;
    case 'f': force = true; break;
    case 'h': usage(stdout); return 0;
    default: usage(stderr); return 2;
    }
  }
  if (optind != argc) gen_die("unexpected argument '%s'", argv[optind]);
  if (g.c.profile == PROFILE_BROAD && !g.c.share_given) g.c.repo_policy_ppm = 400000;
  if (!g.c.out) {
    usage(stderr);
    return 2;
  }
  if (strlen(g.c.account) != 12 || strspn(g.c.account, "0123456789") != 12)
    gen_die("--account: expected 12 digits, got '%s'", g.c.account);
  if (g.c.regions == 0) gen_die("--regions: at least 1");
  if (!org_n && !force && !dir_is_empty_or_absent(g.c.out))
    gen_die("%s already holds a bundle (use a new directory, or --force to write over it)",
            g.c.out);

  if (org_n) {
    if (g.c.stats) gen_die("--stats applies to one account, not --org");
    if (account_given) gen_die("--org numbers the accounts itself: no --account");
    generate_org(&g.c, org_n, force);
    return 0;
  }
  generate(&g, NULL);
  return 0;
}
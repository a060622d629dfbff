/* ecraudit-gen --org N: an organisation (DESIGN "Organisation evidence
 * (layout)"), as `ecraudit collect --org --role-name` writes it:
 *
 *   DIR/organization/  organization.json, accounts.json, <id>-scps.json and
 *                      <id>-rcps.json per account, account-ids.txt, manifest.json
 *   DIR/accounts/<id>/ one bundle per account (gen.c's generator), its
 *                      organizations/ files those of the organisation
 *
 * Accounts: 100000001001 + 1001 k (k = 0..N-1, sorted as account-ids.txt);
 * account 1 (k = 0) is the management account, under the root; the others
 * are spread over three OUs (prod, dev, sandbox: k % 3). Sizes are mixed:
 * per account a seeded factor of the options' counts (1/4, 1 or 5/2; the
 * management account 1/4). Each account's cross-account grants name the
 * three following member accounts instead of outside ones.
 *
 * SCPs per level: root FullAWSAccess + deny-leave-organization; prod and dev
 * FullAWSAccess + protect-container-images (no repository deletes or policy
 * changes but by admin roles); sandbox FullAWSAccess + no-replication (ECR
 * replication and pull-through cache configuration denied); account
 * FullAWSAccess. RCPs: root RCPFullAWSAccess + the organisation perimeter
 * (ecr:* denied to principals outside o-a1b2c3d4e5, AWS services excepted);
 * prod RCPFullAWSAccess + deny ecr:DeleteRepository; others RCPFullAWSAccess.
 *
 * The seeded cross-account grant (N >= 3), for the organisation report's
 * "decided on both sides": account 2 (k = 1) owns repository
 * org-shared/base-images (first region) whose policy allows
 * arn:aws:iam::<account 3>:role/org-ci-pusher to push; account 3 (k = 2) has
 * that role, trusted by its own account, with an inline policy allowing the
 * push on account 2's org-shared/ repositories. No SCP or RCP denies it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"
#include "policies.h"

#define ORG_ID "o-a1b2c3d4e5"
#define ORG_GRANTOR 1
#define ORG_GRANTEE 2
#define ORG_GRANT_REPO "org-shared/base-images"
#define ORG_GRANT_ROLE "org-ci-pusher"

struct gen_org {
  char *out;
  size_t n;
  uint64_t seed;
  char (*ids)[13];
  char root[16], ou[3][32];
  char *ext[9]; /* per call of gen_org_external: the current account's */
  char ext_store[9][48];
};

static const char *const OU_NAMES[3] = {"prod", "dev", "sandbox"};

gen_org *gen_org_new(const char *out, size_t n, uint64_t seed) {
  gen_org *o = gen_xcalloc(1, sizeof *o);
  o->out = gen_xstrdup(out);
  o->n = n;
  o->seed = seed;
  o->ids = gen_xcalloc(n, sizeof *o->ids);
  for (size_t k = 0; k < n; k++)
    snprintf(o->ids[k], sizeof o->ids[k], "%012" PRIu64,
             UINT64_C(100000001001) + UINT64_C(1001) * (uint64_t)k);
  gen_rng r = gen_rng_derive(seed, 40, 0);
  unsigned root = (unsigned)(gen_rng_next(&r) & 0xffff);
  snprintf(o->root, sizeof o->root, "r-%04x", root);
  for (int i = 0; i < 3; i++)
    snprintf(o->ou[i], sizeof o->ou[i], "ou-%04x-%08" PRIx64, root, gen_rng_next(&r) & 0xffffffffu);
  return o;
}

void gen_org_free(gen_org *o) {
  if (!o) return;
  free(o->ids);
  free(o->out);
  free(o);
}

const char *gen_org_account(const gen_org *o, size_t k) {
  return o->ids[k];
}

char *gen_org_account_dir(const gen_org *o, size_t k) {
  return gen_xasprintf("%s/accounts/%s", o->out, o->ids[k]);
}

unsigned gen_org_scale_permille(const gen_org *o, size_t k) {
  static const unsigned scales[3] = {250, 1000, 2500};
  if (k == 0) return 250;
  gen_rng r = gen_rng_derive(o->seed, 41, k);
  return scales[gen_rng_below(&r, 3)];
}

uint64_t gen_org_seed(const gen_org *o, size_t k) {
  return o->seed * UINT64_C(1000003) + (uint64_t)k + 1;
}

const char *const *gen_org_external(gen_org *o, size_t k) {
  for (int i = 0; i < 3; i++) {
    const char *id = o->ids[(k + 1 + (size_t)i) % o->n];
    snprintf(o->ext_store[i], sizeof o->ext_store[i], "arn:aws:iam::%s:root", id);
    snprintf(o->ext_store[3 + i], sizeof o->ext_store[3 + i], "%s", id);
    snprintf(o->ext_store[6 + i], sizeof o->ext_store[6 + i], "%s", id);
  }
  for (int i = 0; i < 9; i++) o->ext[i] = o->ext_store[i];
  return (const char *const *)o->ext;
}

/* ---- the organisation's documents ------------------------------------------- */

static cJSON *allow_all(bool rcp) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, NULL, false);
  if (rcp) gen_add_str(s, "Principal", "*");
  gen_add_str(s, "Action", "*");
  gen_add_str(s, "Resource", "*");
  return d;
}

static cJSON *deny(const char *sid, cJSON *actions, bool rcp) {
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, sid, true);
  if (rcp) gen_add_str(s, "Principal", "*");
  gen_add(s, "Action", actions);
  gen_add_str(s, "Resource", "*");
  return d;
}

static cJSON *level(const char *target, cJSON *policies) {
  cJSON *l = gen_obj();
  gen_add_str(l, "target", target);
  gen_add(l, "policies", policies);
  return l;
}

/* The policies of one target: the root (ou -1), an OU (0..2) or an account (3). */
static cJSON *target_policies(int ou, bool rcp) {
  cJSON *p = gen_arr();
  gen_push(p, gen_policy_entry(rcp ? "p-RCPFullAWSAccess" : "p-FullAWSAccess",
                               rcp ? "RCPFullAWSAccess" : "FullAWSAccess", allow_all(rcp)));
  if (ou == -1 && !rcp) {
    gen_push(p, gen_policy_entry(
                    "p-0rgr00t1", "deny-leave-organization",
                    deny("DenyLeaveOrg", gen_str("organizations:LeaveOrganization"), false)));
  } else if (ou == -1) {
    cJSON *d = pol_doc("2012-10-17");
    cJSON *s = pol_stmt(d, "EnforceOrgIdentities", true);
    gen_add_str(s, "Principal", "*");
    gen_add_str(s, "Action", "ecr:*");
    gen_add_str(s, "Resource", "*");
    cJSON *c = gen_obj(), *ne = gen_obj(), *b = gen_obj();
    gen_add_str(ne, "aws:PrincipalOrgID", ORG_ID);
    gen_add(c, "StringNotEqualsIfExists", ne);
    gen_add_str(b, "aws:PrincipalIsAWSService", "false");
    gen_add(c, "BoolIfExists", b);
    gen_add(s, "Condition", c);
    gen_push(p, gen_policy_entry("p-rcpperim1", "ecr-org-perimeter", d));
  } else if ((ou == 0 || ou == 1) && !rcp) {
    cJSON *d =
        deny("ProtectImages",
             gen_strs("ecr:DeleteRepository", "ecr:BatchDeleteImage", "ecr:SetRepositoryPolicy",
                      "ecr:DeleteRepositoryPolicy", (const char *)NULL),
             false);
    cJSON *s = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(d, "Statement"), 0);
    cJSON *c = gen_obj(), *in = gen_obj();
    gen_add(in, "aws:PrincipalArn", gen_strs("arn:aws:iam::*:role/admin-*", (const char *)NULL));
    gen_add(c, "ArnNotLike", in);
    gen_add(s, "Condition", c);
    gen_push(
        p, gen_policy_entry(ou == 0 ? "p-pr0dpr0t" : "p-devpr0t1", "protect-container-images", d));
  } else if (ou == 2 && !rcp) {
    gen_push(p,
             gen_policy_entry("p-sandb0x1", "no-replication",
                              deny("NoReplication",
                                   gen_strs("ecr:PutReplicationConfiguration",
                                            "ecr:CreatePullThroughCacheRule", (const char *)NULL),
                                   false)));
  } else if (ou == 0 && rcp) {
    gen_push(p,
             gen_policy_entry("p-rcpnodel", "prod-no-repository-delete",
                              deny("NoRepositoryDelete", gen_str("ecr:DeleteRepository"), true)));
  }
  return p;
}

static int ou_of(size_t k) {
  return k == 0 ? -1 : (int)(k % 3);
}

/* The levels of account k, root first. */
static cJSON *account_levels(const gen_org *o, size_t k, bool rcp) {
  cJSON *levels = gen_arr();
  gen_push(levels, level(o->root, target_policies(-1, rcp)));
  int ou = ou_of(k);
  if (ou >= 0) gen_push(levels, level(o->ou[ou], target_policies(ou, rcp)));
  gen_push(levels, level(o->ids[k], target_policies(3, rcp)));
  return levels;
}

static cJSON *organization_doc(const gen_org *o) {
  cJSON *org = gen_obj(), *d = gen_obj();
  gen_add_str(org, "Id", ORG_ID);
  gen_add(org, "Arn", gen_strf("arn:aws:organizations::%s:organization/%s", o->ids[0], ORG_ID));
  gen_add_str(org, "FeatureSet", "ALL");
  gen_add(org, "MasterAccountArn",
          gen_strf("arn:aws:organizations::%s:account/%s/%s", o->ids[0], ORG_ID, o->ids[0]));
  gen_add_str(org, "MasterAccountId", o->ids[0]);
  gen_add_str(org, "MasterAccountEmail", "aws-root@example.com");
  cJSON *types = gen_arr();
  static const char *const kinds[2] = {"SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"};
  for (int i = 0; i < 2; i++) {
    cJSON *t = gen_obj();
    gen_add_str(t, "Type", kinds[i]);
    gen_add_str(t, "Status", "ENABLED");
    gen_push(types, t);
  }
  gen_add(org, "AvailablePolicyTypes", types);
  gen_add(d, "Organization", org);
  return d;
}

static cJSON *accounts_doc(const gen_org *o) {
  cJSON *list = gen_arr();
  for (size_t k = 0; k < o->n; k++) {
    cJSON *a = gen_obj();
    gen_add_str(a, "Id", o->ids[k]);
    gen_add(a, "Arn",
            gen_strf("arn:aws:organizations::%s:account/%s/%s", o->ids[0], ORG_ID, o->ids[k]));
    gen_add(a, "Email", gen_strf("aws+%s@example.com", o->ids[k]));
    gen_add(a, "Name",
            k == 0 ? gen_str("management") : gen_strf("%s-%zu", OU_NAMES[ou_of(k)], k + 1));
    gen_add_str(a, "Status", "ACTIVE");
    gen_add_str(a, "State", "ACTIVE");
    gen_add_str(a, "JoinedMethod", k == 0 ? "CREATED" : "INVITED");
    char when[32];
    gen_time_iam(INT64_C(1483228800) + (int64_t)k * 86400, when);
    gen_add_str(a, "JoinedTimestamp", when);
    gen_push(list, a);
  }
  cJSON *d = gen_obj();
  gen_add(d, "Accounts", list);
  return d;
}

/* ---- the seeded cross-account grant ------------------------------------------- */

static cJSON *read_doc(const char *path) {
  FILE *fp = fopen(path, "rb");
  if (!fp) gen_die("%s: %s", path, strerror(errno));
  char *buf = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len + 65536 > cap) buf = gen_xrealloc(buf, cap = (cap ? cap * 2 : 1 << 20));
    size_t got = fread(buf + len, 1, cap - len, fp);
    len += got;
    if (got == 0) break;
  }
  fclose(fp);
  cJSON *v = cJSON_ParseWithLength(buf, len);
  free(buf);
  if (!v) gen_die("%s: not JSON", path);
  return v;
}

static void rewrite(gen *g, const char *rel, cJSON *doc) {
  char *path = gen_xasprintf("%s/%s", gen_bundle_dir(g), rel);
  FILE *fp = fopen(path, "w");
  if (!fp) gen_die("%s: %s", path, strerror(errno));
  gen_json_print(fp, doc, 0, &GEN_STYLE_CLI);
  fputc('\n', fp);
  if (ferror(fp) | fclose(fp)) gen_die("%s: write failed", path);
  free(path);
  gen_bundle_rehash(g, rel);
}

static cJSON *push_actions(void) {
  return gen_strs("ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload",
                  "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
                  (const char *)NULL);
}

static void grantor_repository(const gen_org *o, gen *g) {
  const char *region = gen_bundle_region(g), *me = o->ids[ORG_GRANTOR];
  char *rel = gen_xasprintf("ecr/%s/repositories.json", region);
  char *path = gen_xasprintf("%s/%s", gen_bundle_dir(g), rel);
  cJSON *repos = read_doc(path);
  free(path);
  cJSON *r = gen_obj();
  gen_add(r, "repositoryArn", gen_strf("arn:aws:ecr:%s:%s:repository/" ORG_GRANT_REPO, region, me));
  gen_add_str(r, "registryId", me);
  gen_add_str(r, "repositoryName", ORG_GRANT_REPO);
  gen_add(r, "repositoryUri", gen_strf("%s.dkr.ecr.%s.amazonaws.com/" ORG_GRANT_REPO, me, region));
  char when[40];
  gen_time_ecr(INT64_C(1600000000), 0, when);
  gen_add_str(r, "createdAt", when);
  gen_add_str(r, "imageTagMutability", "IMMUTABLE");
  cJSON *scan = gen_obj();
  gen_add(scan, "scanOnPush", cJSON_CreateTrue());
  gen_add(r, "imageScanningConfiguration", scan);
  cJSON *enc = gen_obj();
  gen_add_str(enc, "encryptionType", "AES256");
  gen_add(r, "encryptionConfiguration", enc);
  gen_push(cJSON_GetObjectItemCaseSensitive(repos, "repositories"), r);
  rewrite(g, rel, repos);
  cJSON_Delete(repos);
  free(rel);

  rel = gen_xasprintf("ecr/%s/repository-policies.json", region);
  path = gen_xasprintf("%s/%s", gen_bundle_dir(g), rel);
  cJSON *pols = read_doc(path);
  free(path);
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, "OrgCiPush", false);
  cJSON *pr = gen_obj();
  gen_add(pr, "AWS", gen_strf("arn:aws:iam::%s:role/" ORG_GRANT_ROLE, o->ids[ORG_GRANTEE]));
  gen_add(s, "Principal", pr);
  gen_add(s, "Action", push_actions());
  cJSON *e = gen_obj();
  gen_add_str(e, "registryId", me);
  gen_add_str(e, "repositoryName", ORG_GRANT_REPO);
  char *text = gen_json_string(d, &GEN_STYLE_ECR);
  gen_add_str(e, "policyText", text);
  free(text);
  cJSON_Delete(d);
  gen_push(pols, e);
  rewrite(g, rel, pols);
  cJSON_Delete(pols);
  free(rel);
}

static void grantee_role(const gen_org *o, gen *g) {
  const char *me = o->ids[ORG_GRANTEE];
  const char *rel = "iam/account-authorization-details.json";
  char *path = gen_xasprintf("%s/%s", gen_bundle_dir(g), rel);
  cJSON *iam = read_doc(path);
  free(path);
  cJSON *role = gen_obj();
  gen_add_str(role, "Path", "/");
  gen_add_str(role, "RoleName", ORG_GRANT_ROLE);
  gen_add_str(role, "RoleId", "AROAORGCIPUSHER000001");
  gen_add(role, "Arn", gen_strf("arn:aws:iam::%s:role/" ORG_GRANT_ROLE, me));
  char when[32];
  gen_time_iam(INT64_C(1600000000), when);
  gen_add_str(role, "CreateDate", when);
  cJSON *trust = pol_doc("2012-10-17");
  cJSON *ts = pol_stmt(trust, NULL, false);
  cJSON *tp = gen_obj();
  gen_add(tp, "AWS", gen_strf("arn:aws:iam::%s:root", me));
  gen_add(ts, "Principal", tp);
  gen_add_str(ts, "Action", "sts:AssumeRole");
  gen_add(role, "AssumeRolePolicyDocument", trust);
  gen_add(role, "InstanceProfileList", gen_arr());
  cJSON *inl = gen_arr(), *ip = gen_obj();
  gen_add_str(ip, "PolicyName", "push-org-shared");
  cJSON *d = pol_doc("2012-10-17");
  cJSON *s = pol_stmt(d, "PushOrgShared", false);
  gen_add(s, "Action", push_actions());
  gen_add(s, "Resource", gen_strf("arn:aws:ecr:*:%s:repository/org-shared/*", o->ids[ORG_GRANTOR]));
  s = pol_stmt(d, "Token", false);
  gen_add_str(s, "Action", "ecr:GetAuthorizationToken");
  gen_add_str(s, "Resource", "*");
  gen_add(ip, "PolicyDocument", d);
  gen_push(inl, ip);
  gen_add(role, "RolePolicyList", inl);
  gen_add(role, "AttachedManagedPolicies", gen_arr());
  gen_add(role, "Tags", gen_arr());
  gen_add(role, "RoleLastUsed", gen_obj());
  gen_push(cJSON_GetObjectItemCaseSensitive(iam, "RoleDetailList"), role);
  rewrite(g, rel, iam);
  cJSON_Delete(iam);
}

void gen_org_write_account(const gen_org *o, size_t k, gen *g) {
  cJSON *v = organization_doc(o);
  gen_bundle_write_doc(g, "organizations/organization.json", v);
  cJSON_Delete(v);
  v = accounts_doc(o);
  gen_bundle_write_doc(g, "organizations/accounts.json", v);
  cJSON_Delete(v);
  v = account_levels(o, k, false);
  gen_bundle_write_doc(g, "organizations/scps.json", v);
  cJSON_Delete(v);
  v = account_levels(o, k, true);
  gen_bundle_write_doc(g, "organizations/rcps.json", v);
  cJSON_Delete(v);
  if (o->n > ORG_GRANTEE && k == ORG_GRANTOR) grantor_repository(o, g);
  if (o->n > ORG_GRANTEE && k == ORG_GRANTEE) grantee_role(o, g);
}

/* ---- DIR/organization/ ------------------------------------------------------------ */

typedef struct org_file {
  char *name;
  char sha256[65];
  uint64_t size;
} org_file;

static void org_write(const char *dir, const char *name, const cJSON *doc, const char *text,
                      org_file *f) {
  char *path = gen_xasprintf("%s/%s", dir, name);
  FILE *fp = fopen(path, "w");
  if (!fp) gen_die("%s: %s", path, strerror(errno));
  if (doc) {
    gen_json_print(fp, doc, 0, &GEN_STYLE_CLI);
    fputc('\n', fp);
  } else {
    fputs(text, fp);
  }
  if (ferror(fp) | fclose(fp)) gen_die("%s: write failed", path);
  if (f) {
    f->name = gen_xstrdup(name);
    if (gen_sha256_file(path, f->sha256, &f->size) != 0) gen_die("%s: cannot hash", path);
  }
  free(path);
}

static int cmp_org_file(const void *a, const void *b) {
  return strcmp(((const org_file *)a)->name, ((const org_file *)b)->name);
}

void gen_org_write_organization(const gen_org *o) {
  char *dir = gen_xasprintf("%s/organization", o->out);
  if (gen_mkdirs(dir) != 0) gen_die("%s: %s", dir, strerror(errno));
  size_t n_files = 0;
  org_file *files = gen_xcalloc(2 * o->n + 3, sizeof *files);
  cJSON *v = organization_doc(o);
  org_write(dir, "organization.json", v, NULL, &files[n_files++]);
  cJSON_Delete(v);
  v = accounts_doc(o);
  org_write(dir, "accounts.json", v, NULL, &files[n_files++]);
  cJSON_Delete(v);
  size_t list_len = o->n * 13 + 1;
  char *list = gen_xcalloc(list_len, 1);
  for (size_t k = 0; k < o->n; k++) {
    for (int rcp = 0; rcp < 2; rcp++) {
      char *name = gen_xasprintf("%s-%s.json", o->ids[k], rcp ? "rcps" : "scps");
      v = account_levels(o, k, rcp);
      org_write(dir, name, v, NULL, &files[n_files++]);
      cJSON_Delete(v);
      free(name);
    }
    memcpy(list + 13 * k, o->ids[k], 12);
    list[13 * k + 12] = '\n';
  }
  org_write(dir, "account-ids.txt", NULL, list, &files[n_files++]);
  free(list);
  qsort(files, n_files, sizeof *files, cmp_org_file);
  cJSON *m = gen_obj();
  gen_add_str(m, "tool", "ecraudit-gen");
  gen_add_str(m, "account", o->ids[0]);
  gen_add(m, "regions", gen_arr());
  gen_add_str(m, "collected_at", "2026-11-27T12:00:00Z");
  cJSON *params = gen_obj();
  gen_add(params, "accounts", cJSON_CreateNumber((double)o->n));
  gen_add(params, "seed", gen_strf("%" PRIu64, o->seed));
  if (o->n > ORG_GRANTEE) {
    cJSON *grant = gen_obj();
    gen_add(grant, "repository",
            gen_strf("arn:aws:ecr:*:%s:repository/" ORG_GRANT_REPO, o->ids[ORG_GRANTOR]));
    gen_add(grant, "principal",
            gen_strf("arn:aws:iam::%s:role/" ORG_GRANT_ROLE, o->ids[ORG_GRANTEE]));
    gen_add_str(grant, "actions", "push");
    gen_add(params, "seeded_cross_account_grant", grant);
  }
  gen_add(m, "synthetic", params);
  cJSON *fl = gen_arr();
  for (size_t i = 0; i < n_files; i++) {
    cJSON *f = gen_obj();
    gen_add_str(f, "path", files[i].name);
    gen_add_str(f, "sha256", files[i].sha256);
    gen_add(f, "size", cJSON_CreateNumber((double)files[i].size));
    gen_push(fl, f);
    free(files[i].name);
  }
  free(files);
  gen_add(m, "files", fl);
  gen_add(m, "gaps", gen_arr());
  org_write(dir, "manifest.json", m, NULL, NULL);
  cJSON_Delete(m);
  free(dir);
}

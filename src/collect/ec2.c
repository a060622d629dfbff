/* ec2:DescribeRegions for `--region all`: the regions enabled for the
 * account (without AllRegions, EC2 lists the regions that need no opt-in and
 * those the account opted into). Query protocol, XML. */
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "collect/aws.h"

#define EC2_VERSION "2016-11-15"

static void region_names(xmlNodePtr n, char ***out, size_t *count, size_t *cap) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (xmlStrcmp(n->name, BAD_CAST "regionName") == 0) {
      xmlChar *s = xmlNodeGetContent(n);
      if (s && *s) ECR_PUSH(*out, *count, *cap, ecr_xstrdup((const char *)s));
      xmlFree(s);
      continue;
    }
    region_names(n->children, out, count, cap);
  }
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

ecr_status ecr_ec2_describe_regions(ecr_aws_client *c, const char *region, char ***out, size_t *n,
                                    ecr_error *err) {
  ecr_aws_response resp;
  ecr_aws_response_init(&resp);
  *out = NULL;
  *n = 0;
  size_t cap = 0;
  ecr_status st = ecr_aws_query(c, "ec2", region, EC2_VERSION, "DescribeRegions", NULL, &resp, err);
  if (st == ECR_OK) {
    xmlDocPtr doc = xmlReadMemory(resp.body.data, (int)resp.body.len, "ec2.xml", NULL,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc) region_names(xmlDocGetRootElement(doc), out, n, &cap);
    if (doc) xmlFreeDoc(doc);
    if (*n == 0)
      st = ecr_error_set(err, ECR_E_COLLECT, NULL,
                         "ec2:DescribeRegions: the response lists no region");
    else
      qsort(*out, *n, sizeof(char *), cmp_str);
  }
  ecr_aws_response_cleanup(&resp);
  return st;
}

/* Collector wire formats: IAM XML pages -> CLI JSON, the CLI's JSON layout,
 * timestamps, retry classification, endpoints. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "collect/aws.h"
#include "util/util.h"

static const char *PAGE1 =
    "<?xml version=\"1.0\"?>\n"
    "<GetAccountAuthorizationDetailsResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">"
    "<GetAccountAuthorizationDetailsResult>"
    "<IsTruncated>true</IsTruncated><Marker>m&amp;1</Marker>"
    "<UserDetailList><member><Path>/</Path><UserName>alice</UserName>"
    "<Arn>arn:aws:iam::111122223333:user/alice</Arn>"
    "<CreateDate>2023-01-05T10:00:00Z</CreateDate>"
    "<UserPolicyList><member><PolicyName>p</PolicyName>"
    "<PolicyDocument>%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%7B%22Effect%22"
    "%3A%22Allow%22%2C%22Action%22%3A%22ecr%3APutImage%22%2C%22Resource%22%3A%22a+b%22%7D%7D"
    "</PolicyDocument></member></UserPolicyList>"
    "<GroupList><member>devs</member><member>ops</member></GroupList>"
    "<AttachedManagedPolicies/>"
    "</member></UserDetailList>"
    "<GroupDetailList/>"
    "</GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>";

static const char *PAGE2 =
    "<GetAccountAuthorizationDetailsResponse><GetAccountAuthorizationDetailsResult>"
    "<IsTruncated>false</IsTruncated>"
    "<RoleDetailList><member><RoleName>r</RoleName><RoleLastUsed/>"
    "<AssumeRolePolicyDocument>%7B%7D</AssumeRolePolicyDocument>"
    "<MaxSessionDuration>3600</MaxSessionDuration></member></RoleDetailList>"
    "<Policies><member><PolicyName>pol</PolicyName><AttachmentCount>2</AttachmentCount>"
    "<IsAttachable>true</IsAttachable><UpdateDate>2023-06-01T00:00:00.120Z</UpdateDate>"
    "<PolicyVersionList><member><Document>not%20json</Document>"
    "<IsDefaultVersion>false</IsDefaultVersion></member></PolicyVersionList>"
    "</member></Policies>"
    "</GetAccountAuthorizationDetailsResult></GetAccountAuthorizationDetailsResponse>";

static void test_iam_pages(void **state) {
  (void)state;
  cJSON *acc = cJSON_CreateObject();
  char *marker = NULL;
  ecr_error err;
  assert_int_equal(ecr_iam_parse_page(PAGE1, strlen(PAGE1), acc, &marker, &err), ECR_OK);
  assert_string_equal(marker, "m&1");
  free(marker);
  assert_int_equal(ecr_iam_parse_page(PAGE2, strlen(PAGE2), acc, &marker, &err), ECR_OK);
  assert_null(marker);
  char *text = ecr_json_print_cli(acc);
  const char *want = "{\n"
                     "    \"UserDetailList\": [\n"
                     "        {\n"
                     "            \"Path\": \"/\",\n"
                     "            \"UserName\": \"alice\",\n"
                     "            \"Arn\": \"arn:aws:iam::111122223333:user/alice\",\n"
                     "            \"CreateDate\": \"2023-01-05T10:00:00+00:00\",\n"
                     "            \"UserPolicyList\": [\n"
                     "                {\n"
                     "                    \"PolicyName\": \"p\",\n"
                     "                    \"PolicyDocument\": {\n"
                     "                        \"Version\": \"2012-10-17\",\n"
                     "                        \"Statement\": {\n"
                     "                            \"Effect\": \"Allow\",\n"
                     "                            \"Action\": \"ecr:PutImage\",\n"
                     "                            \"Resource\": \"a+b\"\n"
                     "                        }\n"
                     "                    }\n"
                     "                }\n"
                     "            ],\n"
                     "            \"GroupList\": [\n"
                     "                \"devs\",\n"
                     "                \"ops\"\n"
                     "            ],\n"
                     "            \"AttachedManagedPolicies\": []\n"
                     "        }\n"
                     "    ],\n"
                     "    \"GroupDetailList\": [],\n"
                     "    \"RoleDetailList\": [\n"
                     "        {\n"
                     "            \"RoleName\": \"r\",\n"
                     "            \"RoleLastUsed\": {},\n"
                     "            \"AssumeRolePolicyDocument\": {},\n"
                     "            \"MaxSessionDuration\": 3600\n"
                     "        }\n"
                     "    ],\n"
                     "    \"Policies\": [\n"
                     "        {\n"
                     "            \"PolicyName\": \"pol\",\n"
                     "            \"AttachmentCount\": 2,\n"
                     "            \"IsAttachable\": true,\n"
                     "            \"UpdateDate\": \"2023-06-01T00:00:00.120000+00:00\",\n"
                     "            \"PolicyVersionList\": [\n"
                     "                {\n"
                     "                    \"Document\": \"not json\",\n"
                     "                    \"IsDefaultVersion\": false\n"
                     "                }\n"
                     "            ]\n"
                     "        }\n"
                     "    ]\n"
                     "}\n";
  assert_string_equal(text, want);
  free(text);
  cJSON_Delete(acc);
}

static void test_iam_bad_pages(void **state) {
  (void)state;
  cJSON *acc = cJSON_CreateObject();
  char *marker = NULL;
  ecr_error err;
  assert_int_equal(ecr_iam_parse_page("<x/>", 4, acc, &marker, &err), ECR_E_COLLECT);
  assert_int_equal(ecr_iam_parse_page("not xml", 7, acc, &marker, &err), ECR_E_COLLECT);
  const char *trunc_no_marker =
      "<R><GetAccountAuthorizationDetailsResult><IsTruncated>true</IsTruncated>"
      "</GetAccountAuthorizationDetailsResult></R>";
  assert_int_equal(ecr_iam_parse_page(trunc_no_marker, strlen(trunc_no_marker), acc, &marker, &err),
                   ECR_E_COLLECT);
  assert_null(marker);
  cJSON_Delete(acc);
}

static void test_json_print_cli(void **state) {
  (void)state;
  cJSON *v = cJSON_Parse("{\"a\":\"x\\\"\\\\\\n\\u0001\xc3\xa9\",\"n\":1.5,\"i\":-3,\"z\":null,"
                         "\"e\":{},\"l\":[true]}");
  char *t = ecr_json_print_cli(v);
  assert_string_equal(t, "{\n    \"a\": \"x\\\"\\\\\\n\\u0001\xc3\xa9\",\n    \"n\": 1.5,\n"
                         "    \"i\": -3,\n    \"z\": null,\n    \"e\": {},\n    \"l\": [\n"
                         "        true\n    ]\n}\n");
  free(t);
  cJSON_Delete(v);
}

static void test_times(void **state) {
  (void)state;
  char *s = ecr_aws_time_from_epoch(1546300800.0);
  assert_string_equal(s, "2019-01-01T00:00:00+00:00");
  free(s);
  s = ecr_aws_time_from_epoch(1546300800.25);
  assert_string_equal(s, "2019-01-01T00:00:00.250000+00:00");
  free(s);
  s = ecr_aws_time_from_iso("2019-01-01T00:00:00.000Z");
  assert_string_equal(s, "2019-01-01T00:00:00+00:00");
  free(s);
  s = ecr_aws_time_from_iso("2019-01-01T00:00:00+02:00");
  assert_string_equal(s, "2019-01-01T00:00:00+02:00");
  free(s);
}

static void test_retryable(void **state) {
  (void)state;
  assert_true(ecr_aws_retryable(400, "Throttling"));
  assert_true(ecr_aws_retryable(400, "ThrottlingException"));
  assert_true(ecr_aws_retryable(400, "TooManyRequestsException"));
  assert_true(ecr_aws_retryable(503, "RequestLimitExceeded"));
  assert_true(ecr_aws_retryable(429, NULL));
  assert_true(ecr_aws_retryable(500, "Whatever"));
  assert_false(ecr_aws_retryable(400, "AccessDeniedException"));
  assert_false(ecr_aws_retryable(403, "AccessDenied"));
  assert_false(ecr_aws_retryable(400, "RepositoryPolicyNotFoundException"));
}

static void test_endpoints(void **state) {
  (void)state;
  char *url;
  const char *region;
  ecr_aws_endpoint("iam", "eu-west-1", &url, &region);
  assert_string_equal(url, "https://iam.amazonaws.com");
  assert_string_equal(region, "us-east-1");
  free(url);
  ecr_aws_endpoint("ecr", "eu-west-1", &url, &region);
  assert_string_equal(url, "https://api.ecr.eu-west-1.amazonaws.com");
  assert_string_equal(region, "eu-west-1");
  free(url);
  ecr_aws_endpoint("sts", "cn-north-1", &url, &region);
  assert_string_equal(url, "https://sts.cn-north-1.amazonaws.com.cn");
  free(url);
  ecr_aws_endpoint("iam", "us-gov-west-1", &url, &region);
  assert_string_equal(url, "https://iam.us-gov.amazonaws.com");
  assert_string_equal(region, "us-gov-west-1");
  free(url);
  ecr_aws_endpoint("organizations", "ap-south-1", &url, &region);
  assert_string_equal(url, "https://organizations.us-east-1.amazonaws.com");
  assert_string_equal(region, "us-east-1");
  free(url);
  /* EKS is regional and signed for its region */
  ecr_aws_endpoint("eks", "eu-central-1", &url, &region);
  assert_string_equal(url, "https://eks.eu-central-1.amazonaws.com");
  assert_string_equal(region, "eu-central-1");
  free(url);
  ecr_aws_endpoint("eks", "cn-northwest-1", &url, &region);
  assert_string_equal(url, "https://eks.cn-northwest-1.amazonaws.com.cn");
  free(url);
}

static void test_unquote_keeps_plus(void **state) {
  (void)state;
  char *s = ecr_url_decode("a+b%20c%2Bd%zz%");
  assert_string_equal(s, "a+b c+d%zz%");
  free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_iam_pages),          cmocka_unit_test(test_iam_bad_pages),
      cmocka_unit_test(test_json_print_cli),     cmocka_unit_test(test_times),
      cmocka_unit_test(test_retryable),          cmocka_unit_test(test_endpoints),
      cmocka_unit_test(test_unquote_keeps_plus),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}

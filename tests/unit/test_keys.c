/* The key retention service's pure parts (sentry/kernel/keys.c): Linux's
 * permission rule (owner, group or other byte, plus the possessor byte
 * when the key is possessed; root gets nothing extra) and the text
 * KEYCTL_DESCRIBE gives. */
#include <check.h>

#include "tests/check-run.h"
#include <string.h>

#include "sentry/kernel/keys.h"

START_TEST(owner_group_other_bytes)
{
	gid_t groups[] = {50, 60};
	struct key_asker owner = {1000, 100, NULL, 0};
	struct key_asker member = {2000, 100, NULL, 0};
	struct key_asker supp = {2000, 7, groups, 2};
	struct key_asker other = {3000, 300, NULL, 0};
	struct key_asker root = {0, 0, NULL, 0};
	/* Possessor all, owner view+read, group view, other nothing. */
	uint32_t perm = 0x3f030100;
	ck_assert(key_perm_allows(perm, 1000, 100, &owner, false, KEYP_READ));
	ck_assert(!key_perm_allows(perm, 1000, 100, &owner, false, KEYP_WRITE));
	ck_assert(key_perm_allows(perm, 1000, 100, &member, false, KEYP_VIEW));
	ck_assert(!key_perm_allows(perm, 1000, 100, &member, false, KEYP_READ));
	ck_assert(key_perm_allows(perm, 1000, 60, &supp, false, KEYP_VIEW));
	ck_assert(!key_perm_allows(perm, 1000, 100, &other, false, KEYP_VIEW));
	ck_assert(!key_perm_allows(perm, 1000, 100, &root, false, KEYP_VIEW));
	/* The owner byte is used even when the group byte would give more. */
	ck_assert(!key_perm_allows(0x00000300, 1000, 100, &owner, false, KEYP_VIEW));
	/* No group (user keyrings): the other byte. */
	ck_assert(key_perm_allows(0x00000001, 1000, (gid_t)-1, &member, false, KEYP_VIEW));
}
END_TEST

START_TEST(possessor_byte_adds)
{
	struct key_asker other = {3000, 300, NULL, 0};
	uint32_t perm = 0x3f010000;
	ck_assert(key_perm_allows(perm, 1000, 100, &other, true, KEYP_ALL));
	ck_assert(!key_perm_allows(perm, 1000, 100, &other, false, KEYP_SEARCH));
	/* Possessor view plus other read: both, together. */
	ck_assert(key_perm_allows(0x01000002, 1000, 100, &other, true, KEYP_VIEW | KEYP_READ));
	ck_assert(!key_perm_allows(0x01000002, 1000, 100, &other, false, KEYP_VIEW | KEYP_READ));
}
END_TEST

START_TEST(describe_text)
{
	char buf[128];
	int n = key_describe_text(buf, sizeof(buf), "user", 1000, 100, 0x3f010000, "mykey");
	ck_assert_str_eq(buf, "user;1000;100;3f010000;mykey");
	ck_assert_int_eq(n, (int)strlen(buf));
	key_describe_text(buf, sizeof(buf), "keyring", 0, (gid_t)-1, 0x3f3f0000, "_uid.0");
	ck_assert_str_eq(buf, "keyring;0;65534;3f3f0000;_uid.0");
	ck_assert_int_eq(key_describe_text(NULL, 0, "logon", 5, 5, 1, "a:b"),
			 (int)strlen("logon;5;5;00000001;a:b"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("keys");
	TCase *tc = tcase_create("pure");
	tcase_add_test(tc, owner_group_other_bytes);
	tcase_add_test(tc, possessor_byte_adds);
	tcase_add_test(tc, describe_text);
	suite_add_tcase(s, tc);
	return check_run(s);
}

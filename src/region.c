/*
 * region: the one rule for an AWS region name.
 */
#include <string.h>

#include "region.h"

int
region_valid(const char *s)
{
	size_t	 n;

	if (s == NULL || !(s[0] >= 'a' && s[0] <= 'z'))
		return 0;
	for (n = 0; s[n] != '\0'; n++) {
		if ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9'))
			continue;
		/* A hyphen only between letters or digits. */
		if (s[n] != '-' || s[n + 1] == '-' || s[n + 1] == '\0')
			return 0;
	}
	return n < REGION_SIZE && strchr(s, '-') != NULL;
}

/*
 * region: the one rule for an AWS region name, whatever its source
 * (--region, AWS_REGION, AWS_DEFAULT_REGION, the identity document), since
 * the region becomes part of the EC2 host name.  Pure; no dependencies.
 */
#ifndef LEADER_EXEC_REGION_H
#define LEADER_EXEC_REGION_H

#define REGION_SIZE	32	/* a region name and its NUL */

/*
 * 1 when s is a region name: lowercase letters and digits in at least two
 * parts joined by single hyphens, starting with a letter, shorter than
 * REGION_SIZE (like eu-west-1, us-gov-west-1, cn-north-1); else 0.
 */
int	region_valid(const char *s);

#endif

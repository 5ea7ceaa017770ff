/*
 * manifest: the epoch of an Elastic Beanstalk deployment, read from
 * /opt/elasticbeanstalk/deployment/app_version_manifest.json (or the path
 * the caller gives).
 */
#ifndef LEADER_EXEC_MANIFEST_H
#define LEADER_EXEC_MANIFEST_H

#include <stddef.h>

#include "err.h"

#define MANIFEST_DEFAULT_PATH \
	"/opt/elasticbeanstalk/deployment/app_version_manifest.json"
#define MANIFEST_MAX_SIZE	(256 * 1024)

/*
 * Read the DeploymentId of the manifest at path into epoch.  Returns 1
 * when found, 0 when the file does not exist (not an EB instance, or
 * before the first deployment), -1 with e set when it exists but cannot
 * be read or parsed.
 */
int	manifest_read_epoch(const char *path, char *epoch, size_t epochlen,
	    struct lerr *e);

#endif

#!/usr/bin/env python3
"""moto_server with one performance fix, for the scale benchmarks only.

moto 5.2 looks up an EC2 resource's tags with a scan of every tagged
resource in the region (TaggedEC2Resource.get_tags -> describe_tags with a
resource-id filter), and DescribeInstances calls it several times per
instance (for each tag filter and again to serialize the tagSet).  A
DescribeInstances of N instances therefore costs O(N x all tagged
resources): about 2 s for 400 instances, hours for 10,000.  That is the
emulator's cost, not the client's, and it would drown what bench/run
measures.

This wrapper replaces get_tags with a direct dictionary lookup that returns
exactly what the scan returns for that resource (same dicts, same order:
the resource's tags in insertion order), and the AMI lookup every new
instance makes (a filter over all built-in images) with a dictionary
lookup, then runs moto.server.main with the same arguments.  Nothing else
changes: responses are the same bytes.

    python3 bench/moto_server.py -H 127.0.0.1 -p PORT
    LEADER_EXEC_BENCH_PLAIN_MOTO=1 ...   (no fix: moto as installed)
"""
import os
import sys


def patch():
    from moto.ec2.models import core
    from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix

    def get_tags(self):
        rid = getattr(self, "id", None)
        if not rid:
            return []
        tags = self.ec2_backend.tags.get(rid)     # .get: never creates an entry
        if not tags:
            return []
        rtype = EC2_PREFIX_TO_RESOURCE.get(get_prefix(rid), "")
        return [{"resource_id": rid, "key": k, "value": v, "resource_type": rtype}
                for k, v in list(tags.items())]

    core.TaggedEC2Resource.get_tags = get_tags

    # Every new instance looks its AMI up with describe_images(filters=
    # {"image-id": id}): a wildcard filter over all ~1,200 built-in images.
    # For a plain id (no wildcard) that is a dictionary lookup.
    from moto.ec2.models import amis
    orig = amis.AmiBackend.describe_images

    def describe_images(self, ami_ids=None, filters=None, exec_users=None, owners=None):
        if (not ami_ids and not exec_users and not owners and filters and
                list(filters) == ["image-id"] and isinstance(filters["image-id"], str) and
                not any(c in filters["image-id"] for c in "*?[]\\")):
            ami = self.amis.get(filters["image-id"])
            return [ami] if ami is not None else []
        return orig(self, ami_ids=ami_ids, filters=filters, exec_users=exec_users,
                    owners=owners)

    amis.AmiBackend.describe_images = describe_images


def main():
    if os.environ.get("LEADER_EXEC_BENCH_PLAIN_MOTO") != "1":
        patch()
    from moto.server import main as moto_main
    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()

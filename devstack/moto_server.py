"""The moto server, with two fixes for Lazarus's Kinesis bridge, an EC2 change log for the fleet simulator and tags read
without a scan.

moto 5.2.5 routes a record to the first shard whose hash range holds its key, closed or not, so after a reshard new
records land in the closed parent instead of its children (real Kinesis never writes to a closed shard). Here a
closed shard is skipped.

moto's shard numbers a record "highest sequence number + 1" and stores it under that number, without a lock, while
the server answers requests on several threads: two PutRecord calls at once can get the same number, and the second
overwrites the first, which was acknowledged (found by the storm bench: 1 of 1,000 accepted events never reached the
stream). Real Kinesis never loses an acknowledged record; here a shard's writes take a lock.

moto answers DescribeInstances slowly (about 5 ms per instance listed and 0.4 ms per instance a tag filter looks at,
on one Python thread): the fleet simulator looking for launched and stopped instances of its services every second
kept a fleet of 600 hosts' emulator busy all the time. `GET /_lazarus/ec2-changes?since=G` answers the change
generation now and the instances changed after generation G (run, started, stopped, rebooted, terminated, modified,
tagged or untagged), so the simulator reads only those; `instance_ids` is null when the log no longer reaches back to
G (or a change named no instance), and the simulator then reads everything.

moto finds an EC2 resource's tags by scanning every tag of every resource (describe_tags filtered by the resource's
id), once for each instance a tag filter or a listing looks at: quadratic in the fleet. A one-service DescribeInstances
took ~0.85 s in a 600-host fleet, and the quorum's peer listings at the start of the storm bench held the emulator for
20 s, taking a core from the worker. Here a resource's tags are read from its own entry (same answer, ~0.04 s).

werkzeug logs a line for every request, which nobody reads (the stack keeps moto's output only to explain a failed
start) and which cost the emulator and the process reading its output a few percent of a core during the tests. Here
only warnings and errors are logged ("Address already in use" is printed, not logged, and still appears).

moto works out anew for every request which backend a host name belongs to (listing its own package folder and
testing each entry, then a few hundred URL patterns) and which methods a response class has (inspect.getmembers): a
tenth of the emulator's time in the test run. Neither answer changes while the server runs; here each is worked out
once per host name and per class.

Everything else is moto as installed. Arguments are moto_server's.
"""
import collections
import functools
import json
import logging
import sys
import threading
from urllib.parse import parse_qs

from moto.kinesis import models
from moto.server import main

_first_shard_for_key = models.Stream.get_shard_for_key


def _open_shard_for_key(self, partition_key, explicit_hash_key):
    shard = _first_shard_for_key(self, partition_key, explicit_hash_key)  # also validates the arguments
    if shard is None or shard.is_open:
        return shard
    if explicit_hash_key:
        key = int(explicit_hash_key)
    else:
        key = int(models.md5_hash(partition_key.encode("utf-8")).hexdigest(), 16)
    return next(
        (s for s in self.shards.values() if s.is_open and s.starting_hash <= key < s.ending_hash),
        None,
    )


models.Stream.get_shard_for_key = _open_shard_for_key

_put_record = models.Shard.put_record
_shard_writes = threading.Lock()


def _locked_put_record(self, partition_key, data, explicit_hash_key):
    with _shard_writes:
        return _put_record(self, partition_key, data, explicit_hash_key)


models.Shard.put_record = _locked_put_record

from moto.ec2.models.core import TaggedEC2Resource  # noqa: E402
from moto.ec2.utils import EC2_PREFIX_TO_RESOURCE, get_prefix  # noqa: E402


def _own_tags(self):
    """A resource's tags read from its own entry, as describe_tags filtered by its id answers them."""
    resource_id = getattr(self, "id", None)
    tags = self.ec2_backend.tags.get(resource_id) if resource_id else None
    if not tags:
        return []
    resource_type = EC2_PREFIX_TO_RESOURCE.get(get_prefix(resource_id), "")
    return [
        {"resource_id": resource_id, "key": key, "value": value, "resource_type": resource_type}
        for key, value in list(tags.items())
    ]


TaggedEC2Resource.get_tags = _own_tags

from moto.ec2.models.instances import InstanceBackend  # noqa: E402
from moto.ec2.models.tags import TagBackend  # noqa: E402
from moto.moto_server.werkzeug_app import DomainDispatcherApplication  # noqa: E402

_ec2_generation = 0
_ec2_changes = collections.deque(maxlen=20000)  # (generation, instance ids, or None: unknown)
_ec2_changes_lock = threading.Lock()


def _instance_ids(name, args, kwargs, result):
    """The instances a call changed, or None when they cannot be named."""
    if name == "run_instances":
        return [i.id for i in getattr(result, "instances", [])] if result is not None else None
    if name == "modify_instance_attribute":
        ids = [kwargs.get("instance_id", args[0] if args else None)]
    else:
        first = "resource_ids" if name.endswith("_tags") else "instance_ids"
        ids = kwargs.get(first, args[0] if args else None)
    if not isinstance(ids, (list, tuple)):
        return None
    return [i for i in ids if isinstance(i, str) and i.startswith("i-")]


def _counting(name, method):
    def counted(self, *args, **kwargs):
        global _ec2_generation
        result = None
        try:
            result = method(self, *args, **kwargs)
            return result
        finally:  # a call that failed half-way may still have changed something
            ids = _instance_ids(name, args, kwargs, result)
            if ids != []:
                with _ec2_changes_lock:
                    _ec2_generation += 1
                    _ec2_changes.append((_ec2_generation, None if ids is None else tuple(ids)))

    return counted


for _backend, _methods in (
    (
        InstanceBackend,
        (
            "run_instances",
            "start_instances",
            "stop_instances",
            "terminate_instances",
            "reboot_instances",
            "modify_instance_attribute",
        ),
    ),
    (TagBackend, ("create_tags", "delete_tags")),
):
    for _name in _methods:
        setattr(_backend, _name, _counting(_name, getattr(_backend, _name)))


def _changes_since(since):
    with _ec2_changes_lock:
        generation = _ec2_generation
        if since is None or since > generation or (_ec2_changes and _ec2_changes[0][0] > since + 1):
            return {"generation": generation, "instance_ids": None}
        ids = set()
        for changed_at, changed in _ec2_changes:
            if changed_at <= since:
                continue
            if changed is None:
                return {"generation": generation, "instance_ids": None}
            ids.update(changed)
        return {"generation": generation, "instance_ids": sorted(ids)}


_dispatch = DomainDispatcherApplication.__call__


def _call(self, environ, start_response):
    if environ.get("PATH_INFO") == "/_lazarus/ec2-changes":
        raw = parse_qs(environ.get("QUERY_STRING", "")).get("since", [""])[0]
        since = int(raw) if raw.lstrip("-").isdigit() else None
        body = json.dumps(_changes_since(since)).encode("utf-8")
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]
    return _dispatch(self, environ, start_response)


DomainDispatcherApplication.__call__ = _call

# the dispatcher is one object for the server's life, so (self, host) keys by host
DomainDispatcherApplication.get_backend_for_host = functools.cache(DomainDispatcherApplication.get_backend_for_host)

from moto.core import responses as _responses  # noqa: E402

_responses.method_names_from_class = functools.cache(_responses.method_names_from_class)

if __name__ == "__main__":
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    sys.exit(main(sys.argv[1:]))

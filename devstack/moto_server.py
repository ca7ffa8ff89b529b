"""The moto server, with two fixes for Lazarus's Kinesis bridge.

moto 5.2.5 routes a record to the first shard whose hash range holds its key, closed or not, so after a reshard new
records land in the closed parent instead of its children (real Kinesis never writes to a closed shard). Here a
closed shard is skipped.

moto's shard numbers a record "highest sequence number + 1" and stores it under that number, without a lock, while
the server answers requests on several threads: two PutRecord calls at once can get the same number, and the second
overwrites the first, which was acknowledged (found by the storm bench: 1 of 1,000 accepted events never reached the
stream). Real Kinesis never loses an acknowledged record; here a shard's writes take a lock.

Everything else is moto as installed. Arguments are moto_server's.
"""
import sys
import threading

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

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

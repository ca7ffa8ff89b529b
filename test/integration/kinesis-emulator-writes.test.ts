// The AWS emulator as devstack/moto_server.py starts it keeps every record it acknowledged, as Kinesis does. moto as
// installed numbers a record "highest sequence number + 1" without a lock while its server answers on several
// threads: two writes at once could share a number and the second overwrote the first, an acknowledged event lost
// (found by the storm bench: 1 of 1,000 accepted events never reached the stream). Here moto's own shard is written
// from 8 threads with the interpreter switching threads as often as it can, with the launcher's patches loaded.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot, venvBin } from '../../devstack/paths';

const writes = `
import runpy, sys, threading
sys.setswitchinterval(1e-6)
runpy.run_path(sys.argv[1], run_name='lazarus_moto')  # the launcher's patches, without starting a server
from moto.kinesis import models
shard = models.Shard(0, 0, 2**128)
def write(n):
    for i in range(n):
        shard.put_record(f'key-{i}', 'ZGF0YQ==', None)
threads = [threading.Thread(target=write, args=(500,)) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
print(len(shard.records))
`;

it("keeps each of 4,000 records written at once from 8 threads to one of moto's shards", () => {
  const launcher = path.join(projectRoot, 'devstack', 'moto_server.py');
  const kept = execFileSync(venvBin('python'), ['-c', writes, launcher], { encoding: 'utf8', timeout: 60_000 });
  expect(Number(kept.trim())).toBe(4000);
});

// Test workers log at ERROR (expected failures log at WARN) so test output shows results, not worker state changes. Jest runs several test files
// in one process; the Temporal Runtime can be installed only once per module registry, hence the guard.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({ logger: new DefaultLogger(process.env.LAZARUS_TEST_LOG_LEVEL === 'debug' ? 'DEBUG' : 'ERROR') });
} catch {
  // already installed in this registry
}

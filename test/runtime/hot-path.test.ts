import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

describe('hot path', () => {
  // The pipeline's own work (queue, ring buffer, score bookkeeping, alert decision) with a
  // trivial detector: an object per sample (≥ 32 bytes) would be ≥ 10 MB, ten or more scavenges
  // at a 1 MB young generation. What remains is V8 boxing a double argument now and then.
  // (The anomaly detectors' own allocation is theirs: see the report of the runtime issue.)
  it('sample → queue → ring → detector → alert decision allocates no object per sample (300k samples, 1 MB young generation)', () => {
    const out = execFileSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', join(ROOT, 'test/runtime/fixtures/hot-path-gc.ts'), '300000', 'none'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { samples: number; gcs: number; heapGrowthBytes: number; processed: number };
    assert.equal(r.processed, 320_000);
    assert.ok(r.gcs <= 6, `GCs during 300k samples: ${r.gcs} (heap grew ${r.heapGrowthBytes} bytes)`);
  });
});

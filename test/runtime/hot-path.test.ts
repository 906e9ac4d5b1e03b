import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');

describe('hot path', () => {
  // The pipeline's own work (queue, ring buffer, score bookkeeping, alert decision) with a
  // trivial detector, over 10⁶ samples at a 1 MB young generation: a scavenge per ~1 MB
  // allocated. An object per sample (≥ 32 bytes) would be ≥ 32 scavenges. Measured: 16, i.e.
  // ~16 B/sample — V8 boxing one double (a HeapNumber) per sample at a call it does not inline.
  // That is not zero; the bound below catches any real per-sample object, not the boxing.
  // (The anomaly detectors' own allocation is theirs: see the report of the runtime issue.)
  for (const [label, detector] of [
    ['a trivial detector', 'none'],
    ['the same scored on block means of 10 (a 100 Hz stream at the default detection rate)', 'none:10'],
  ] as const) {
    it(`sample → queue → ring → detector → alert decision allocates no object per sample (10⁶ samples, 1 MB young generation; ${label})`, () => {
      const out = execFileSync(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', join(ROOT, 'test/runtime/fixtures/hot-path-gc.ts'), '1000000', detector], {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 120_000,
      });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { samples: number; gcs: number; heapGrowthBytes: number; processed: number };
      assert.equal(r.processed, 1_020_000);
      assert.ok(r.gcs <= 24, `GCs during 10⁶ samples: ${r.gcs}, i.e. ~${r.gcs} B/sample (heap grew ${r.heapGrowthBytes} bytes)`);
    });
  }
});

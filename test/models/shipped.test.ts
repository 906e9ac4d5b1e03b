import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MODELS_DIR } from '../../models/loader.js';
import { readManifest } from '../../models/manifest.js';
import { sha256 } from '../../models/onnx/describe.js';
import { buildShipped } from '../../models/shipped.js';

describe('npm run models (build-shipped)', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'wayside-shipped-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('regenerates byte-identical shipped models, and the manifest records the measured goals', async () => {
    const entries = await buildShipped(tmp);
    const shipped = readManifest(MODELS_DIR);
    for (const e of entries) {
      const committed = shipped.models.find((m) => m.name === e.name);
      assert.ok(committed, `${e.name} missing from models/manifest.json`);
      assert.equal(sha256(readFileSync(join(tmp, e.file))), committed.sha256, `${e.file} differs from the committed one: run npm run models`);
    }
    const int8 = entries.find((e) => e.name === 'flow-forecaster.int8')!;
    assert.ok(int8.metrics!.sizeReductionVsFp32! >= 0.7);
    assert.ok(int8.metrics!.maeIncreaseVsFp32! <= 0.02);
    assert.ok(entries.find((e) => e.name === 'iforest-cabinet')!.metrics!.parityMaxAbsError! < 1e-6);
  });
});

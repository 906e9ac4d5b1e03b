import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadModel, MODELS_DIR, ModelIntegrityError, readVerifiedModel } from '../../models/loader.js';
import { readManifest } from '../../models/manifest.js';
import { describeModel, sha256 } from '../../models/onnx/describe.js';
import { createSession } from '../../models/runtime.js';

describe('shipped models and their manifest', () => {
  const manifest = readManifest(MODELS_DIR);
  const tmp = mkdtempSync(join(tmpdir(), 'wayside-models-'));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('lists the three shipped models, each under 1 MB, with hashes, inputs and outputs that match the files', () => {
    assert.deepEqual(
      manifest.models.map((m) => m.file),
      ['iforest-cabinet.onnx', 'flow-forecaster.onnx', 'flow-forecaster.int8.onnx'],
    );
    for (const entry of manifest.models) {
      const bytes = readFileSync(join(MODELS_DIR, entry.file));
      assert.ok(bytes.length < 1 << 20, `${entry.file} is ${bytes.length} B`);
      const d = describeModel(bytes);
      assert.equal(d.sha256, entry.sha256, `${entry.file}: rebuild with npm run models`);
      assert.deepEqual(d.inputs, entry.inputs);
      assert.deepEqual(d.outputs, entry.outputs);
      assert.ok(entry.createdBy.includes('build-shipped'));
      assert.ok(typeof entry.training === 'object' && entry.training !== null);
    }
  });

  it('loads a shipped model by name into an onnxruntime session', async () => {
    const { session, entry } = await loadModel('flow-forecaster.int8');
    assert.equal(entry.file, 'flow-forecaster.int8.onnx');
    assert.deepEqual(session.inputNames, ['x']);
    await session.release();
  });

  it('refuses a tampered model with an error naming the file, the expected and the found hash', async () => {
    writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifest));
    for (const m of manifest.models) copyFileSync(join(MODELS_DIR, m.file), join(tmp, m.file));
    // one flipped bit in a weight: still a valid ONNX file, only the hash can tell
    const path = join(tmp, 'flow-forecaster.onnx');
    const bytes = readFileSync(path);
    bytes[bytes.length >> 1]! ^= 0x01; // the middle of the file is the 128×128 weight matrix
    writeFileSync(path, bytes);
    const session = await createSession(new Uint8Array(bytes));
    await session.release(); // onnxruntime alone would run it
    const found = sha256(bytes);
    const expected = manifest.models.find((m) => m.name === 'flow-forecaster')!.sha256;
    assert.throws(
      () => readVerifiedModel('flow-forecaster', { dir: tmp }),
      (err: unknown) => {
        assert.ok(err instanceof ModelIntegrityError);
        assert.equal(err.file, path);
        assert.equal(err.expected, expected);
        assert.equal(err.found, found);
        assert.match(err.message, new RegExp(`${path}.*${found}.*${expected}`));
        return true;
      },
    );
    await assert.rejects(loadModel('flow-forecaster', { dir: tmp }), ModelIntegrityError);
    // the untouched ones still load from the same folder
    assert.equal(readVerifiedModel('iforest-cabinet', { dir: tmp }).entry.name, 'iforest-cabinet');
  });

  it('names the known models when asked for an unknown one', () => {
    assert.throws(() => readVerifiedModel('nope'), /no model "nope".*iforest-cabinet, flow-forecaster/);
  });
});

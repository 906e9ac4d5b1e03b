import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SensorPipeline } from '../../firmware/runtime/sensor-pipeline.js';

/**
 * The run summary reports raw bytes (16 per sample taken) and samples processed; operators'
 * scripts check one against the other. A late offer at shutdown (an inference result still in
 * flight) used to be counted but never processed.
 */
describe('SensorPipeline.close', () => {
  const make = () =>
    new SensorPipeline([{ name: 'a.x', unit: '', rateHz: 10, source: 'a' }], { windowS: 10, queueCapacity: 16, detectors: [null], threshold: 0.5, onAlert: () => {} });

  it('after close, offers are neither queued nor counted; totals stay in step', () => {
    const p = make();
    p.offer(0, 1, 1);
    p.offer(0, 2, 2);
    p.drain();
    p.close();
    p.offer(0, 3, 3);
    assert.equal(p.drain(), 0);
    assert.equal(p.samples, 2);
    assert.equal(p.rawBytes, p.samples * 16);
  });

  it('before close, every offer is counted and processed', () => {
    const p = make();
    for (let i = 0; i < 5; i++) p.offer(0, i, i);
    assert.equal(p.drain(), 5);
    assert.equal(p.rawBytes, 5 * 16);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bankForSection } from '../../firmware/anomaly/bank.js';
import { DEFAULT_DETECTOR } from '../../firmware/anomaly/registry.js';
import { detectionSection } from '../../firmware/site/sections/detection.js';

describe('site detection section', () => {
  it('fills defaults and builds one detector per stream', () => {
    const section = detectionSection.parse({
      streams: [
        { sensor: 'cabinet', channel: 'temperature' },
        { sensor: 'lamps-2', channel: 'current', detector: 'gaussian-tail', params: { long1: 256 } },
      ],
    });
    assert.equal(section.enabled, true);
    assert.equal(section.alert_threshold, 0.45);
    const bank = bankForSection(section);
    assert.deepEqual(bank.names, ['cabinet.temperature', 'lamps-2.current']);
    assert.equal(bank.detector(0).name, DEFAULT_DETECTOR);
    assert.equal(bank.detector(1).name, 'gaussian-tail');
  });

  it('refuses unknown fields, bad names and out-of-range thresholds', () => {
    assert.equal(detectionSection.safeParse({ bogus: 1 }).success, false);
    assert.equal(detectionSection.safeParse({ detector: 'Not A Name' }).success, false);
    assert.equal(detectionSection.safeParse({ alert_threshold: 1.5 }).success, false);
    assert.equal(detectionSection.safeParse({ streams: [{ sensor: 'x' }] }).success, false);
  });

  it('names the stream whose detector or parameter is unknown', () => {
    const section = detectionSection.parse({ streams: [{ sensor: 'pole', channel: 'accel_x', detector: 'nope' }] });
    assert.throws(() => bankForSection(section), /detection\.streams\[0\] \(pole\.accel_x\): unknown detector "nope"; valid: /);
    const bad = detectionSection.parse({ params: { bogus: 2 }, streams: [{ sensor: 'pole', channel: 'accel_x' }] });
    assert.throws(() => bankForSection(bad), /pole\.accel_x.*no parameter "bogus"/);
  });
});

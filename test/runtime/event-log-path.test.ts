import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { defaultEventLogPath } from '../../firmware/runtime/event-log-path.js';

describe('default event log path', () => {
  it('is in systemd’s state directory under the service (it survives restarts; PrivateTmp would not)', () => {
    assert.equal(defaultEventLogPath('demo-001', { STATE_DIRECTORY: '/var/lib/wayside' }), '/var/lib/wayside/events.jsonl');
    assert.equal(defaultEventLogPath('demo-001', { STATE_DIRECTORY: '/var/lib/wayside:/var/lib/other' }), '/var/lib/wayside/events.jsonl');
  });

  it('is under the temporary folder elsewhere, one folder per site', () => {
    assert.equal(defaultEventLogPath('demo-001', {}), join(tmpdir(), 'wayside', 'demo-001', 'events.jsonl'));
    assert.equal(defaultEventLogPath('demo-001', { STATE_DIRECTORY: '' }), join(tmpdir(), 'wayside', 'demo-001', 'events.jsonl'));
  });
});

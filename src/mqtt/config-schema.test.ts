import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfigText } from '../config/load.js';

const check = (mqtt: string) =>
  checkConfigText(`version: 1\nmqtt:\n${mqtt}`, {
    file: path.join('/tmp', 'steward.yaml'),
    display: 'steward.yaml',
  });

describe('mqtt config', () => {
  it('refuses a protect entry that is no topic filter: it would silently protect nothing', () => {
    const r = check(
      '  broker: { url: "mqtt://127.0.0.1:1883" }\n  retained: { protect: ["home#", "ok/#"] }\n',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({
      line: 4,
      message: expect.stringContaining('not an MQTT topic filter'),
    });
  });

  it('needs a broker for retained and selftest, an ingest rule for selftest, and no wildcard in its topic', () => {
    const r = check('  retained: { protect: ["homeassistant/#"] }\n  selftest: { topic: "a/+/b" }\n');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const messages = r.issues.map((i) => i.message).join('\n');
    expect(messages).toContain('mqtt.retained needs mqtt.broker');
    expect(messages).toContain('mqtt.selftest needs mqtt.broker');
    expect(messages).toContain('the self-test needs an ingest rule');
    expect(messages).toContain('without wildcards');
  });
});

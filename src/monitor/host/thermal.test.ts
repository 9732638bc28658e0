import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseThermalTemp, readThermalZones } from './thermal.js';

describe('parseThermalTemp', () => {
  it('converts millidegrees to degrees Celsius', () => {
    expect(parseThermalTemp('48686\n')).toBe(48.686);
    expect(parseThermalTemp('-5000\n')).toBe(-5);
  });

  it.each(['', '\n', 'hot\n'])('rejects %j', (text) => {
    expect(() => parseThermalTemp(text)).toThrow();
  });
});

describe('readThermalZones', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  async function zone(dir: string, files: Record<string, string>): Promise<void> {
    const path = join(root!, 'class', 'thermal', dir);
    await mkdir(path, { recursive: true });
    for (const [name, text] of Object.entries(files)) await writeFile(join(path, name), text);
  }

  it('is empty, without a problem, when there is no thermal class (containers, VMs)', async () => {
    root = await mkdtemp(join(tmpdir(), 'steward-thermal-'));
    expect(await readThermalZones(root)).toEqual({ zones: [], problems: [] });
  });

  it('labels by type, falls back to the directory, and orders zones numerically', async () => {
    root = await mkdtemp(join(tmpdir(), 'steward-thermal-'));
    await zone('thermal_zone10', { temp: '30000\n' });
    await zone('thermal_zone0', { type: 'cpu-thermal\n', temp: '48686\n' });
    await zone('thermal_zone2', { type: '\n', temp: '41000\n' });
    await zone('cooling_device0', { type: 'fan\n' });
    expect(await readThermalZones(root)).toEqual({
      zones: [
        { zone: 'cpu-thermal', celsius: 48.686 },
        { zone: 'thermal_zone2', celsius: 41 },
        { zone: 'thermal_zone10', celsius: 30 },
      ],
      problems: [],
    });
  });

  it('tells same-type zones apart and reports an unreadable temp', async () => {
    root = await mkdtemp(join(tmpdir(), 'steward-thermal-'));
    await zone('thermal_zone0', { type: 'acpitz\n', temp: '27800\n' });
    await zone('thermal_zone1', { type: 'acpitz\n', temp: '29800\n' });
    await zone('thermal_zone2', { type: 'iwlwifi_1\n', temp: 'n/a\n' });
    await zone('thermal_zone3', { type: 'x86_pkg_temp\n' });
    const result = await readThermalZones(root);
    expect(result.zones).toEqual([
      { zone: 'acpitz:thermal_zone0', celsius: 27.8 },
      { zone: 'acpitz:thermal_zone1', celsius: 29.8 },
    ]);
    expect(result.problems).toEqual([
      `${join(root, 'class/thermal/thermal_zone2/temp')}: malformed temperature`,
      `${join(root, 'class/thermal/thermal_zone3/temp')}: ENOENT`,
    ]);
  });
});

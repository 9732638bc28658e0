import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultMigrationsDir } from './db.js';
import { listMigrations } from './migrate.js';

// The seed's rules for migrations: additive only, STRICT tables, IF NOT EXISTS.
const dir = defaultMigrationsDir();
const upFiles = listMigrations(dir).map((m) => m.up);

function sqlOf(file: string): string {
  // Comments may say anything; only statements count.
  return fs
    .readFileSync(path.join(dir, file), 'utf8')
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\s+/g, ' ');
}

describe('migration files', () => {
  it('exist', () => {
    expect(upFiles.length).toBeGreaterThan(0);
  });

  it.each(upFiles)('%s: every CREATE TABLE has IF NOT EXISTS and STRICT', (file) => {
    const creates = sqlOf(file).match(/CREATE\s+TABLE\b[\s\S]*?\)\s*[^;]*;/gi) ?? [];
    for (const create of creates) {
      expect(create, create.slice(0, 60)).toMatch(/^CREATE TABLE IF NOT EXISTS /i);
      expect(create, create.slice(0, 60)).toMatch(/\)\s*STRICT\s*(,\s*WITHOUT ROWID\s*)?;$/i);
    }
  });

  it.each(upFiles)('%s: every CREATE INDEX/TRIGGER/VIEW has IF NOT EXISTS', (file) => {
    for (const create of sqlOf(file).match(
      /CREATE (UNIQUE )?(INDEX|TRIGGER|VIEW)\b[^(]*?\bON\b|CREATE VIEW\b/gi,
    ) ?? []) {
      expect(create).toMatch(/IF NOT EXISTS/i);
    }
  });

  it.each(upFiles)('%s: is additive (no DROP, no RENAME)', (file) => {
    const sql = sqlOf(file);
    expect(sql).not.toMatch(/\bDROP\b/i);
    expect(sql).not.toMatch(/\bRENAME\b/i);
  });
});

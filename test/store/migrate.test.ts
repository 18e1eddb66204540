import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, readMigrations, schemaVersion } from '../../src/store/migrate.ts';
import { openStore } from '../../src/store/store.ts';
import { useTempDir } from '../support/temp-dir.ts';

const tempDir = useTempDir();

function tables(db: BetterSqlite3.Database): string[] {
  return (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
      name: string;
    }[]
  )
    .map((r) => r.name)
    .filter((n) => !n.startsWith('sqlite_'));
}

describe('migrate', () => {
  it('creates the tables of the durability contract on a fresh database', () => {
    const db = new BetterSqlite3(':memory:');
    expect(migrate(db)).toEqual(readMigrations().map((m) => m.version));
    expect(tables(db)).toEqual(
      expect.arrayContaining([
        'inbox',
        'meta',
        'outbox',
        'prefs',
        'runs',
        'schema_migrations',
        'sessions',
        'topics',
      ]),
    );
    expect(schemaVersion(db)).toBe(readMigrations().length);
  });

  it('applies nothing the second time and keeps the data', () => {
    const path = join(tempDir(), 'state.db');
    const first = openStore(path);
    first.meta.set('k', 'v');
    first.close();
    const db = new BetterSqlite3(path);
    expect(migrate(db)).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM schema_migrations').get()).toEqual({
      n: readMigrations().length,
    });
    expect(db.prepare("SELECT value FROM meta WHERE key = 'k'").get()).toEqual({ value: 'v' });
    db.close();
  });

  it('applies only the new migrations, in order, each recorded once', () => {
    const dir = join(tempDir(), 'migrations');
    mkdirSync(dir);
    writeFileSync(join(dir, '001_a.sql'), 'CREATE TABLE a (x INTEGER);');
    const db = new BetterSqlite3(':memory:');
    expect(migrate(db, readMigrations(dir))).toEqual([1]);
    writeFileSync(join(dir, '002_b.sql'), 'CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (1);');
    writeFileSync(join(dir, '003_c.sql'), 'ALTER TABLE b ADD COLUMN z TEXT;');
    expect(migrate(db, readMigrations(dir))).toEqual([2, 3]);
    expect(db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual([
      { version: 1, name: 'a' },
      { version: 2, name: 'b' },
      { version: 3, name: 'c' },
    ]);
  });

  it('rolls back a failing migration whole, leaving the earlier version intact', () => {
    const dir = join(tempDir(), 'migrations');
    mkdirSync(dir);
    writeFileSync(join(dir, '001_a.sql'), 'CREATE TABLE a (x INTEGER);');
    writeFileSync(join(dir, '002_bad.sql'), 'CREATE TABLE b (y INTEGER); INSERT INTO missing VALUES (1);');
    const db = new BetterSqlite3(':memory:');
    expect(() => migrate(db, readMigrations(dir))).toThrow(/no such table: missing/);
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain('b');
  });

  it('refuses a database written by a newer tentacle', () => {
    const db = new BetterSqlite3(':memory:');
    migrate(db);
    db.prepare('INSERT INTO schema_migrations VALUES (99, ?, 0)').run('future');
    expect(() => migrate(db)).toThrow(/schema version 99, newer than this tentacle knows/);
  });

  it('refuses a gap in the numbering', () => {
    const dir = join(tempDir(), 'migrations');
    mkdirSync(dir);
    writeFileSync(join(dir, '001_a.sql'), '');
    writeFileSync(join(dir, '003_c.sql'), '');
    expect(() => readMigrations(dir)).toThrow(/expected version 2, found 3_c/);
  });

  it('opens the file in WAL mode', () => {
    const store = openStore(join(tempDir(), 'wal.db'));
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.integrityCheck()).toEqual(['ok']);
    store.close();
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openSqliteStore, openStore } from '../src/index.js';
import { describeStore } from './conformance.js';

const folder = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
const path = join(folder, 'store.db');
let locker: Database.Database | undefined;

describeStore('sqlite', {
  open: () => openStore(`sqlite:${path}`),
  persistent: true,
  // Under a regular file, so the folder cannot be created.
  openUnreachable: async () => openSqliteStore(join(path, 'not-a-folder', 'store.db')),
  contention: {
    openImpatient: async () => openSqliteStore(path, { busyTimeoutMs: 300 }),
    begin() {
      locker = new Database(path);
      locker.exec('BEGIN IMMEDIATE');
    },
    end() {
      locker?.exec('ROLLBACK');
      locker?.close();
    },
  },
  cleanup: async () => rmSync(folder, { recursive: true, force: true }),
});

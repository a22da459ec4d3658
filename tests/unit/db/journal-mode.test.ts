import { describe, expect, it } from 'vitest';

import { setJournalModeWal } from '../../../src/db/connection.js';

/** A connection whose `pragma` fails with `code` the first `failures` times, then succeeds. */
function connectionFailing(failures: number, code: string) {
  const calls: string[] = [];
  return {
    calls,
    pragma(source: string) {
      calls.push(source);
      if (calls.length <= failures) throw Object.assign(new Error('database is locked'), { code });
      return 'wal';
    },
  };
}

describe('setJournalModeWal', () => {
  it('retries while the file is busy', () => {
    const connection = connectionFailing(3, 'SQLITE_BUSY');

    setJournalModeWal(connection);

    expect(connection.calls).toEqual(Array(4).fill('journal_mode = WAL'));
  });

  it('gives up after twenty busy attempts', () => {
    const connection = connectionFailing(100, 'SQLITE_BUSY');

    expect(() => setJournalModeWal(connection)).toThrow('database is locked');
    expect(connection.calls).toHaveLength(20);
  });

  it('rethrows other errors at once', () => {
    const connection = connectionFailing(1, 'SQLITE_NOTADB');

    expect(() => setJournalModeWal(connection)).toThrow('database is locked');
    expect(connection.calls).toHaveLength(1);
  });
});

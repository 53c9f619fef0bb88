import type { StoredExample } from '@trueboard/contracts';
import { describe, expect, it } from 'vitest';
import { legacyUnscorableFromReason, text2sqlRows, unscorableOf } from '../src/rows';
import { scoredFromRow } from '../src/score';

/*
 * Rows stored by evaluators before 1.1.0 have no `data.unscorable`: triage still reads them, from
 * the reason texts those versions wrote ("gold query …", "gold query (spider form) …", "database …
 * is missing"), and re-scoring that reuses them gives them the field.
 */
const data = { db_id: 'shop', question: 'Q', gold_sql: 'SELECT 1' };
const legacy = (reason: string | null, verdict: number | null = null): StoredExample => ({ verdict, reason, data });

describe('triage of rows stored before rows carried `unscorable`', () => {
  it("reads a failing gold off the old evaluator's reasons, and nothing else", () => {
    const { triage } = text2sqlRows;
    expect(triage(legacy('gold query timed out after 60000 ms'))).toEqual({
      goldFails: 'the gold query fails (gold query timed out after 60000 ms)',
    });
    expect(triage(legacy('gold query (spider form) sqlite_error: no such column: x')).goldFails).toBe(
      'the gold query fails (gold query (spider form) sqlite_error: no such column: x)',
    );
    expect(triage(legacy('database shop is missing'))).toEqual({});
    // a scored row whose prediction failed is not the gold's fault, whatever the text
    expect(triage(legacy('gold query timed out after 60000 ms', 0))).toEqual({});
    expect(triage(legacy(null))).toEqual({});
  });

  it('classifies the old reasons in one function, and prefers the field when a row has it', () => {
    expect(legacyUnscorableFromReason('gold query result larger than 16 MiB')).toBe('gold_failed');
    expect(legacyUnscorableFromReason('database wta_1 is missing')).toBe('database_missing');
    expect(legacyUnscorableFromReason('prediction timed out after 30000 ms')).toBeUndefined();
    expect(legacyUnscorableFromReason(undefined)).toBeUndefined();
    const withField = {
      verdict: null,
      reason: 'gold query timed out',
      data: { ...data, unscorable: 'database_missing' },
    };
    expect(unscorableOf(withField)).toBe('database_missing');
    expect(unscorableOf({ ...withField, data: { ...data, unscorable: 'bogus' } })).toBeUndefined();
  });

  it('gives a reused legacy row the field, so a re-scored report says it on every row', () => {
    const e = { id: '7', dbId: 'shop', question: 'Q', goldSql: 'SELECT 1' };
    const stored = { ex_spider: null, ex_bird: null, soft_f1: null, pred_ms: null, gold_ms: 3, ...data };
    expect(scoredFromRow(e, { verdict: null, reason: 'gold query timed out', data: stored })?.unscorable).toBe(
      'gold_failed',
    );
    expect(scoredFromRow(e, { verdict: null, reason: 'database shop is missing', data: stored })?.unscorable).toBe(
      'database_missing',
    );
    const scored = { ...stored, ex_spider: 0, ex_bird: 0, soft_f1: 0 };
    expect(scoredFromRow(e, { verdict: 0, reason: 'no prediction', data: scored })).not.toHaveProperty('unscorable');
  });
});

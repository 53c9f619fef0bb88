import { text2sqlArtifact } from '@trueboard/text2sql/artifact';
import { describe, expect, it } from 'vitest';
import { checkArtifact } from '../app/submit/validate';

const file = (name: string, text: string) => new File([text], name);
const MiB = 1024 * 1024;
const { check } = text2sqlArtifact;

describe('the submit form checks a text-to-SQL artifact before uploading it', () => {
  it('names an empty file and one over the benchmark limit', async () => {
    expect(await checkArtifact(file('p.json', ''), MiB, check)).toBe('p.json is empty');
    expect(await checkArtifact(file('big.sql', 'x'.repeat(2 * MiB)), MiB, check)).toBe(
      'big.sql is 2.0 MiB; this benchmark accepts at most 1.0 MiB',
    );
  });

  it('accepts Trueboard JSON, BIRD JSON and one SQL per line', async () => {
    expect(await checkArtifact(file('p.json', '{"predictions": {"1": "SELECT 1"}}'), MiB, check)).toBeNull();
    expect(await checkArtifact(file('p.json', '{"1": "SELECT 1\\t----- bird -----\\tdb"}'), MiB, check)).toBeNull();
    expect(await checkArtifact(file('p.sql', 'SELECT 1\nSELECT 2\n'), MiB, check)).toBeNull();
  });

  it('names what is wrong with a predictions file', async () => {
    const problem = (name: string, text: string) => checkArtifact(file(name, text), MiB, check);
    expect(await problem('p.json', '{"predictions": ')).toMatch(/^p\.json is not valid JSON: /);
    expect(await problem('p.json', '[]')).toMatch(/^p\.json: expected an object, \{"predictions"/);
    expect(await problem('p.json', '{"predictions": []}')).toBe(
      'p.json: "predictions" must map example ids to SQL strings',
    );
    expect(await problem('p.json', '{"predictions": {"7": 3}}')).toBe('p.json: the prediction for "7" is not a string');
    expect(await problem('p.sql', '\n  \n')).toBe('p.sql has no SQL lines');
  });

  it('without a family check or a known limit, only emptiness is checked', async () => {
    expect(await checkArtifact(file('adapter.tar.gz', '\u0000\u0001'), undefined, undefined)).toBeNull();
    expect(await checkArtifact(file('adapter.tar.gz', ''), undefined, undefined)).toBe('adapter.tar.gz is empty');
  });
});

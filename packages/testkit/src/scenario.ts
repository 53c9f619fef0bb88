import { fileURLToPath } from 'node:url';
import { createApiToken, createMethod, createRunnerToken, importBenchmarkDir, type Platform } from '@trueboard/core';
import { makeTeam, makeUser } from './platform';

export const TOY_QA_DIR = fileURLToPath(new URL('../fixtures/toy-qa', import.meta.url));

/** Toy benchmark + a submitting team with a method + a runner token: the spine's standard cast. */
export async function toyScenario(p: Platform) {
  const admin = await makeUser(p, { admin: true, name: 'admin' });
  await importBenchmarkDir(p, admin.actor, TOY_QA_DIR);
  const acme = await makeTeam(p, 'acme', ['member', 'reviewer', 'maintainer']);
  const method = await createMethod(p, acme.owner.actor, {
    team: 'acme',
    name: 'Lookup table',
    hyperparameters: { learningRate: 0.0003 },
  });
  const runnerToken = await createRunnerToken(p, admin.actor, { name: 'test runner' });
  const ownerToken = await createApiToken(p, acme.owner.actor, { name: 'cli' });
  return { admin, acme, method, runnerToken, ownerToken };
}

export const goodPredictions = (overrides: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
  new TextEncoder().encode(
    JSON.stringify({
      predictions: { q1: 'Paris', q2: 'Berlin', q3: 'Barcelona', q4: 'Rome', q5: 'Lisbon', ...overrides },
      ...extra,
    }),
  );

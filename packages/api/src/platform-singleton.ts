import { createPlatform, loadConfig, type Platform } from '@trueboard/core';
import { families } from '@trueboard/families';

let pending: Promise<Platform> | null = null;

/**
 * The process-wide platform for route handlers, built once from the environment. `trueboard start`
 * sets DATABASE_URL (pointing at the embedded server when none was given) before Next.js loads.
 * It knows every family's module but makes no correction validators: the web process never
 * executes a family's gold or models.
 */
export function getPlatform(): Promise<Platform> {
  if (!pending) {
    const config = loadConfig();
    const databaseUrl = config.databaseUrl;
    if (!databaseUrl)
      return Promise.reject(new Error('DATABASE_URL is not set; start the platform with `trueboard start`'));
    pending = createPlatform({ ...config, databaseUrl }, { families }).catch((err) => {
      pending = null;
      throw err;
    });
  }
  return pending;
}

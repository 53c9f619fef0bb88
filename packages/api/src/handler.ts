import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import * as core from '@trueboard/core';
import { refuseUnknownHost } from './allowed-hosts';
import { type Context, createContext, requestIdOf, sameOrigin } from './context';
import { onDownloadOrigin } from './download-origin';
import { retryAfter, trpcEnvelopeError } from './errors';
import { handleAssets } from './rest/assets';
import { handleBlobs } from './rest/blobs';
import { handleDownload } from './rest/downloads';
import { handleLeaderboard } from './rest/leaderboard';
import { errorResponse, json } from './rest/respond';
import { handleRunner } from './rest/runner';
import { handleSubmissionArtifact } from './rest/submission-artifact';
import { handleSubmissionUpload } from './rest/submissions';
import { handleVersions } from './rest/versions';
import { appRouter } from './router';
import { withSecurityHeaders } from './security-headers';
import type { Meta } from './trpc';
import { checkTrpcRequest, procedurePaths } from './trpc-limits';

export type FetchHandler = (req: Request) => Promise<Response>;

const TRPC_ENDPOINT = '/api/trpc';
// tRPC keeps a flat path → procedure map at runtime (no lazy routers here)
const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } } | undefined>;
const procedureMeta = (path: string) => procedures[path]?._def.meta;

/**
 * The platform's HTTP surface as one framework-neutral fetch handler: tRPC at /api/trpc, REST
 * for the runner protocol, blobs, uploads and health. Next.js route handlers and plain Node
 * servers (tests, runners-only deployments) mount the same function.
 */
/**
 * tRPC at /api/trpc. The request limits and the caller's context come first, so a refused body
 * or a database that is down still gets a tRPC-shaped error with this request's id.
 */
async function handleTrpc(platform: core.Platform, req: Request, requestId: string): Promise<Response> {
  let checked: Request;
  let ctx: Context;
  try {
    checked = await checkTrpcRequest(req, TRPC_ENDPOINT, procedureMeta);
    ctx = await createContext(platform, req, new Headers(), requestId);
  } catch (err) {
    const url = new URL(req.url);
    const calls = procedurePaths(url, TRPC_ENDPOINT).length;
    return trpcEnvelopeError(err, requestId, calls, url.searchParams.get('batch') === '1');
  }
  return fetchRequestHandler({
    endpoint: TRPC_ENDPOINT,
    req: checked,
    router: appRouter,
    createContext: async ({ resHeaders }) => ({ ...ctx, resHeaders }),
    // a call that failed because the database is down says when to try again
    responseMeta: ({ errors }) => ({
      headers: errors.some((e) => e.code === 'SERVICE_UNAVAILABLE') ? retryAfter(503) : {},
    }),
  });
}

export function createHandler(getPlatform: () => Promise<core.Platform>): FetchHandler {
  const handle = async (req: Request, requestId: string): Promise<Response> => {
    const url = new URL(req.url);
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] !== 'api') return json({ error: { code: 'not_found', message: 'not found', requestId } }, 404);
    const resHeaders = new Headers();
    try {
      const platform = await getPlatform();
      const misdirected = refuseUnknownHost(req, platform.config);
      if (misdirected) return misdirected;
      // a separate download origin serves user content and nothing else (no app, no credentials)
      if (onDownloadOrigin(platform.config, req) && parts[1] !== 'benchmarks') {
        return json({ error: { code: 'not_found', message: 'this origin only serves downloads' } }, 404);
      }
      if (parts[1] === 'trpc') return await handleTrpc(platform, req, requestId);
      // health needs no caller: it answers (degraded) even when the database cannot name one
      if (parts[1] === 'health' && parts.length === 2 && req.method === 'GET') {
        const h = await core.health(platform);
        return json(h, h.status === 'ok' ? 200 : 503);
      }
      const ctx = await createContext(platform, req, resHeaders, requestId);
      if (req.method !== 'GET' && req.method !== 'HEAD' && ctx.viaCookie && !sameOrigin(req, platform.config)) {
        throw core.forbidden('cross-site request refused');
      }
      let res: Response | null = null;
      if (parts[1] === 'runner') res = await handleRunner(ctx, parts.slice(2));
      else if (parts[1] === 'blobs') res = await handleBlobs(ctx, parts.slice(2));
      else if (parts[1] === 'assets') res = await handleAssets(ctx, parts.slice(2));
      else if (parts[1] === 'benchmarks') res = await handleVersions(ctx, parts.slice(2));
      else if (parts[1] === 'leaderboard') res = await handleLeaderboard(ctx, parts.slice(2));
      else if (parts[1] === 'submissions' && parts.length === 2) res = await handleSubmissionUpload(ctx);
      else if (parts[1] === 'submissions' && parts.length === 4 && parts[3] === 'artifact')
        res = await handleSubmissionArtifact(ctx, parts[2] ?? '');
      else if (parts[1] === 'submissions' && parts.length === 5 && parts[3] === 'downloads')
        res = await handleDownload(ctx, parts[2] ?? '', parts[4] ?? '');
      if (!res)
        return json(
          { error: { code: 'not_found', message: `no route for ${req.method} ${url.pathname}`, requestId } },
          404,
        );
      for (const [k, v] of resHeaders) res.headers.append(k, v);
      return res;
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
  return async (req) => {
    const requestId = requestIdOf(req);
    const res = withSecurityHeaders(await handle(req, requestId));
    // every response names its request, so any error can be reported and found in the log
    res.headers.set('x-request-id', requestId);
    return res;
  };
}

import {
  ClaimRequest,
  CompleteRequest,
  FailRequest,
  LogRequest,
  ProgressRequest,
  RegisterRunnerRequest,
} from '@trueboard/contracts';
import * as core from '@trueboard/core';
import type { Context } from '../context';
import { json, readJson } from './respond';
import { handleValidations } from './validations';

/** REST side of the runner protocol (runner tokens only; long-poll claims do not fit tRPC well). */
export async function handleRunner(ctx: Context, path: string[]): Promise<Response | null> {
  const p = ctx.platform;
  const a = ctx.actor;
  const [first, runId, action] = path;
  if (ctx.req.method === 'GET' && first === 'runs' && runId && action === 'previous' && path.length === 3) {
    core.requireRunner(a);
    if (!/^[0-9a-f-]{36}$/.test(runId)) throw core.badInput(`bad input: "${runId}" is not a run id`);
    return json(await core.previousExamples(p, a, runId));
  }
  if (first === 'validations') return handleValidations(ctx, path.slice(1));
  if (ctx.req.method !== 'POST') return null;
  core.requireRunner(a);
  if (path.length === 1 && first === 'register') {
    return json(await core.registerRunner(p, a, RegisterRunnerRequest.parse(await readJson(ctx.req))));
  }
  if (path.length === 1 && first === 'claim') {
    const job = await core.claim(p, a, ClaimRequest.parse(await readJson(ctx.req)), ctx.req.signal);
    return json({ job });
  }
  if (first !== 'runs' || !runId || path.length !== 3) return null;
  if (!/^[0-9a-f-]{36}$/.test(runId)) throw core.badInput(`bad input: "${runId}" is not a run id`);
  switch (action) {
    case 'heartbeat':
      return json(await core.heartbeat(p, a, runId));
    case 'progress':
      await core.reportProgress(p, a, runId, ProgressRequest.parse(await readJson(ctx.req)));
      return json({ ok: true });
    case 'logs':
      await core.appendLogs(p, a, runId, LogRequest.parse(await readJson(ctx.req)));
      return json({ ok: true });
    case 'complete':
      return json(
        await core.completeRun(p, a, runId, CompleteRequest.parse(await readJson(ctx.req, 512 * 1024 * 1024))),
      );
    case 'fail':
      await core.failRun(p, a, runId, FailRequest.parse(await readJson(ctx.req)));
      return json({ ok: true });
    case 'release':
      await core.releaseRun(p, a, runId);
      return json({ ok: true });
    default:
      return null;
  }
}

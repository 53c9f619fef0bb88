import type { ReproductionRecipe } from '@trueboard/contracts';
import type { BlobSource } from '@trueboard/kit';
import { apiHeaders, ServerError, type ServerOptions } from '../http';

/**
 * The blobs of a reproduction, by hash, from the routes anyone may read: the artifact through its
 * submission (so with the submission's visibility) and dataset files from the public version
 * downloads. The kit's cache checks every downloaded byte against the hash it asked for.
 */
export function recipeBlobSource(
  o: ServerOptions,
  recipe: ReproductionRecipe,
  onBytes: (n: number) => void = () => {},
): BlobSource {
  const { dataset } = recipe;
  const paths = new Map<string, string>();
  const versionPath = `/api/benchmarks/${encodeURIComponent(dataset.benchmark)}/versions/${dataset.version}/files`;
  for (const f of dataset.files) {
    if (!paths.has(f.sha256))
      paths.set(f.sha256, `${versionPath}/${f.path.split('/').map(encodeURIComponent).join('/')}`);
  }
  paths.set(recipe.artifact.sha256, `/api/submissions/${recipe.submission.id}/artifact`);
  return {
    async blob(sha256, signal) {
      const path = paths.get(sha256);
      if (!path)
        throw new Error(
          `blob ${sha256} is neither the artifact nor a file of ${dataset.benchmark} v${dataset.version}`,
        );
      const body = await download(o, path, signal);
      return body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, out) {
            onBytes(chunk.byteLength);
            out.enqueue(chunk);
          },
        }),
      );
    },
  };
}

/** GETs a download as a stream; an error answer becomes a ServerError with the server's message. */
async function download(o: ServerOptions, path: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
  let res: Response;
  try {
    res = await fetch(`${o.server.replace(/\/$/, '')}${path}`, { headers: apiHeaders(o), signal });
  } catch (err) {
    throw new Error(
      `cannot reach ${o.server} (${err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : err})`,
    );
  }
  if (res.ok && res.body) return res.body;
  const text = await res.text();
  let message = `${res.status} ${res.statusText}`;
  try {
    message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
  } catch {
    // not JSON
  }
  throw new ServerError(`GET ${path}: ${message}`, res.status, res.headers.get('x-request-id'));
}

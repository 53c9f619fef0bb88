import type { ArtifactSpec } from '@trueboard/contracts';

/**
 * Checks an artifact in the browser before it is uploaded, so mistakes are caught without a round
 * trip; the server checks everything again. Emptiness and the benchmark's limit are checked here,
 * the rest by the family's own `check` (from its view). Returns a message naming the problem, or null.
 */
export async function checkArtifact(
  file: File,
  maxBytes: number | undefined,
  check: ArtifactSpec['check'],
): Promise<string | null> {
  if (file.size === 0) return `${file.name} is empty`;
  if (maxBytes !== undefined && file.size > maxBytes) {
    return `${file.name} is ${(file.size / 1024 / 1024).toFixed(1)} MiB; this benchmark accepts at most ${(maxBytes / 1024 / 1024).toFixed(1)} MiB`;
  }
  return check ? check({ name: file.name, text: await file.text() }) : null;
}

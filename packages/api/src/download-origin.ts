import type { Config } from '@trueboard/core';
import { hostPolicy } from './allowed-hosts';

type OriginConfig = Parameters<typeof hostPolicy>[0] & Pick<Config, 'downloadOrigin'>;

/** host[:port] with the scheme's default port dropped, lowercase: how two Host values compare. */
function hostKey(host: string): string {
  return host.toLowerCase().replace(/:(80|443)$/, '');
}

/** Whether the request came in on `TRUEBOARD_DOWNLOAD_ORIGIN`, the origin reserved for user content. */
export function onDownloadOrigin(config: OriginConfig, req: Request): boolean {
  if (!config.downloadOrigin) return false;
  const host = hostPolicy(config).requestedHost(req.headers, new URL(req.url).host);
  return hostKey(host) === hostKey(new URL(config.downloadOrigin).host);
}

/** Where download links point: the download origin when one is configured, else this origin. */
export function downloadBase(config: Pick<Config, 'downloadOrigin'>): string {
  return config.downloadOrigin ?? '';
}

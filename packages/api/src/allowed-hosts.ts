import { hostname as machineName, networkInterfaces } from 'node:os';
import type { Config } from '@trueboard/core';
import { json } from './rest/respond';

export type HostConfig = Pick<Config, 'publicUrl' | 'downloadOrigin' | 'allowedHosts' | 'trustProxy'>;

/**
 * Which Host headers the platform answers to (DNS rebinding defence: a page on evil.example whose
 * name is re-pointed at this server still sends `Host: evil.example`). Allowed: the hosts of
 * TRUEBOARD_PUBLIC_URL and TRUEBOARD_DOWNLOAD_ORIGIN; TRUEBOARD_ALLOWED_HOSTS (`.example.org` also
 * allows subdomains, `*` turns the check off); loopback names and addresses; and this machine's
 * hostname and interface addresses, so runners on other machines can use `http://<host or IP>:3000`
 * with no setting (a rebinding page can only send its own name, never this machine's address).
 */
export class HostPolicy {
  private readonly exact = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly any: boolean;
  private interfacesReadAt = 0;

  constructor(private readonly config: HostConfig) {
    const configured = [...config.allowedHosts];
    for (const origin of [config.publicUrl, config.downloadOrigin])
      if (origin) configured.push(new URL(origin).hostname);
    this.any = configured.includes('*');
    for (const h of configured) {
      if (h.startsWith('.')) this.suffixes.push(h.toLowerCase());
      else if (h !== '*') this.exact.add(normalizeHostname(h) ?? h.toLowerCase());
    }
    for (const h of ['localhost', '127.0.0.1', '[::1]', '0.0.0.0', '[::]']) this.exact.add(h);
    const name = machineName().toLowerCase();
    if (name) for (const h of [name, `${name}.local`]) this.exact.add(h);
    this.readInterfaces();
  }

  /** The Host header (or, behind a trusted proxy, X-Forwarded-Host) a request was sent to. */
  requestedHost(headers: Headers, fallback: string): string {
    const forwarded = this.config.trustProxy > 0 ? headers.get('x-forwarded-host')?.split(',').at(-1)?.trim() : null;
    return forwarded || headers.get('host') || fallback;
  }

  allows(host: string): boolean {
    if (this.any) return true;
    const name = normalizeHostname(host);
    if (!name) return false;
    if (this.matches(name)) return true;
    // interfaces come and go (DHCP, VPN): look again, at most once a minute, before refusing
    if (Date.now() - this.interfacesReadAt > 60_000) {
      this.readInterfaces();
      return this.matches(name);
    }
    return false;
  }

  private matches(name: string): boolean {
    if (this.exact.has(name)) return true;
    if (/^127\.\d+\.\d+\.\d+$/.test(name) || name.endsWith('.localhost')) return true;
    return this.suffixes.some((s) => name.endsWith(s) || name === s.slice(1));
  }

  private readInterfaces() {
    this.interfacesReadAt = Date.now();
    for (const list of Object.values(networkInterfaces())) {
      for (const i of list ?? []) {
        const n = normalizeHostname(i.family === 'IPv6' ? `[${i.address.split('%')[0]}]` : i.address);
        if (n) this.exact.add(n);
      }
    }
  }

  /** Why a host is refused, for the 421 answer. */
  refusal(host: string): string {
    return `this server does not answer to the host "${host.slice(0, 200)}": open it by its configured address, or add the name to TRUEBOARD_ALLOWED_HOSTS (or set TRUEBOARD_PUBLIC_URL)`;
  }
}

/** A Host header's name as the WHATWG URL parser reads it (lowercase, IPs canonical), without port. */
export function normalizeHostname(host: string): string | null {
  if (!host || /[\s/\\?#@]/.test(host)) return null;
  try {
    const name = new URL(`http://${host}`).hostname;
    return name.endsWith('.') ? name.slice(0, -1) : name;
  } catch {
    return null;
  }
}

const policies = new WeakMap<HostConfig, HostPolicy>();

/** One policy per configuration (reading the interfaces once, not per request). */
export function hostPolicy(config: HostConfig): HostPolicy {
  let p = policies.get(config);
  if (!p) {
    p = new HostPolicy(config);
    policies.set(config, p);
  }
  return p;
}

/** 421 Misdirected Request for a Host this server does not answer to; null when the host is fine. */
export function refuseUnknownHost(req: Request, config: HostConfig): Response | null {
  const policy = hostPolicy(config);
  const host = policy.requestedHost(req.headers, new URL(req.url).host);
  if (policy.allows(host)) return null;
  return json({ error: { code: 'misdirected', message: policy.refusal(host) } }, 421);
}

import type { ConfigIssue } from './errors.js';
import type { Env, Profile } from './schema.js';

/**
 * What each surface's block is built from besides the parsed env: the profile and the public URL other URLs
 * derive from. A builder that finds a problem across keys pushes it to `issues`; the parse then fails naming
 * every one of them at once.
 */
export interface BuildContext {
  profile: Profile;
  sandbox: boolean;
  /** PUBLIC_URL without a trailing slash (default http://localhost:API_PORT). */
  publicUrl: string;
  /** HOME_DOMAIN (default: the host of PUBLIC_URL). */
  homeDomain: string;
  issues: ConfigIssue[];
}

export function buildContext(e: Env, issues: ConfigIssue[]): BuildContext {
  const publicUrl = withoutTrailingSlash(e.PUBLIC_URL ?? `http://localhost:${e.API_PORT}`);
  return {
    profile: e.PROFILE,
    sandbox: e.PROFILE === 'sandbox',
    publicUrl,
    homeDomain: e.HOME_DOMAIN ?? new URL(publicUrl).host,
    issues,
  };
}

export function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

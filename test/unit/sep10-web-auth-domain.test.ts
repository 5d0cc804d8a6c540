import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { configIssues } from '../helpers/config.js';

/** SEP10_WEB_AUTH_DOMAIN (S10-13): what the challenge's web_auth_domain op carries and POST /auth requires. */
describe('SEP10_WEB_AUTH_DOMAIN (S10-13)', () => {
  it('sandbox default: the hostname of PUBLIC_URL without the port; the home domain keeps the port', () => {
    const c = loadConfig({ PROFILE: 'sandbox', PUBLIC_URL: 'http://localhost:8000' });
    expect(c.sep10.webAuthDomain).toBe('localhost');
    expect(c.sep10.homeDomains).toEqual(['localhost:8000']);
  });

  it('a configured value wins, port included (clients that compare URL.host)', () => {
    const c = loadConfig({
      PROFILE: 'sandbox',
      PUBLIC_URL: 'http://localhost:8000',
      SEP10_WEB_AUTH_DOMAIN: 'localhost:8000',
    });
    expect(c.sep10.webAuthDomain).toBe('localhost:8000');
  });

  it('a value that is not a host is a config error naming the key', () => {
    const issues = configIssues({
      PROFILE: 'sandbox',
      SEP10_WEB_AUTH_DOMAIN: 'https://anchor.example.com/auth',
    });
    expect(issues.SEP10_WEB_AUTH_DOMAIN).toMatch(/not a host name/);
  });
});

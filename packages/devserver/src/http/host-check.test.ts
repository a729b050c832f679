import { describe, expect, it } from 'vitest';
import { canonicalHostname, hostPolicy, isAllowedHost } from './host-check.js';

describe('isAllowedHost', () => {
  const loopbackOnly = hostPolicy('127.0.0.1', undefined);

  it.each([
    'localhost',
    'localhost:4477',
    'LOCALHOST:1',
    'localhost.',
    'app.localhost:3000',
    '127.0.0.1',
    '127.0.0.1:4477',
    '127.8.9.10:80',
    '127.1:4477',
    '[::1]',
    '[::1]:4477',
    '[0:0:0:0:0:0:0:1]:4477',
    '[::ffff:127.0.0.1]:4477',
  ])('accepts the loopback host %s', (host) => {
    expect(isAllowedHost(host, loopbackOnly)).toBe(true);
  });

  it.each([
    'evil.example',
    'evil.example:4477',
    'localhost.evil.example',
    'evil.example@127.0.0.1',
    '127.0.0.1.evil.example',
    '10.0.0.5:4477',
    '[::2]:4477',
    '[::ffff:10.0.0.1]',
    'localhost:4477/x',
    'local host',
    '',
  ])('refuses %j when bound to loopback', (host) => {
    expect(isAllowedHost(host, loopbackOnly)).toBe(false);
  });

  it('allows a request without Host (no browser omits it)', () => {
    expect(isAllowedHost(undefined, loopbackOnly)).toBe(true);
  });

  it('allows the bound host and allowedHosts, with .domain for subdomains', () => {
    const policy = hostPolicy('devbox.lan', ['my.example', '.tunnel.example']);
    expect(isAllowedHost('devbox.lan:4477', policy)).toBe(true);
    expect(isAllowedHost('my.example', policy)).toBe(true);
    expect(isAllowedHost('a.my.example', policy)).toBe(false);
    expect(isAllowedHost('tunnel.example', policy)).toBe(true);
    expect(isAllowedHost('x.tunnel.example:443', policy)).toBe(true);
    expect(isAllowedHost('evil.example', policy)).toBe(false);
    expect(isAllowedHost('localhost:1', policy)).toBe(true);
  });

  it('allows any IP literal, but no other name, when bound to every interface', () => {
    for (const bind of ['0.0.0.0', '::']) {
      const policy = hostPolicy(bind, undefined);
      expect(isAllowedHost('192.168.1.20:4477', policy)).toBe(true);
      expect(isAllowedHost('[fe80::1]:4477', policy)).toBe(true);
      expect(isAllowedHost('evil.example:4477', policy)).toBe(false);
    }
  });

  it('allows a non-loopback bound IPv6 address', () => {
    expect(isAllowedHost('[fd00::5]:4477', hostPolicy('fd00::5', undefined))).toBe(true);
  });

  it("allows everything with allowedHosts: 'all'", () => {
    expect(isAllowedHost('evil.example', hostPolicy('127.0.0.1', 'all'))).toBe(true);
  });
});

describe('canonicalHostname', () => {
  it('normalises addresses the way browsers write them', () => {
    expect(canonicalHostname('127.1:80')).toBe('127.0.0.1');
    expect(canonicalHostname('[0::1]')).toBe('[::1]');
    expect(canonicalHostname('Example.COM.')).toBe('example.com');
    expect(canonicalHostname('a@b')).toBeUndefined();
  });
});

// What the simulator's OPC UA server offers, as configured by option or CLI flag (pure parts).
import { describe, expect, it } from 'vitest';
import { MessageSecurityMode, SecurityPolicy } from 'node-opcua';
import { CliError, OPCUA_PASSWORD_ENV, parseCli } from '../../plc-sim/cli-options.js';
import { DEFAULT_OPCUA_SECURITY, checkSecurity, describeSecurity } from '../../plc-sim/opcua-security.js';
import { serverSecurityOptions } from '../../plc-sim/opcua-server.js';

describe('simulator OPC UA security settings', () => {
  it('defaults to None plus Basic256Sha256 Sign and SignAndEncrypt, anonymous (the demo connects with None)', () => {
    const o = serverSecurityOptions(DEFAULT_OPCUA_SECURITY);
    expect(o.securityModes).toEqual([MessageSecurityMode.None, MessageSecurityMode.Sign, MessageSecurityMode.SignAndEncrypt]);
    expect(o.securityPolicies).toEqual([SecurityPolicy.None, SecurityPolicy.Basic256Sha256]);
    expect(o.allowAnonymous).toBe(true);
    expect('userManager' in o).toBe(false);
    expect(describeSecurity(DEFAULT_OPCUA_SECURITY)).toBe('security None, Sign/Basic256Sha256, SignAndEncrypt/Basic256Sha256; anonymous allowed');
  });

  it('with users: anonymous refused, only the right password accepted', () => {
    const o = serverSecurityOptions({ modes: ['SignAndEncrypt'], policies: ['Basic256Sha256'], users: [{ name: 'maint', password: 'pw' }] });
    expect(o.securityModes).toEqual([MessageSecurityMode.SignAndEncrypt]);
    expect(o.securityPolicies).toEqual([SecurityPolicy.Basic256Sha256]);
    expect(o.allowAnonymous).toBe(false);
    const users = o.userManager as { isValidUser(u: string, p: string): boolean };
    expect(users.isValidUser('maint', 'pw')).toBe(true);
    expect(users.isValidUser('maint', 'PW')).toBe(false);
    expect(users.isValidUser('admin', 'pw')).toBe(false);
  });

  it('refuses settings that offer nothing usable, saying what to give', () => {
    expect(() => checkSecurity({ modes: [], policies: ['Basic256Sha256'], users: [] })).toThrow(/at least one mode/);
    expect(() => checkSecurity({ modes: ['Sign'], policies: [], users: [] })).toThrow(/need at least one policy/);
    expect(() => checkSecurity({ modes: ['None'], policies: [], users: [] })).not.toThrow();
  });

  it('CLI: --opcua-security, --opcua-policy and --opcua-user (password from the environment)', () => {
    expect(parseCli([], {}).opcuaSecurity).toEqual(DEFAULT_OPCUA_SECURITY);
    const o = parseCli(['--opcua-security', 'SignAndEncrypt', '--opcua-policy', 'Basic256Sha256,Aes256_Sha256_RsaPss', '--opcua-user', 'maint'], { [OPCUA_PASSWORD_ENV]: 's3cret' });
    expect(o.opcuaSecurity).toEqual({ modes: ['SignAndEncrypt'], policies: ['Basic256Sha256', 'Aes256_Sha256_RsaPss'], users: [{ name: 'maint', password: 's3cret' }] });
  });

  it.each([
    [['--opcua-security', 'Encrypt'], '--opcua-security Encrypt: "Encrypt" is not one of None, Sign, SignAndEncrypt'],
    [['--opcua-security', ''], '--opcua-security : give at least one of None, Sign, SignAndEncrypt'],
    [['--opcua-policy', 'Basic128Rsa15'], '"Basic128Rsa15" is not one of Basic256Sha256'],
    [['--opcua-user', 'maint'], `--opcua-user maint: set the environment variable ${OPCUA_PASSWORD_ENV} to its password`],
  ])('CLI %j → %s', (argv, message) => {
    expect(() => parseCli(argv, {})).toThrow(CliError);
    expect(() => parseCli(argv, {})).toThrow(message);
  });
});

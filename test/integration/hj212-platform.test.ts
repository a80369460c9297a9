// The reference platform over a real TCP socket: frames a split stream, answers what asks for an
// answer (CN 9014 with the same QN), reports what is invalid; and `npm run hj212 -- check` exits 1
// on a bad packet.
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { startReferencePlatform, type ReferencePlatform } from '../../edge/hj212/reference-platform.js';
import { decodePacket, headerValue } from '../../shared/hj212/packet.js';
import { Hj212Framer } from '../../edge/hj212/framer.js';

// github.com/liruoyu2008/HJ212Interpreter — README.md
const UPLOAD = '##0162QN=20231008123340461;ST=22;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=5;CP=&&DataTime=20231008123340;w01008-SampleTime=20231008123340,w01008-Rtd=123.456&&F441\r\n';

let platform: ReferencePlatform | undefined;
let socket: Socket | undefined;
afterEach(async () => {
  socket?.destroy();
  await platform?.close();
});

describe('reference platform', () => {
  it('answers an upload that asks for it, in pieces and after garbage, and logs without the password', async () => {
    const lines: string[] = [];
    platform = await startReferencePlatform({ port: 0, log: (l) => lines.push(l) });
    socket = connect(platform.port, '127.0.0.1');
    await once(socket, 'connect');
    const answers = new Hj212Framer();
    const answer = new Promise<string>((resolve) => socket!.on('data', (c) => {
      const out = answers.push(c).find((o) => o.kind === 'packet');
      if (out?.kind === 'packet') resolve(out.text);
    }));
    const invalid = once(platform.events, 'invalid');
    socket.write('noise');
    socket.write(UPLOAD.slice(0, 40));
    socket.write(UPLOAD.slice(40));
    const reply = decodePacket(await answer);
    expect(headerValue(reply, 'CN')).toBe('9014');
    expect(headerValue(reply, 'QN')).toBe('20231008123340461');
    expect(headerValue(reply, 'MN')).toBe('010000A8900016F000169DC0');
    expect((await invalid)[0].reason).toMatch(/before the frame start/);
    const badCrc = once(platform.events, 'invalid');
    socket.write(UPLOAD.replace('F441', 'F442'));
    expect((await badCrc)[0].reason).toMatch(/bad CRC/);
    expect(platform.received).toHaveLength(1);
    expect(lines.join('\n')).not.toContain('123456;');
    expect(lines.join('\n')).toContain('PW=***');
  });
});

describe('npm run hj212 -- check', () => {
  it('prints one line per packet and exits 1 when one is invalid', () => {
    const run = spawnSync('npx', ['tsx', 'edge/hj212/hj212-cli.ts', 'check'], { input: `${UPLOAD}##0001x\n`, encoding: 'utf8' });
    expect(run.stdout.trim().split('\n')).toEqual(['ok 2011 010000A8900016F000169DC0', expect.stringMatching(/^invalid: /)]);
    expect(run.status).toBe(1);
  });
});

// HTTP as an attacker sends it: the request target exactly as given (percent-encoding, doubled
// slashes, dot segments and absolute-form are not normalised away as fetch() would), any method,
// any headers, any body bytes. A request that gets no answer within `timeoutMs` is "hung".
import { request } from 'node:http';

export interface RawRequest {
  method: string;
  target: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

export type RawAnswer =
  | { kind: 'answer'; status: number; body: string; ms: number; contentType: string }
  | { kind: 'hung'; ms: number }
  | { kind: 'reset'; error: string; ms: number };

/** Keeps the first `maxBody` bytes of the answer (enough to judge it; a huge answer is not held). */
export function send(base: string, r: RawRequest, timeoutMs = 10_000, maxBody = 64 * 1024): Promise<RawAnswer> {
  const url = new URL(base);
  const started = performance.now();
  return new Promise((resolve) => {
    let done = false;
    const finish = (a: RawAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(a);
    };
    let req: ReturnType<typeof request>;
    try {
      req = request({ host: url.hostname, port: url.port, method: r.method, path: r.target, headers: r.headers, agent: false, insecureHTTPParser: false });
    } catch (err) {
      // Node itself refuses to send it (a character not allowed in a path or header): nothing reached the edge.
      resolve({ kind: 'reset', error: `not sendable: ${(err as Error).message}`, ms: 0 });
      return;
    }
    const timer = setTimeout(() => {
      req.destroy();
      finish({ kind: 'hung', ms: performance.now() - started });
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= maxBody) chunks.push(c);
      });
      res.on('end', () => finish({ kind: 'answer', status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started, contentType: String(res.headers['content-type'] ?? '') }));
      res.on('error', (err) => finish({ kind: 'reset', error: err.message, ms: performance.now() - started }));
    });
    req.on('error', (err) => finish({ kind: 'reset', error: err.message, ms: performance.now() - started }));
    if (r.body !== undefined) req.end(r.body);
    else req.end();
  });
}

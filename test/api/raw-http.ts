// Requests written byte for byte on a TCP (or TLS) socket, so a test can send request targets that
// fetch() and http.request would normalise or refuse: percent-encoded, absolute-form, dot segments,
// doubled slashes. A request that gets no answer in time is reported as a hang, not a test time-out.
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawAnswer {
  status: number | 'hang' | 'closed';
  headers: Record<string, string>;
  body: string;
}

export function rawRequest(base: string, target: string, options: { method?: string; headers?: Record<string, string>; body?: string; timeoutMs?: number } = {}): Promise<RawAnswer> {
  const url = new URL(base);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const headers: Record<string, string> = { host: url.host, connection: 'close', ...options.headers };
  if (options.body !== undefined) headers['content-length'] = String(Buffer.byteLength(options.body));
  const head = `${options.method ?? 'GET'} ${target} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return new Promise((resolve) => {
    const socket = secure
      ? tlsConnect({ host: url.hostname, port, rejectUnauthorized: false })
      : tcpConnect({ host: url.hostname, port });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (answer: RawAnswer) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(answer);
    };
    const timer = setTimeout(() => finish({ status: 'hang', headers: {}, body: '' }), options.timeoutMs ?? 3000);
    socket.on(secure ? 'secureConnect' : 'connect', () => socket.write(head + (options.body ?? '')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return finish({ status: 'closed', headers: {}, body: text });
      const [statusLine, ...lines] = text.slice(0, split).split('\r\n');
      const answerHeaders: Record<string, string> = {};
      for (const l of lines) {
        const i = l.indexOf(':');
        if (i > 0) answerHeaders[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
      }
      let body = text.slice(split + 4);
      if (answerHeaders['transfer-encoding'] === 'chunked') body = unchunk(body);
      finish({ status: Number(statusLine!.split(' ')[1]), headers: answerHeaders, body });
    });
  });
}

function unchunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    if (eol < 0) return out;
    const size = parseInt(rest.slice(0, eol), 16);
    if (!size) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** Every spelling of `path` (which starts with /api/) that must get the canonical path's answer. */
export function spellingsOf(path: string, host: string): Record<string, string> {
  const rest = path.slice('/api/'.length);
  const encodedFirst = path.replace(/^\/a/, '/%61');
  return {
    canonical: path,
    'percent-encoded': encodedFirst,
    'percent-encoded, upper hex': path.replace(/^\/ap/, '/%41%50'),
    'absolute-form': `http://${host}${path}`,
    'dot segments': `/api/../api/${rest}`,
    'encoded dot segments': `/x/%2e%2e/api/${rest}`,
    'single dot': `/api/./${rest}`,
    'doubled slashes': `//api//${rest}`,
    'upper case': path.toUpperCase(),
    'trailing slash': `${path}/`,
  };
}

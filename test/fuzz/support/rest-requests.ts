// Hostile requests for every route of the running edge's catalogue, and what the answer may be.
// Routes come from the app (edge-child.ts) and, where published, their OpenAPI entry (access,
// parameters, body schema, documented 5xx answers); nothing here names a route.
import fc from 'fast-check';
import type { CatalogueRoute } from './edge-process.js';
import type { RawRequest } from './raw-http.js';
import { CSRF_HEADER } from '../../../shared/auth-api.js';
import { anyJson, mutated, nastyNumber, nastyString, valid } from './json-schema-arbitrary.js';

type Schema = Record<string, unknown>;

export interface RouteModel {
  method: string;
  url: string;
  /** 'public', 'any', a role, or null when nothing declares it (then treated as needing a login). */
  access: string | null;
  params: string[];
  query: Array<{ name: string; schema: Schema }>;
  body: Schema | null;
  /** 5xx answers the route documents (e.g. 502 device refused, 503 device offline). */
  documented5xx: number[];
  pattern: RegExp;
}

export type Caller =
  | { kind: 'anonymous' } | { kind: 'role'; role: string; token: string } | { kind: 'bad-token'; token: string }
  | { kind: 'expired'; token: string } | { kind: 'cookie'; role: string; token: string; csrf: boolean } | { kind: 'garbage-header'; value: string };

export interface FuzzRequest {
  route: RouteModel;
  caller: Caller;
  request: RawRequest;
  /** How the target was spelled: the canonical path, or a variant the router may decode to the same route. */
  spelling: string;
}

const patternOf = (url: string) =>
  new RegExp(`^${url.split('/').map((seg) => (seg.startsWith(':') ? '[^/]+' : seg === '*' ? '.*' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}$`, 'i');

/** Joins the catalogue with the OpenAPI document (either may lack a route). */
export function routeModels(catalogue: CatalogueRoute[], openapi: { paths?: Record<string, Record<string, Schema>> } | null): RouteModel[] {
  const out: RouteModel[] = [];
  const seen = new Set<string>();
  for (const r of catalogue) {
    const key = `${r.method} ${r.url}`;
    if (seen.has(key) || !r.url) continue;
    seen.add(key);
    const op = openapi?.paths?.[r.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[r.method.toLowerCase()] as Schema | undefined;
    const parameters = (op?.parameters ?? []) as Array<{ name: string; in: string; schema: Schema }>;
    const schema = r.schema ?? {};
    const queryFromRoute = Object.entries(((schema.querystring as Schema | undefined)?.properties ?? {}) as Record<string, Schema>).map(([name, s]) => ({ name, schema: s }));
    const bodyFromOp = ((op?.requestBody as Schema | undefined)?.content as Record<string, { schema: Schema }> | undefined)?.['application/json']?.schema;
    const responses = (op?.responses ?? {}) as Record<string, unknown>;
    out.push({
      method: r.method,
      url: r.url,
      access: typeof r.access === 'string' ? r.access : typeof op?.['x-access'] === 'string' ? (op['x-access'] as string) : null,
      params: r.url.split('/').filter((s) => s.startsWith(':')).map((s) => s.slice(1)),
      query: [...queryFromRoute, ...parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema }))],
      body: (schema.body as Schema | undefined) ?? bodyFromOp ?? null,
      documented5xx: [...new Set([...Object.keys(responses).map(Number), ...(r.statuses ?? [])])].filter((s) => s >= 500),
      pattern: patternOf(r.url),
    });
  }
  // Fastify adds a HEAD route for every GET; it is decided like its GET.
  for (const m of out) {
    if (m.method !== 'HEAD' || m.access !== null) continue;
    const get = out.find((g) => g.method === 'GET' && g.url === m.url);
    if (get) Object.assign(m, { access: get.access, query: get.query, documented5xx: get.documented5xx });
  }
  return out;
}

/** The path the router should act on: absolute-form, percent-encoding, doubled slashes, dot segments and a trailing slash removed. */
export function canonicalPath(target: string): string {
  let path = target.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '');
  path = path.split(/[?#]/, 1)[0]!;
  for (let i = 0; i < 3; i++) {
    try {
      const d = decodeURIComponent(path);
      if (d === path) break;
      path = d;
    } catch {
      break;
    }
  }
  const segments: string[] = [];
  for (const seg of path.replace(/\\/g, '/').split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  return `/${segments.join('/')}`;
}

const ROLE_ORDER = ['operator', 'maintenance', 'manager', 'admin'];

/**
 * Whether a 2xx for this caller on whatever route the target decodes to would be a leak:
 * non-public routes need a valid token, role routes need that role (deny by default: a route
 * without an access declaration counts as needing at least a login).
 */
export function leak(routes: RouteModel[], r: FuzzRequest, status: number): string | null {
  if (status < 200 || status >= 300) return null;
  const path = canonicalPath(r.request.target);
  // On a plant host a line's API is under /lines/<group>/<edge node>/ (the line server sees it without the prefix).
  // /metrics (edge/metrics) is guarded like the API: the scrape token or an admin.
  if (!/^(\/lines\/[^/]+\/[^/]+)?\/(api(\/|$)|metrics$)/i.test(path)) return null; // the twin UI and login page are public by design
  const matches = routes.filter((m) => m.pattern.test(path) && (m.method === r.request.method.toUpperCase() || (r.request.method.toUpperCase() === 'HEAD' && m.method === 'GET')));
  if (matches.some((m) => m.access === 'public')) return null;
  const c = r.caller;
  const role = c.kind === 'role' || c.kind === 'cookie' ? c.role : null;
  const cookieOk = c.kind === 'cookie' && (c.csrf || ['GET', 'HEAD'].includes(r.request.method.toUpperCase()));
  if (!role || (c.kind === 'cookie' && !cookieOk)) return `${c.kind} caller got ${status} on ${r.request.method} ${path} (${matches.map((m) => `${m.url}: ${m.access ?? 'undeclared'}`).join(', ') || 'no catalogued route'})`;
  for (const m of matches) {
    // 'scrape': the fuzzer holds no scrape token, so a session must be an admin's.
    const needs = m.access === 'scrape' ? 'admin' : m.access;
    if (needs && ROLE_ORDER.includes(needs) && ROLE_ORDER.indexOf(role) < ROLE_ORDER.indexOf(needs)) {
      return `${role} got ${status} on ${r.request.method} ${path}, which needs ${m.access}`;
    }
  }
  return null;
}

/** The documented 5xx answers of the route the target decodes to (none if it matches no route). */
export function documented5xx(routes: RouteModel[], r: FuzzRequest): number[] {
  const path = canonicalPath(r.request.target);
  return routes.filter((m) => m.pattern.test(path)).flatMap((m) => m.documented5xx);
}

/** encodeURIComponent that takes lone surrogates too (as U+FFFD); raw invalid UTF-8 is sent by the %FF constants. */
const encode = (s: string) => encodeURIComponent(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

const TIME_VALUES = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.constantFrom('0', '-1', '1000000000000000', '99999999999999999999', 'NaN', 'Infinity', '-Infinity', '1e308', '', ' ', '0x1F', '1.5', 'now', 'null', 'undefined', '[]', '{}'),
    fc.date({ min: new Date(-8.64e15), max: new Date(8.64e15), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.integer({ min: 0, max: 2 ** 53 }).map(String),
    fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }).map(String),
    fc.constantFrom('2026-13-45T99:99:99Z', '2026-02-30', '1970-01-01', '+275760-09-13T00:00:00.000Z', '2026-12-02T00:00:00+14:00'),
    nastyString().map((s) => s.slice(0, 300)),
  );

const QUERY_NAMES = ['from', 'to', 'at', 'since', 'limit', 'after', 'format', 'maxPoints', 'bucket', 'all', 'machineId', 'shift', 'date', 'name', 'kind', 'state', 'q'];

function queryValue(schema: Schema | undefined): fc.Arbitrary<string> {
  const fromSchema = schema ? valid(schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? '')) : fc.constant('');
  return fc.oneof({ weight: 2, arbitrary: fromSchema }, { weight: 3, arbitrary: TIME_VALUES() }, { weight: 1, arbitrary: nastyNumber().map(String) });
}

function queryString(route: RouteModel): fc.Arbitrary<string> {
  const names = [...new Set([...route.query.map((q) => q.name), ...QUERY_NAMES])];
  const pair = fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...names) }, { weight: 1, arbitrary: nastyString().map((s) => s.slice(0, 40)) }), fc.nat())
    .chain(([name]) => queryValue(route.query.find((q) => q.name === name)?.schema).map((v) => [name, v] as const));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant('') },
    { weight: 6, arbitrary: fc.array(pair, { maxLength: 5 }).map((ps) => (ps.length ? `?${ps.map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&')}` : '')) },
    { weight: 1, arbitrary: fc.constantFrom('?', '?&&&', '?from', '?from=1&from=2&from=3', '?%ZZ=1', `?${'a=1&'.repeat(3000)}`, '?__proto__[x]=1', '?to[]=1&to[]=2') },
  );
}

function paramValue(known: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known) },
    { weight: 2, arbitrary: nastyString().map((s) => encode(s.slice(0, 2000))) },
    { weight: 1, arbitrary: fc.constantFrom('..', '%2e%2e', '%2F', '%00', '%ZZ', '-1', '0', '1', '99999999999999999999', 'NaN', '1e999', 'a'.repeat(9000), '%252e', '%FF%FE', '%C0%AE%C0%AE') },
  );
}

/** Spellings that must decide like the canonical path (issue 16.1). */
function spell(path: string, port: number): fc.Arbitrary<{ target: string; spelling: string }> {
  return fc.tuple(fc.constantFrom('canonical', 'canonical', 'canonical', 'percent', 'double-slash', 'trailing-slash', 'dot-segment', 'absolute-form', 'case', 'backslash', 'encoded-slash'), fc.nat())
    .map(([how, n]) => {
      const letters = [...path].map((ch, i) => ({ ch, i })).filter(({ ch }) => /[a-z]/.test(ch));
      const pick = letters.length ? letters[n % letters.length]!.i : 1;
      const slash = [...path].map((ch, i) => ({ ch, i })).filter(({ ch }) => ch === '/');
      const at = slash.length ? slash[n % slash.length]!.i : 0;
      switch (how) {
        case 'percent': return { target: `${path.slice(0, pick)}%${path.charCodeAt(pick).toString(16)}${path.slice(pick + 1)}`, spelling: how };
        case 'double-slash': return { target: `${path.slice(0, at)}/${path.slice(at)}`, spelling: how };
        case 'trailing-slash': return { target: `${path}/`, spelling: how };
        case 'dot-segment': return { target: `${path.slice(0, at)}/x/..${path.slice(at)}`.replace('//', '/'), spelling: how };
        case 'absolute-form': return { target: `http://127.0.0.1:${port}${path}`, spelling: how };
        case 'case': return { target: path.toUpperCase(), spelling: how };
        case 'backslash': return { target: path.replace(/\//g, '\\'), spelling: how };
        case 'encoded-slash': return { target: path.replace(/\//g, (m, i: number) => (i === 0 ? m : '%2F')), spelling: how };
        default: return { target: path, spelling: how };
      }
    });
}

const DEEP_JSON = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const DEEP_OBJECT = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

function body(route: RouteModel): fc.Arbitrary<{ body?: string; contentType?: string }> {
  const json = (a: fc.Arbitrary<unknown>) => a.map((v) => ({ body: JSON.stringify(v) ?? 'null', contentType: 'application/json' }));
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant({}) },
    { weight: 4, arbitrary: json(route.body ? mutated(route.body) : anyJson(3)) },
    { weight: 2, arbitrary: json(route.body ? valid(route.body) : anyJson(2)) },
    { weight: 1, arbitrary: json(anyJson(4)) },
    {
      weight: 2, arbitrary: fc.constantFrom(
        { body: `[${'1,'.repeat(30_000)}1]`, contentType: 'application/json' },
        { body: DEEP_JSON(5000), contentType: 'application/json' },
        { body: DEEP_OBJECT(5000), contentType: 'application/json' },
        { body: `{"a":"${'x'.repeat(70_000)}"}`, contentType: 'application/json' },
        { body: '{"kind":', contentType: 'application/json' },
        { body: '', contentType: 'application/json' },
        { body: 'null', contentType: 'application/json' },
        { body: '{"__proto__":{"isAdmin":true}}', contentType: 'application/json' },
        { body: 'kind=ack-alarm', contentType: 'application/x-www-form-urlencoded' },
        { body: 'hello', contentType: 'text/plain' },
        { body: '--b\r\n\r\nx\r\n--b--', contentType: 'multipart/form-data; boundary=b' },
        { body: '{"a":1}', contentType: 'application/json; charset=utf-7' },
        { body: '\u0000\u0001\u0002', contentType: 'application/octet-stream' },
      ),
    },
  );
}

export interface Credentials {
  tokens: Record<string, string>;
  expired: string;
}

function caller(creds: Credentials): fc.Arbitrary<Caller> {
  const roles = Object.keys(creds.tokens);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant({ kind: 'anonymous' } as Caller) },
    { weight: 6, arbitrary: fc.constantFrom(...roles).map((role) => ({ kind: 'role', role, token: creds.tokens[role]! }) as Caller) },
    {
      weight: 2, arbitrary: fc.tuple(fc.constantFrom(...roles), fc.nat(), fc.constantFrom('flip', 'cut', 'swap-role', 'alg-none', 'garbage')).map(([role, n, how]) => {
        const t = creds.tokens[role]!;
        const [v, payload, sig] = t.split('.') as [string, string, string];
        let bad = t;
        if (how === 'flip') { const i = n % t.length; bad = t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1); }
        else if (how === 'cut') bad = t.slice(0, n % t.length);
        else if (how === 'swap-role') bad = `${v}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString() || '{}'), role: 'admin' })).toString('base64url')}.${sig}`;
        else if (how === 'alg-none') bad = `${v}.${payload}.`;
        else bad = 'x'.repeat(n % 3000);
        // Swapping an admin's role to admin re-encodes the very same token: a bad token must differ.
        if (bad === t) bad = `${t}x`;
        return { kind: 'bad-token', token: bad } as Caller;
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'expired', token: creds.expired } as Caller) },
    { weight: 2, arbitrary: fc.tuple(fc.constantFrom(...roles), fc.boolean()).map(([role, csrf]) => ({ kind: 'cookie', role, token: creds.tokens[role]!, csrf }) as Caller) },
    { weight: 1, arbitrary: fc.constantFrom('Basic YWRtaW46YWRtaW4=', 'Bearer', 'Bearer  ', `Bearer ${'a'.repeat(10_000)}`, 'bearer v1..', 'Negotiate x').map((value) => ({ kind: 'garbage-header', value }) as Caller) },
  );
}

function headersOf(c: Caller): Record<string, string> {
  switch (c.kind) {
    case 'role': case 'bad-token': case 'expired': return { authorization: `Bearer ${c.token}` };
    case 'cookie': return { cookie: `twinline_session=${c.token}`, ...(c.csrf ? { [CSRF_HEADER]: '1' } : {}) };
    case 'garbage-header': return { authorization: c.value };
    default: return {};
  }
}

const ODD_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND', 'SEARCH'];

export function fuzzRequest(routes: RouteModel[], creds: Credentials, known: string[], port: number): fc.Arbitrary<FuzzRequest> {
  return fc.constantFrom(...routes).chain((route) =>
    fc.record({
      method: fc.oneof({ weight: 6, arbitrary: fc.constant(route.method) }, { weight: 1, arbitrary: fc.constantFrom(...ODD_METHODS) }),
      params: fc.tuple(...route.params.map(() => paramValue(known)), fc.constant('')),
      query: queryString(route),
      body: body(route),
      caller: caller(creds),
      n: fc.nat(),
    }).chain(({ method, params, query, body: b, caller: c }) => {
      let i = 0;
      const path = route.url.split('/').map((seg) => (seg.startsWith(':') ? params[i++]! : seg === '*' ? 'index.html' : seg)).join('/');
      return spell(path, port).map(({ target, spelling }) => {
        const headers: Record<string, string> = { ...headersOf(c) };
        const sendsBody = b.body !== undefined && method !== 'GET' && method !== 'HEAD';
        if (sendsBody && b.contentType) headers['content-type'] = b.contentType;
        const r: FuzzRequest = {
          route, caller: c, spelling,
          request: { method, target: target + query, headers, ...(sendsBody ? { body: b.body } : {}) },
        };
        // fast-check prints this in a failure report instead of the whole object (tokens, route model).
        Object.defineProperty(r, fc.toStringMethod, { value: () => describeRequest(r), enumerable: false });
        return r;
      });
    }),
  );
}

/** For the failure report: the request without megabytes of filler. */
export function describeRequest(r: FuzzRequest): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  return `${r.request.method} ${cut(r.request.target, 300)} as ${r.caller.kind}${'role' in r.caller ? ` ${r.caller.role}` : ''} [${r.spelling}]${r.request.body !== undefined ? ` body ${cut(String(r.request.body), 300)}` : ''}`;
}

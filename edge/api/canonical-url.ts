// One spelling per path, before anything routes on it (Fastify's rewriteUrl, and the plant host's
// /lines/… dispatch). RFC 3986 §6.2.2: percent-encoded unreserved characters are decoded
// ("/%61pi" is "/api"), dot segments removed ("/x/../api", also "%2e%2e"), doubled slashes folded;
// an absolute-form target ("GET http://host/api/…", RFC 9112 §3.2.2) keeps its path only. Reserved
// characters stay encoded ("%2F" in a tag name is not a path separator), so nothing is decoded
// twice. A trailing slash stays (a folder's relative links need it); the router ignores it, and
// matches case-insensitively, so case and trailing-slash variants find the same route.

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;
const UNRESERVED = /[A-Za-z0-9\-._~]/;

export function canonicalPath(path: string): string {
  const decoded = path.replace(/%([0-9A-Fa-f]{2})/g, (escape, hex: string) => {
    const c = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(c) ? c : escape.toUpperCase();
  });
  const segments = decoded.split('/');
  const out: string[] = [];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const last = i === segments.length - 1;
    if (s === '..') out.pop();
    else if (s !== '.' && s !== '') out.push(s);
    if (last && (s === '' || s === '.' || s === '..') && out.length) out.push('');
  }
  return `/${out.join('/')}`;
}

/** The canonical form of a request target: path as canonicalPath, query untouched. */
export function canonicalUrl(target: string): string {
  let url = target;
  const absolute = ABSOLUTE_FORM.exec(url);
  if (absolute) url = url.slice(absolute[0].length);
  const hash = url.indexOf('#');
  if (hash >= 0) url = url.slice(0, hash);
  const q = url.indexOf('?');
  const path = q >= 0 ? url.slice(0, q) : url;
  return canonicalPath(path) + (q >= 0 ? url.slice(q) : '');
}

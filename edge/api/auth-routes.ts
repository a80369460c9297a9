// POST /api/login, POST /api/logout, GET /api/session, and a minimal /login page for
// browsers (the twin's own login form can replace it; docs/api.md describes the flow). The
// session cookie is HttpOnly, SameSite=Strict, and Secure when the server speaks HTTPS.
import type { FastifyPluginAsync } from 'fastify';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { LoginBodySchema, LoginResponseSchema, SessionSchema } from '../../shared/auth-api.js';
import type { AuthService } from '../auth/index.js';
import { apiRoute, caller, ok } from './api-route.js';
import { bearerToken, cookieValue, SESSION_COOKIE, sendRefusal } from './auth-guard.js';

const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>twinline — log in</title>
<style>body{font:16px system-ui,sans-serif;background:#0f172a;color:#e2e8f0;display:grid;place-items:center;min-height:100vh;margin:0}
form{background:#1e293b;padding:2rem;border-radius:8px;display:grid;gap:.75rem;min-width:18rem}
input,button{font:inherit;padding:.5rem;border-radius:4px;border:1px solid #475569;background:#0f172a;color:inherit}
button{background:#0891b2;border:0;cursor:pointer}#error{color:#fca5a5;min-height:1.2em}#demo{color:#fde68a;max-width:22rem}</style></head>
<body><form id="login"><h1>twinline</h1><p id="demo" hidden></p>
<label>User <input name="username" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Log in</button><p id="error" role="alert"></p></form>
<script src="/login.js"></script></body></html>`;

// Served as a file, not inline: the Content-Security-Policy allows scripts from 'self' only.
const LOGIN_SCRIPT = `(async () => {
  const form = document.getElementById('login');
  const error = document.getElementById('error');
  try {
    // In demo mode a visitor without a token has the demo session, and with it the notice to show.
    const res = await fetch('/api/session');
    const session = res.ok ? await res.json() : null;
    if (session && session.demo) { const d = document.getElementById('demo'); d.textContent = session.demo.notice; d.hidden = false; }
  } catch {}
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    error.textContent = '';
    const body = JSON.stringify({ username: form.username.value, password: form.password.value });
    const res = await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    // Only a path on this server: ?next= must not send a fresh session to another site.
    const next = new URLSearchParams(location.search).get('next') || '/';
    if (res.ok) { location.href = /^\/(?![\/\\])/.test(next) ? next : '/'; return; }
    const answer = await res.json().catch(() => ({ error: res.statusText }));
    error.textContent = answer.error;
  });
})();`;

const err = (description: string) => ({ description, schema: ApiErrorSchema });

export const authRoutes: FastifyPluginAsync<{ auth: AuthService; now: () => number }> = async (app, { auth, now }) => {
  const cookie = (value: string, maxAgeSeconds: number) =>
    `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${app.secure ? '; Secure' : ''}`;

  app.route(apiRoute({
    method: 'POST', url: '/api/login', access: 'public', tag: 'auth',
    summary: 'Log in: a signed token (8 h) in the answer and an HttpOnly cookie',
    description: 'Rate-limited per client address and per user name (429 with Retry-After). Every attempt is audited.',
    body: LoginBodySchema,
    responses: { ...ok('logged in', LoginResponseSchema), 401: err('wrong user name or password'), 429: err('too many attempts') },
  }, async ({ body: { username, password }, req, reply }) => {
    const result = await auth.login(username, password, req.ip);
    if (!result.ok) return sendRefusal(reply, result.refusal);
    const maxAge = Math.max(0, Math.floor((result.answer.expiresAt - now()) / 1000));
    reply.header('set-cookie', cookie(encodeURIComponent(result.answer.token), maxAge));
    return result.answer;
  }));

  app.route(apiRoute({
    method: 'POST', url: '/api/logout', access: 'public', tag: 'auth',
    summary: 'End the session: its token stops working (also copies of it) and the cookie is cleared', responses: { 204: { description: 'logged out' } },
  }, ({ req, reply }) => {
    // Ends the session itself (edge/auth/session-store.ts): a copied token stops working too.
    auth.logout(bearerToken(req.headers.authorization) ?? cookieValue(req.headers.cookie, SESSION_COOKIE), req.ip);
    reply.header('set-cookie', cookie('', 0));
    return reply.code(204).send();
  }));

  app.route(apiRoute({
    method: 'GET', url: '/api/session', access: 'operator', tag: 'auth',
    summary: 'Who the caller is, and the demo-mode notice the twin must show', responses: ok('session', SessionSchema),
  }, (input) => auth.session(caller(input))));

  const page = { access: 'public', tag: 'auth', hidden: true, responses: { 200: { description: 'for browsers' } } } as const;
  app.route(apiRoute({ ...page, method: 'GET', url: '/login', summary: 'The login page' }, ({ reply }) => reply.type('text/html; charset=utf-8').send(LOGIN_PAGE)));
  app.route(apiRoute({ ...page, method: 'GET', url: '/login.js', summary: 'The login page\'s script' }, ({ reply }) => reply.type('text/javascript; charset=utf-8').send(LOGIN_SCRIPT)));
};

// POST /api/login, POST /api/logout, GET /api/session, and a minimal /login page for
// browsers (the twin's own login form can replace it; docs/api.md describes the flow).
import type { FastifyInstance } from 'fastify';
import { LoginBodySchema } from '../../shared/auth-api.js';
import type { AuthService } from '../auth/auth-service.js';
import { SESSION_COOKIE, sendRefusal } from './auth-guard.js';
import { parseInput } from './validation.js';

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
    const health = await (await fetch('/api/health')).json();
    if (health.auth && health.auth.notice) { const d = document.getElementById('demo'); d.textContent = health.auth.notice; d.hidden = false; }
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

export function registerAuthRoutes(app: FastifyInstance, auth: AuthService, now: () => number): void {
  app.post('/api/login', async (req, reply) => {
    const { username, password } = parseInput(LoginBodySchema, req.body, 'login');
    const result = await auth.login(username, password, req.ip);
    if (!result.ok) return sendRefusal(reply, result.refusal);
    const maxAge = Math.max(0, Math.floor((result.answer.expiresAt - now()) / 1000));
    reply.header('set-cookie', `${SESSION_COOKIE}=${encodeURIComponent(result.answer.token)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`);
    return result.answer;
  });

  app.post('/api/logout', async (_req, reply) => {
    // Tokens are stateless: logging out forgets the cookie; a copied token lives until it expires.
    reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return reply.code(204).send();
  });

  app.get('/api/session', async (req) => auth.session(req.principal!));

  app.get('/login', async (_req, reply) => reply.type('text/html; charset=utf-8').send(LOGIN_PAGE));
  app.get('/login.js', async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(LOGIN_SCRIPT));
}

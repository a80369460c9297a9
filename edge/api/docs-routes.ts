// GET /api/openapi.json (the document) and GET /api/docs (the same, readable in a browser
// without any script or CDN: the edge often runs on a network with no internet).
import type { FastifyPluginAsync } from 'fastify';
import { apiRoute } from './api-route.js';
import { buildOpenApi } from './openapi.js';

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

type Op = { summary?: string; description?: string; tags?: string[]; 'x-access'?: string; 'x-undocumented'?: boolean; parameters?: unknown[]; requestBody?: { content: Record<string, { schema: unknown }> }; responses?: Record<string, { description: string; content?: Record<string, { schema: unknown }> }> };

export function renderDocsPage(doc: Record<string, unknown>): string {
  const paths = doc.paths as Record<string, Record<string, Op>>;
  const info = doc.info as { title: string; version: string; description: string };
  const sections: string[] = [];
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const id = `${method}-${path}`.replace(/[^A-Za-z0-9]+/g, '-');
      const json = (v: unknown) => `<pre>${escape(JSON.stringify(v, null, 2))}</pre>`;
      const responses = Object.entries(op.responses ?? {}).map(([status, r]) =>
        `<details><summary>${escape(status)} — ${escape(r.description)}</summary>${r.content ? json(Object.values(r.content)[0]!.schema) : ''}</details>`).join('');
      sections.push(`<section id="${id}"><h3><span class="m ${method}">${method.toUpperCase()}</span> <code>${escape(path)}</code>
<small>${escape(op['x-access'] ?? '')}${op['x-undocumented'] ? ' · not described yet' : ''}</small></h3>
<p>${escape(op.summary ?? '')}</p>${op.description ? `<p>${escape(op.description)}</p>` : ''}
${op.parameters?.length ? `<details><summary>parameters</summary>${json(op.parameters)}</details>` : ''}
${op.requestBody ? `<details open><summary>body</summary>${json(Object.values(op.requestBody.content)[0]!.schema)}</details>` : ''}
${responses}</section>`);
    }
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(info.title)} — API</title>
<style>body{font:15px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#0f172a}
section{border-top:1px solid #cbd5e1;padding:.5rem 0}pre{background:#f1f5f9;padding:.5rem;overflow:auto;font-size:12px}
.m{display:inline-block;min-width:3.5rem;padding:0 .3rem;border-radius:3px;color:#fff;font-size:13px;text-align:center}
.get{background:#0369a1}.post{background:#15803d}.put,.patch{background:#b45309}.delete{background:#b91c1c}small{color:#64748b;font-weight:normal}</style></head>
<body><h1>${escape(info.title)} <small>${escape(info.version)}</small></h1><p>${escape(info.description)}</p>
<p>Machine-readable: <a href="/api/openapi.json">/api/openapi.json</a> (OpenAPI ${escape(String(doc.openapi))}). Live protocol (Socket.IO): see docs/api.md.</p>
${sections.join('\n')}</body></html>`;
}

export interface DocsRoutesOptions {
  info: { title: string; version: string; description: string };
}

export const docsRoutes: FastifyPluginAsync<DocsRoutesOptions> = async (app, { info }) => {
  let cached: Record<string, unknown> | null = null;
  // Built on first request: every route is registered by then.
  const doc = () => (cached ??= buildOpenApi(app.apiRoutes(), info));
  app.route(apiRoute({
    method: 'GET', url: '/api/openapi.json', access: 'operator', tag: 'docs', summary: 'This document (OpenAPI 3.1), generated from the routes themselves',
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  }, () => doc()));
  app.route(apiRoute({
    method: 'GET', url: '/api/docs', access: 'operator', tag: 'docs', summary: 'This document as a page',
    responses: { 200: { description: 'HTML', contentType: 'text/html' } },
  }, ({ reply }) => reply.type('text/html; charset=utf-8').send(renderDocsPage(doc()))));
};

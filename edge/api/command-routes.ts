// POST /api/commands: the REST door to the command service (the Socket.IO `command` event is
// the other). GET /api/audit and /api/audit/verify: the audit log, for managers and admins.
import type { FastifyInstance } from 'fastify';
import { AuditQuerySchema, CommandRequestSchema } from '../../shared/command-api.js';
import type { AuthService } from '../auth/auth-service.js';
import type { AuditLog } from '../audit/audit-log.js';
import { CommandRefused, type CommandService } from '../commands/command-service.js';
import { requireRole } from './auth-guard.js';
import { InvalidInput, parseInput } from './validation.js';

export function registerCommandRoutes(app: FastifyInstance, deps: { auth: AuthService; commands: CommandService; audit: AuditLog }): void {
  const { auth, commands, audit } = deps;

  app.post('/api/commands', async (req, reply) => {
    const principal = req.principal!;
    let request;
    try {
      request = parseInput(CommandRequestSchema, req.body, 'command');
    } catch (err) {
      if (err instanceof InvalidInput) {
        auth.auditRefusal('command.invalid', { status: 400, code: 'invalid', message: err.message }, { field: err.field ?? null }, req.ip, principal);
      }
      throw err;
    }
    try {
      return await commands.execute(request, { principal, source: req.ip, transport: 'rest' });
    } catch (err) {
      if (err instanceof CommandRefused) return reply.code(err.status).send({ error: err.message, code: err.code, field: err.field });
      throw err;
    }
  });

  app.get('/api/audit', async (req, reply) => {
    if (!requireRole(auth, req, reply, 'manager', 'reading the audit log')) return reply;
    return audit.page(parseInput(AuditQuerySchema, req.query ?? {}, 'query'));
  });

  app.get('/api/audit/verify', async (req, reply) => {
    if (!requireRole(auth, req, reply, 'manager', 'verifying the audit log')) return reply;
    return audit.verify();
  });
}

// POST /api/commands: the REST door to the command service (the Socket.IO `command` event is the
// other). Open to operators and up; the command service decides per kind (ack/shelve: operator,
// writes: maintenance) and audits every request, refusal and outcome.
import type { FastifyPluginAsync } from 'fastify';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { CommandRequestSchema, CommandResultSchema } from '../../shared/command-api.js';
import type { AuthService } from '../auth/index.js';
import { CommandRefused, type CommandService } from '../commands/index.js';
import { apiRoute, ok } from './api-route.js';
import { ApiFailure, InvalidInput } from './validation.js';

export interface CommandRoutesOptions {
  auth: AuthService;
  commands: CommandService;
}

const err = (description: string) => ({ description, schema: ApiErrorSchema });

export const commandRoutes: FastifyPluginAsync<CommandRoutesOptions> = async (app, { auth, commands }) => {
  app.route(apiRoute({
    method: 'POST', url: '/api/commands', access: 'operator', action: 'sending a command', tag: 'commands',
    summary: 'Act on the line: ack/shelve an alarm (operator+), write a setpoint, reset a fault, override speed (maintenance+)',
    description: 'Validated against the plant file (writable tags, type, min/max), written through the connector, read back through the live model, audited (a "requested" entry before the write, the outcome after). Writes need a reason.',
    body: CommandRequestSchema,
    responses: {
      ...ok('carried out (outcome "done"), or written without the value coming back in time ("unconfirmed")', CommandResultSchema),
      400: err('invalid command: `field` names the bad field'),
      404: err('unknown machine, tag or alarm'),
      409: err('nothing to do (no active fault; alarm in the wrong state)'),
      422: err('write refused: tag not writable, wrong type, or outside its limits'),
      429: err('PLC writes too often for this tag or this user: Retry-After says when to try again'),
      501: err("not on this server: the plant host passes machine commands to the line's edge, but alarms are acknowledged on the edge that raised them"),
      502: err('the device refused or did not answer the write'),
      503: err('device offline, alarms unavailable, or too many commands in flight'),
    },
  }, ({ body, principal, req }) => commands.execute(body, { principal: principal!, source: req.ip, transport: 'rest' }), (e, req) => {
    if (e instanceof CommandRefused) {
      // 429 (PLC writes too often, edge/commands/command-service.ts) says when to try again.
      const headers = e.retryAfterMs !== undefined ? { headers: { 'retry-after': String(Math.ceil(e.retryAfterMs / 1000)) } } : {};
      return new ApiFailure(e.status, e.code, e.message, { ...(e.field ? { field: e.field } : {}), ...headers });
    }
    // An invalid command is audited like a refused one: someone tried to act on the line.
    if (e instanceof InvalidInput) auth.auditRefusal('command.invalid', { status: 400, code: 'invalid', message: e.message }, { field: e.field ?? null }, req.ip, req.principal);
    return null;
  }));
};

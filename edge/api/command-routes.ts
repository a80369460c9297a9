// POST /api/commands: the REST door to the command service (the Socket.IO `command` event is the
// other). Open to operators and up; the command service decides per kind (ack/shelve: operator,
// writes: maintenance) and audits every request, refusal and outcome.
import type { FastifyPluginAsync } from 'fastify';
import { ApiErrorSchema } from '../../shared/api-error.js';
import { CommandRequestSchema, CommandResultSchema } from '../../shared/command-api.js';
import type { AuthService } from '../auth/auth-service.js';
import { CommandRefused, type CommandService } from '../commands/command-service.js';
import { caller, ok } from './api-route.js';
import { apiRoute } from './api-route.js';
import { ApiFailure, InvalidInput, parseInput } from './validation.js';

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
    // The body is parsed in the handler, so that an invalid command is audited too.
    responses: {
      ...ok('carried out (outcome "done"), or written without the value coming back in time ("unconfirmed")', CommandResultSchema),
      400: err('invalid command: `field` names the bad field'),
      404: err('unknown machine, tag or alarm'),
      409: err('nothing to do (no active fault; alarm in the wrong state)'),
      422: err('write refused: tag not writable, wrong type, or outside its limits'),
      502: err('the device refused or did not answer the write'),
      503: err('device offline, alarms unavailable, or too many commands in flight'),
    },
  }, async (input) => {
    const principal = caller(input);
    const { req } = input;
    let request;
    try {
      request = parseInput(CommandRequestSchema, req.body, 'command');
    } catch (e) {
      if (e instanceof InvalidInput) auth.auditRefusal('command.invalid', { status: 400, code: 'invalid', message: e.message }, { field: e.field ?? null }, req.ip, principal);
      throw e;
    }
    return commands.execute(request, { principal, source: req.ip, transport: 'rest' });
  }, (e) => (e instanceof CommandRefused ? new ApiFailure(e.status, e.code, e.message, e.field ? { field: e.field } : {}) : null)));
};

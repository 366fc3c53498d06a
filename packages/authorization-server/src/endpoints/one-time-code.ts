import { sourceAddress } from '@gatehouse/server-kit';
import type { FastifyInstance } from 'fastify';
import type { AsContext } from '../context.js';
import { answerOAuthFailure, noStore } from '../http/oauth-reply.js';
import { formParams } from '../http/request-params.js';
import { InvalidClientError, InvalidRequestError } from '../protocol/errors.js';
import { authenticateClient } from '../services/clients/authenticate-client.js';
import { createOneTimeCodes, issueOneTimeCode } from '../services/grants/one-time-code.js';

/**
 * `POST /one-time-code` (ours; discovery's `gatehouse_one_time_code_endpoint`): a confidential
 * client trades one of its live user access tokens for a single-use code, valid 10 minutes, that
 * the client named by `audience_client_id` redeems at `/token`. Server to server: no CORS.
 */
export function registerOneTimeCode(app: FastifyInstance, context: AsContext): void {
  const codes = createOneTimeCodes(context);
  app.post('/one-time-code', { config: { failure: 'json' } }, async (request, reply) => {
    const authorization = request.headers.authorization;
    try {
      const params = formParams(request);
      const { client, method } = await authenticateClient(
        context.clientAuth,
        authorization,
        params,
        sourceAddress(request),
      );
      // Naming a public client is not authentication: anyone could then hand tokens around.
      if (method === 'none') throw new InvalidClientError('one-time codes require client authentication');
      const token = params.get('token');
      if (!token) throw new InvalidRequestError('token is required');
      const audienceClientId = params.get('audience_client_id');
      if (!audienceClientId) throw new InvalidRequestError('audience_client_id is required');
      const issued = await issueOneTimeCode(context, codes, client, token, audienceClientId);
      return noStore(reply).type('application/json; charset=utf-8').send(issued);
    } catch (error) {
      return answerOAuthFailure(request, reply, error);
    }
  });
}

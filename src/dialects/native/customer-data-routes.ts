import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import type { CustomerData } from '../../core/customer-data.js';
import { ConversationParams } from './schemas.js';

const errors = { 400: Type.Ref('Error'), 401: Type.Ref('Error'), 404: Type.Ref('Error') };
const CustomerParams = Type.Object({ customer: Type.String({ minLength: 1, maxLength: 512, description: 'The customer\'s address on the channel, as in a conversation\'s `customer` (percent-encoded).' }) });
const ChannelQuery = Type.Object({ channel: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Only the customer\'s conversations on this channel.' })) });
const Erased = Type.Object({
  customer: Type.String(),
  channel: Type.Union([Type.String(), Type.Null()]),
  erasedAt: Type.String({ format: 'date-time' }),
  conversations: Type.Array(Type.Object({
    id: Type.String(),
    messages: Type.Integer({ description: 'Messages erased now (0 when they already were).' }),
    events: Type.Integer({ description: 'Events whose text was emptied now.' }),
    deliveries: Type.Integer({ description: 'Deliveries whose body or error text was emptied now.' }),
    files: Type.Integer({ description: 'Uploaded files deleted now.' }),
  })),
});

function scopeOf(customer: string, channel: string | undefined): { customer: string; channel?: string } {
  return channel === undefined ? { customer } : { customer, channel };
}

/**
 * A customer's data for data protection requests: every conversation of one customer address
 * exported whole (subject access), or erased. Erasure keeps the skeleton (ids, times, event types,
 * who had control) and empties everything people wrote; it is recorded in the audit log.
 */
export async function customerDataRoutes(app: FastifyInstance, deps: { customerData: CustomerData }): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const { customerData } = deps;

  api.post('/customers/:customer/erase', {
    schema: {
      tags: ['customers'],
      summary: 'Erase what a customer wrote and was told, in every conversation of theirs',
      description: 'Empties message contents (the messages stay, marked `erasedAt`), event texts (handover notes, context), the visitor fields, context and title of each conversation, delivery bodies and error texts; deletes the files sent in them. Ids, times, event types and control changes stay. Erasing again changes nothing and answers the same way with zero counts. 404 customer_not_found when no conversation has this customer.',
      params: CustomerParams,
      querystring: ChannelQuery,
      response: { 200: Erased, ...errors },
    },
  }, async (req) => customerData.erase(req.accountId, scopeOf(req.params.customer, req.query.channel), req.actor));

  api.get('/customers/:customer/export', {
    schema: { tags: ['customers'], summary: 'Every conversation of a customer, with its messages and events, as JSON', params: CustomerParams, querystring: ChannelQuery, response: errors },
  }, async (req) => customerData.exportCustomer(req.accountId, scopeOf(req.params.customer, req.query.channel)));

  api.get('/conversations/:id/export', {
    schema: { tags: ['customers'], summary: 'A conversation whole: its state, every message and every event, as JSON', params: ConversationParams, response: errors },
  }, async (req) => customerData.exportConversation(req.accountId, req.params.id));
}

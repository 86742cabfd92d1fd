import type { Renderer } from '../delivery/ports.js';
import type { LiveBus } from '../live/live-bus.js';

/**
 * The built-in desk's delivery: every event of a conversation it takes part in is announced to
 * the agents of the account (on any process); their inbox then reads the conversation again.
 */
export function inboxRenderer(bus: LiveBus): Renderer {
  return {
    render: () => null,
    async deliver(ctx) {
      await bus.publish({ accountId: ctx.account.id, topic: 'conversation', conversationId: ctx.conversation.id, seq: ctx.event.seq, type: ctx.event.type });
    },
  };
}

import type { LiveBus } from '../../live/live-bus.js';
import type { Renderer } from '../../delivery/ports.js';

/**
 * A web chat channel has no server of its own: what bots and agents send is pushed to the
 * visitor's open pages (any process) through the live bus. A visitor with no page open reads it
 * from the history when they come back, so a push with nobody listening is still delivered.
 */
export function webchatRenderer(bus: LiveBus): Renderer {
  return {
    render: () => null,
    async deliver(ctx) {
      if (ctx.event.type !== 'message.sent' || !ctx.message) return;
      await bus.publish({ accountId: ctx.account.id, topic: 'visitor', conversationId: ctx.conversation.id, messageId: ctx.message.id });
    },
  };
}

import { describe, expect, it } from 'vitest';
import type { MessageContent } from '../../src/core/model.js';
import type { DeliveryContext } from '../../src/delivery/ports.js';
import { omnichannelRenderer, omnichannelSends } from '../../src/dialects/omnichannel/omnichannel-renderer.js';
import { webimMessages } from '../../src/dialects/omnichannel/webim-messages.js';
import { expectedSend } from '../helpers/omnichannel.js';

/** Only what the Omnichannel renderer reads of a delivery; the wire test has the whole one. */
function delivery(content: MessageContent, eventType = 'message.sent'): DeliveryContext {
  return {
    target: { kind: 'channel', channel: { outboundUrl: 'https://chat.example.com/baton', credentials: { webhookToken: 't0k3n' } } },
    event: { type: eventType },
    message: { id: 'msg-1', content },
    conversation: { customer: '4021', context: { channel_conversation_id: 4021 } },
  } as unknown as DeliveryContext;
}

const plans = [{ id: 'b1', title: 'Basic plan', payload: 'BASIC' }, { id: 'b2', title: 'Premium plan', payload: 'PREMIUM' }];
const invoice = { url: 'https://files.example.com/out/invoice-2026-05.pdf', name: 'invoice-2026-05.pdf', contentType: 'application/pdf' };

describe('every /send_message an Omnichannel answer means, in order', () => {
  it('a text with buttons is the text, then the keyboard', () => {
    const sends = omnichannelSends(delivery({ type: 'text', text: 'Which plan would you like?', buttons: plans }));
    expect(sends.map((r) => r.body)).toEqual([expectedSend('send-message-operator', { text: 'Which plan would you like?' }), expectedSend('send-message-keyboard')]);
    expect(sends.map((r) => [r.url, r.headers])).toEqual([1, 2].map((i) => ['https://chat.example.com/baton/send_message', { authorization: 'Token t0k3n', 'x-baton-message-id': 'msg-1', 'x-baton-part': `${i}/2` }]));
  });

  it('a file with a caption and buttons is the file, the caption, the keyboard', () => {
    const sends = omnichannelSends(delivery({ type: 'media', text: 'Your invoice', media: invoice, buttons: plans }));
    expect(sends.map((r) => r.body)).toEqual([expectedSend('send-message-file'), expectedSend('send-message-operator', { text: 'Your invoice' }), expectedSend('send-message-keyboard')]);
  });

  it('the renderer gives all of them, for the outbox to send in order', () => {
    const ctx = delivery({ type: 'text', text: 'Which plan would you like?', buttons: plans });
    expect(omnichannelRenderer.render(ctx)).toEqual(omnichannelSends(ctx));
    expect(omnichannelRenderer.render(delivery({ type: 'text', text: '' }))).toBeNull();
    expect(omnichannelRenderer.render(delivery({ type: 'text', text: 'hi' }, 'conversation.closed'))).toBeNull();
  });
});

describe('a Baton message as Webim messages', () => {
  it('names a file by its link and gives it a type when the message does not', () => {
    expect(webimMessages({ type: 'media', media: { url: 'https://files.example.com/f/Q3%20report.pdf?sig=1' } })).toEqual([
      { kind: 'file_operator', data: { url: 'https://files.example.com/f/Q3%20report.pdf?sig=1', name: 'Q3 report.pdf', media_type: 'application/octet-stream' } },
    ]);
    expect(webimMessages({ type: 'media', media: { url: 'https://files.example.com/' } })[0]).toMatchObject({ data: { name: 'https://files.example.com/' } });
  });

  it('gives a button the payload as its id, else its id, else its label', () => {
    expect(webimMessages({ type: 'text', buttons: [{ title: 'A', payload: 'pa', id: 'ia' }, { title: 'B', id: 'ib' }, { title: 'C' }] })).toEqual([
      { kind: 'keyboard', buttons: [[{ id: 'pa', text: 'A' }], [{ id: 'ib', text: 'B' }], [{ id: 'C', text: 'C' }]] },
    ]);
  });

  it('sends a postback as its title or payload, a custom content as its text only', () => {
    expect(webimMessages({ type: 'postback', postback: { payload: 'YES', title: 'Yes' } })).toEqual([{ kind: 'operator', text: 'Yes' }]);
    expect(webimMessages({ type: 'postback', postback: { payload: 'YES' } })).toEqual([{ kind: 'operator', text: 'YES' }]);
    expect(webimMessages({ type: 'custom', text: 'See the card', custom: { card: { title: 'Premium' } } })).toEqual([{ kind: 'operator', text: 'See the card' }]);
    expect(webimMessages({ type: 'custom', custom: { card: {} } })).toEqual([]);
  });
});

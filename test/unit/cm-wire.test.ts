import { describe, expect, it } from 'vitest';
import { bmContent } from '../../src/dialects/cm/bm-content.js';
import { readBmEnvelope, readBmMessages } from '../../src/dialects/cm/bm-request.js';
import { answer, accepted, rejected } from '../../src/dialects/cm/bm-response.js';
import { canonicalKeys } from '../../src/dialects/cm/cm-control-schemas.js';
import { cmNotification } from '../../src/dialects/cm/cm-notifications.js';
import { cmTimeUtc } from '../../src/dialects/cm/cm-time.js';
import type { ConversationEvent } from '../../src/core/events.js';
import { aComponent, aConversation } from '../helpers/builders-store.js';

const event = (type: ConversationEvent['type'], data: Record<string, unknown>): ConversationEvent => ({ accountId: 'acme', conversationId: 'c-0001', seq: 5, type, at: '2026-01-01T00:00:00.000Z', data });

describe('cm timeUtc', () => {
  it('writes the .NET round-trip form of the document, seven fractional digits and +00:00', () => {
    expect(cmTimeUtc('2020-09-16T08:23:32.898Z')).toBe('2020-09-16T08:23:32.8980000+00:00');
    expect(cmTimeUtc(new Date('2026-01-05T00:00:00Z'))).toBe('2026-01-05T00:00:00.0000000+00:00');
  });
});

describe('Business Messaging requests', () => {
  it('reads the product token whatever its case, or from the X-CM-PRODUCTTOKEN header', () => {
    expect(readBmEnvelope({ messages: { authentication: { producttoken: 'a' }, msg: [] } }, undefined)).toMatchObject({ ok: true, productToken: 'a' });
    expect(readBmEnvelope({ Messages: { Authentication: { productToken: 'b' } } }, undefined)).toMatchObject({ ok: true, productToken: 'b' });
    expect(readBmEnvelope({ messages: {} }, 'c')).toMatchObject({ ok: true, productToken: 'c' });
    expect(readBmEnvelope([], 'c')).toMatchObject({ ok: false, errorCode: 202 });
  });

  it('refuses each broken message with the gateway\'s own code and keeps the others', () => {
    const read = readBmMessages([
      { from: 'B', to: [{ number: '+1' }, { Number: '+2' }], body: { type: 'AUTO', content: 'hi' }, reference: 'r' },
      { to: [{ number: '+1' }], body: { content: 'x' } },
      { from: 'B', to: [], body: { content: 'x' } },
      { from: 'B', to: [{ number: '+1' }], body: { content: '' } },
    ])!;
    expect(read.map((m) => (m.ok ? 0 : m.code))).toEqual([0, 301, 302, 304]);
    expect(read[0]).toMatchObject({ from: 'B', to: ['+1', '+2'], reference: 'r', content: { type: 'text', text: 'hi' } });
    expect(readBmMessages([])).toBeNull();
    expect(readBmMessages({})).toBeNull();
  });

  it('turns rich media into a media message, reply suggestions into buttons, and keeps the rest for a cm channel', () => {
    const rich = { conversation: [{ text: 'Our logo!' }, { media: { mediaName: 'cm.com', mediaUri: 'https://example.com/logo.png', mimeType: 'image/png' } }], suggestions: [{ action: 'reply', label: 'Yes', postbackdata: 'YES' }] };
    expect(bmContent(undefined, rich, ['WhatsApp'])).toEqual({
      type: 'media',
      media: { url: 'https://example.com/logo.png', contentType: 'image/png', name: 'cm.com' },
      text: 'Our logo!',
      buttons: [{ title: 'Yes', payload: 'YES' }],
      custom: { cm: { allowedChannels: ['WhatsApp'], richContent: rich } },
    });
    expect(bmContent('plain', undefined, [])).toEqual({ type: 'text', text: 'plain' });
    expect(bmContent(undefined, { conversation: [] }, [])).toBeNull();
  });

  it('answers 200 while anything was accepted, 400 when nothing was, with CM\'s counts and codes', () => {
    expect(answer([accepted('+1', 'a')])).toEqual({ status: 200, body: { details: 'Created 1 message(s)', errorCode: 0, messages: [accepted('+1', 'a')] } });
    expect(answer([accepted('+1', null), rejected('+2', null, 302, 'x')]).body).toMatchObject({ details: 'Created 1 message(s)', errorCode: 201 });
    expect(answer([rejected('+2', null, 403, 'x')])).toMatchObject({ status: 400, body: { details: 'Created 0 message(s)', errorCode: 201 } });
  });
});

describe('control API keys', () => {
  it('spells the documented keys as the document does and leaves Context values alone', () => {
    expect(canonicalKeys({ chatid: 'c', MUTATIONS: [{ $TYPE: 'enableComponent', componentid: 'CmBot' }], context: { chatid: 'mine' }, extra: 1 })).toEqual({
      ChatId: 'c', Mutations: [{ $type: 'enableComponent', ComponentId: 'CmBot' }], Context: { chatid: 'mine' }, extra: 1,
    });
  });
});

describe('cm notifications', () => {
  const conv = aConversation({ bot: 'CmBot', desk: 'CustomerContact' });
  const bot = aComponent({ id: 'CmBot', kind: 'bot' });
  const desk = aComponent({ id: 'CustomerContact', kind: 'desk' });

  it('tells nobody of their own call', () => {
    expect(cmNotification(event('handover', { by: 'CmBot', context: {}, team: null }), conv, bot)).toBeNull();
    expect(cmNotification(event('handover', { by: 'CmBot', context: {}, team: null }), conv, desk)).toMatchObject({ $type: 'mutation', Event: 'handover', By: 'CmBot' });
  });

  it('leaves the bot\'s own mutation to the handover, takeover or handback it caused', () => {
    const onlyBot = event('control.mutated', { by: 'CustomerContact', mutations: [{ componentId: 'CmBot', enabled: false }], context: null });
    expect(cmNotification(onlyBot, conv, bot)).toBeNull();
    const withOther = event('control.mutated', { by: 'CmBot', mutations: [{ componentId: 'CmBot', enabled: false }, { componentId: 'Survey', enabled: true }], context: { a: 'b' } });
    expect(cmNotification(withOther, conv, desk)).toEqual({ $type: 'mutation', Event: 'mutation', By: 'CmBot', Mutations: [{ $type: 'enableComponent', ComponentId: 'Survey' }], Context: { a: 'b' }, Team: null });
  });

  it('sends a position request to bots only, and nothing for events a cm component has no use for', () => {
    const position = event('position.requested', { by: 'CustomerContact', flow: 'f', step: 's' });
    expect(cmNotification(position, conv, bot)).toEqual({ $type: 'positionRequest', By: 'CustomerContact', FlowId: 'f', StepId: 's' });
    expect(cmNotification(position, conv, desk)).toBeNull();
    expect(cmNotification(event('bot_session.opened', {}), conv, bot)).toBeNull();
    expect(cmNotification(event('message.status', { componentId: 'CmBot', status: 'delivered' }), conv, bot)).toBeNull();
  });
});

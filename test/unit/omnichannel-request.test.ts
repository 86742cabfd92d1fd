import { describe, expect, it } from 'vitest';
import { channelVariables } from '../../src/dialects/omnichannel/channel-variables.js';
import { parseOmnichannelRequest } from '../../src/dialects/omnichannel/omnichannel-request.js';
import { sendMessageUrl } from '../../src/dialects/omnichannel/omnichannel-renderer.js';

const request = (over: Record<string, unknown> = {}, message: Record<string, unknown> = { id: 'm-1', kind: 'visitor', text: 'hi' }) => ({ event: 'new_message', chat_id: 7, visitor: { id: 'v-1' }, message, ...over });

describe('reading an Omnichannel request', () => {
  it('reads a text message, taking ids the client numbered and plain field values as text', () => {
    const parsed = parseOmnichannelRequest(request({ visitor: { id: 31, fields: { name: 'Bo', phone: 41791234567, vip: true, tags: null } } }, { id: 9001, kind: 'visitor', text: '' }));
    expect(parsed).toEqual({ kind: 'message', message: { chatId: 7, visitor: { id: '31', fields: { name: 'Bo', phone: '41791234567', vip: 'true' } }, messageId: '9001', content: { type: 'text', text: '' } } });
  });

  it('keeps a chat id the client sent as text as text, and refuses one that is neither', () => {
    expect(parseOmnichannelRequest(request({ chat_id: 'c-42' }))).toMatchObject({ kind: 'message', message: { chatId: 'c-42' } });
    expect(parseOmnichannelRequest(request({ chat_id: ' ' }))).toMatchObject({ kind: 'invalid', status: 500 });
    expect(parseOmnichannelRequest(request({ chat_id: true }))).toMatchObject({ kind: 'invalid', status: 500 });
  });

  it('takes a file without a name, and a button without an id (its label is the payload)', () => {
    expect(parseOmnichannelRequest(request({}, { id: 'm', kind: 'file_visitor', data: { id: 'f', state: 'ready', content_type: 'image/png', url: 'https://x/f.png' } }))).toMatchObject({
      kind: 'message', message: { content: { type: 'text', text: 'file:image/png|f|https://x/f.png', media: { url: 'https://x/f.png', contentType: 'image/png' } } },
    });
    expect(parseOmnichannelRequest(request({}, { id: 'm', kind: 'keyboard_response', data: { button: { text: 'Yes' } } }))).toMatchObject({
      kind: 'message', message: { content: { type: 'text', text: 'Yes', postback: { payload: 'Yes', title: 'Yes' } } },
    });
  });

  it('looks at nothing else once the event is unknown, and at nothing of the message once the kind is', () => {
    expect(parseOmnichannelRequest({ event: 'chat_closed' })).toMatchObject({ kind: 'ignored', reason: 'unknown_event' });
    expect(parseOmnichannelRequest(request({}, { id: 'm', kind: 'location', text: 42 }))).toMatchObject({ kind: 'ignored', reason: 'unknown_kind' });
    expect(parseOmnichannelRequest(request({}, { id: 'm', kind: 'file_visitor', data: { state: 'failed' } }))).toMatchObject({ kind: 'ignored', reason: 'file_not_ready' });
  });

  it('refuses ids that are too long or empty as malformed', () => {
    expect(parseOmnichannelRequest(request({}, { id: 'x'.repeat(256), kind: 'visitor', text: 'hi' }))).toEqual({ kind: 'invalid', status: 500, detail: expect.stringMatching(/^message\.id must be a non-empty string of at most 255 characters/) });
    expect(parseOmnichannelRequest(request({ visitor: { id: '' } }))).toMatchObject({ kind: 'invalid', status: 500 });
  });
});

describe('channel variables', () => {
  it('sets only what the client sent, and channel_chat_id as <chat_id>|omnichannel', () => {
    const parsed = parseOmnichannelRequest(request({ chat_id: 'c-42', visitor: { id: 'v-1', fields: { email: 'a@example.com' } } }));
    if (parsed.kind !== 'message') throw new Error('not a message');
    expect(channelVariables(parsed.message)).toEqual({ channel_visitor_id: 'v-1', channel_conversation_id: 'c-42', channel_visitor_email: 'a@example.com', channel_chat_id: 'c-42|omnichannel' });
  });
});

describe('the send_message address', () => {
  it('extends the path of the client\'s URL and keeps a token in its query', () => {
    expect(sendMessageUrl('https://chat.example.com')).toBe('https://chat.example.com/send_message');
    expect(sendMessageUrl('https://chat.example.com/baton/t0k3n/')).toBe('https://chat.example.com/baton/t0k3n/send_message');
    expect(sendMessageUrl('https://chat.example.com/api?token=t0k3n')).toBe('https://chat.example.com/api/send_message?token=t0k3n');
    expect(sendMessageUrl('not a url')).toBe('not a url/send_message');
  });
});

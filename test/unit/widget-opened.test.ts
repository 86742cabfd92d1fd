import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../src/config/load-config.js';
import { transition } from '../../src/core/control.js';
import { erasedEventData } from '../../src/core/erasure.js';
import { recipients, subscribed } from '../../src/core/fanout.js';
import type { ConversationEvent } from '../../src/core/events.js';
import { browserOf, firstLanguage } from '../../src/dialects/webchat/visitor-browser.js';
import { aConversation, anAccount, anEnv, BOT, DESK, NOW } from './builders.js';

const opening = { referer: 'https://shop.example/', widgetLanguage: 'en', browserLanguage: 'nl', browser: null };

describe('widget.opened: told to those who ask, and nothing else changes', () => {
  it('is an event of its own that moves no control', () => {
    const env = anEnv();
    const conv = aConversation({ mode: 'bot+desk' }, env.account);
    const r = transition(conv, { type: 'widget_opened', opening }, env);
    expect(r.events).toEqual([{ type: 'widget.opened', data: opening }]);
    expect([r.conversation.controller, r.conversation.controlVersion]).toEqual([conv.controller, conv.controlVersion]);
    expect(r.effects).toEqual([]);
  });

  it('keeps no page or browser once the customer is erased', () => {
    const browser = { name: 'Chrome', version: '136', platform: 'Windows', platformVersion: '10.0', device: 'Unknown' };
    expect(erasedEventData({ ...opening, browser })).toEqual({ referer: null, widgetLanguage: 'en', browserLanguage: 'nl', browser: {} });
  });

  it('reaches a component only when its events: names it, or * does', () => {
    const env = anEnv();
    const conv = aConversation({ mode: 'bot+desk' }, env.account);
    const event: ConversationEvent = { type: 'widget.opened', data: opening, accountId: 'acme', conversationId: conv.id, seq: 1, at: NOW };
    const targets = recipients(conv, event).map((r) => r.target.id);
    expect(targets).toEqual([BOT, DESK]);
    const heard = (subscriptions?: Record<string, string[]>) => recipients(conv, event).filter((r) => subscribed(anAccount(subscriptions ? { subscriptions } : {}), r, event.type)).map((r) => r.target.id);
    expect(heard()).toEqual([]);
    expect(heard({ [BOT]: ['widget.opened'] })).toEqual([BOT]);
    expect(heard({ [BOT]: ['*'], [DESK]: ['message.*'] })).toEqual([BOT]);
    expect(heard({ [DESK]: ['widget.*'] })).toEqual([DESK]);
    // Every other event type still reaches a component that names none.
    expect(subscribed(anAccount(), { target: { kind: 'component', id: BOT }, forReply: false }, 'message.received')).toBe(true);
  });

  it('is a Chatwoot bot\'s by default: its dialect names * for it, unless its events: says otherwise', () => {
    const cfg = validateConfig({
      accounts: [{
        id: 'acme',
        channels: [{ id: 'web', kind: 'webchat' }],
        components: [
          { id: 'cw', kind: 'bot', dialect: 'chatwoot', url: 'https://bot.example/cw', secrets: { webhookSecret: 's' } },
          { id: 'cw-narrow', kind: 'bot', dialect: 'chatwoot', events: ['message.*'] },
          { id: 'native', kind: 'bot' },
          { id: 'inbox', kind: 'desk', dialect: 'inbox' },
        ],
        services: [{ id: 's', channels: ['web'], rules: [{ id: 'r', trigger: { event: 'message' }, action: { type: 'bot', bot: 'cw' } }] }],
      }],
    });
    expect(cfg.accounts[0]!.account.subscriptions).toEqual({ cw: ['*'], 'cw-narrow': ['message.*'] });
  });
});

describe('what the visitor\'s browser says of itself', () => {
  it('names common browsers and platforms as Chatwoot\'s event_info does, Unknown otherwise', () => {
    expect(browserOf('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/136.0.0.0 Safari/537.36 Edg/136.0.0.0')).toEqual({ name: 'Microsoft Edge', version: '136.0.0.0', platform: 'Windows', platformVersion: '10.0', device: 'Unknown' });
    expect(browserOf('Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1')).toEqual({ name: 'Safari', version: '17.4', platform: 'iOS', platformVersion: '17.4', device: 'iPhone' });
    expect(browserOf('Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0')).toMatchObject({ name: 'Firefox', version: '128.0', platform: 'Linux' });
    expect(browserOf('curl/8.5.0')).toEqual({ name: 'Unknown Browser', version: '0.0', platform: 'Unknown', platformVersion: '0', device: 'Unknown' });
    expect(browserOf(undefined)).toBeNull();
    expect([firstLanguage('nl-NL,nl;q=0.9'), firstLanguage('*'), firstLanguage(undefined)]).toEqual(['nl-NL', null, null]);
  });
});

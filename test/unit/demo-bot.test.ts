import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { answer, handoverNote, intentOf, resume } from '../../src/demo-bot/demo-bot-script.js';
import { verifyWebhook } from '../../src/demo-bot/webhook-signature.js';
import { signatureHeaders } from '../../src/edge-kit/signing.js';

const SECRET = `whsec_${Buffer.from('a-secret-of-thirty-two-bytes-000').toString('base64')}`;
const NOW = new Date('2026-01-05T10:00:00Z');
const ts = Math.floor(NOW.getTime() / 1000);

describe('the demo bot script', () => {
  it.each([
    [{ type: 'text' as const, text: 'Can I talk to a human?' }, 'human'],
    [{ type: 'text' as const, text: 'when are you open' }, 'hours'],
    [{ type: 'text' as const, text: 'what does it cost' }, 'pricing'],
    [{ type: 'text' as const, text: 'send the brochure' }, 'file'],
    [{ type: 'text' as const, text: 'Hello there' }, 'menu'],
    [{ type: 'text' as const, text: 'qwerty' }, 'unknown'],
    [{ type: 'postback' as const, text: 'Opening hours', postback: { payload: 'hours', title: 'Opening hours' } }, 'hours'],
  ])('reads %j as %s', (content, intent) => {
    expect(intentOf(content)).toBe(intent);
  });

  it('offers buttons with the menu and a file link with the brochure', () => {
    const [menu] = answer('menu', { visitorTexts: [], topics: [] });
    expect(menu).toMatchObject({ kind: 'say', content: { buttons: expect.arrayContaining([{ title: 'Talk to a human', payload: 'human' }]) } });
    const [file] = answer('file', { visitorTexts: [], topics: [] });
    expect(file).toMatchObject({ kind: 'say', content: { type: 'media', media: { url: '/demo-bot/files/baton-brochure.txt' } } });
  });

  it('hands over with a summary and context: support for a human, sales for a quote', () => {
    const t = { visitorTexts: ['hi', 'what does it cost', 'I want a person'], topics: ['pricing'] };
    const actions = answer('human', t);
    expect(actions.map((a) => a.kind)).toEqual(['say', 'handover']);
    expect(actions[1]).toEqual({ kind: 'handover', note: handoverNote(t), context: { topic: 'support', askedAbout: 'pricing', visitorMessages: '3' } });
    expect(handoverNote(t)).toBe('The visitor asked for a human. They asked the bot about pricing. Their last message: "I want a person".');
    expect(answer('quote', t)[1]).toMatchObject({ kind: 'handover', context: { topic: 'sales' } });
  });

  it('picks up where an agent hands back, and answers a free-typed position politely', () => {
    expect(resume('survey', 'rating')[0]).toMatchObject({ content: { text: 'How did we do today?', buttons: [{ payload: 'rating_good' }, { payload: 'rating_bad' }] } });
    expect(resume('billing', 'step-9')[0]).toMatchObject({ content: { text: "I'm back (picking up at billing / step-9). How can I help?" } });
  });
});

describe('webhook signature check (Standard Webhooks)', () => {
  const body = JSON.stringify({ id: 'd-1', type: 'message.received' });

  it('accepts what the standardwebhooks package signs, and what Baton signs', () => {
    const signature = new Webhook(SECRET).sign('d-1', NOW, body);
    expect(verifyWebhook(SECRET, { 'webhook-id': 'd-1', 'webhook-timestamp': String(ts), 'webhook-signature': signature }, body, NOW)).toBe(true);
    expect(verifyWebhook(SECRET, signatureHeaders(['whsec_b3RoZXI=', SECRET], 'd-1', ts, body), body, NOW)).toBe(true);
  });

  it('refuses a changed body, another secret, a missing header and an old timestamp', () => {
    const headers = signatureHeaders([SECRET], 'd-1', ts, body);
    expect(verifyWebhook(SECRET, headers, `${body} `, NOW)).toBe(false);
    expect(verifyWebhook('whsec_b3RoZXI=', headers, body, NOW)).toBe(false);
    expect(verifyWebhook(SECRET, { ...headers, 'webhook-signature': undefined }, body, NOW)).toBe(false);
    expect(verifyWebhook(SECRET, headers, body, new Date(NOW.getTime() + 6 * 60_000))).toBe(false);
  });
});

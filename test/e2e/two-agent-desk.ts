import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { callBaton } from '../helpers/child-baton.js';
import { logIn, visible } from './browser.js';

export const API_KEY = 'acme-api-key-0000000000000';
export const SAM = { id: 'sam', name: 'Sam', password: 'sam-password-1' };
export const ALEX = { id: 'alex', name: 'Alex', password: 'alex-password-1' };

/** One account whose API channel goes straight to the humans' queue, with two agents to race. */
export const TWO_AGENT_DESK = {
  accounts: [{
    id: 'acme',
    name: 'Acme',
    apiKeys: [API_KEY],
    channels: [{ id: 'api', kind: 'native' }],
    components: [{ id: 'inbox', kind: 'desk', dialect: 'inbox' }],
    services: [{ id: 'main', channels: ['api'], rules: [{ id: 'humans', trigger: { event: 'message' }, action: { type: 'desk', desk: 'inbox' } }] }],
    agents: [SAM, ALEX].map((a) => ({ id: a.id, name: a.name, password: a.password, ...(a === SAM ? { admin: true } : {}) })),
  }],
};

/** A customer writing on the API channel; returns the conversation id. */
export async function customerWrites(url: string, customer: string, text: string): Promise<string> {
  const res = await callBaton(url, API_KEY, 'POST', '/v1/channels/api/messages', { customer, text });
  expect(res.status, JSON.stringify(res.body)).toBeLessThan(300);
  return res.body.conversation.id as string;
}

export async function signIn(page: Page, url: string, agent: { id: string; password: string }): Promise<void> {
  await logIn(page, url, { account: 'acme', agent: agent.id, password: agent.password });
  await visible(page.getByTestId('connection').getByText('Live'), `${agent.id}'s inbox connected`);
}

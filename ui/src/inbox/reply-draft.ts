import type { Me } from './inbox-api.js';

/**
 * Reply drafts in sessionStorage, per agent and conversation: a draft outlives an ended session
 * (the login form replaces the desk, the draft is back after logging in) and a reload, and goes
 * with the tab. A draft of one agent is never shown to another who logs in on the same tab.
 */
export class ReplyDraft {
  private readonly key: string;

  constructor(me: Pick<Me, 'account' | 'agent'>, conversationId: string) {
    this.key = `baton.inbox.draft:${me.account.id}:${me.agent.id}:${conversationId}`;
  }

  read(): string {
    try {
      return sessionStorage.getItem(this.key) ?? '';
    } catch {
      return '';
    }
  }

  write(text: string): void {
    try {
      if (text) sessionStorage.setItem(this.key, text);
      else sessionStorage.removeItem(this.key);
    } catch {
      // Storage full or refused (private mode): the draft lives as long as the page.
    }
  }
}

import type { Me } from './inbox-api.js';

/** A canned answer: typed as `/shortcut` in the reply box, inserted with its variables filled in. */
export interface CannedAnswer {
  shortcut: string;
  text: string;
}

/** What an agent starts with; their own list replaces it once they save one. */
export const DEFAULT_ANSWERS: readonly CannedAnswer[] = [
  { shortcut: 'hello', text: 'Hello {{visitor.name}}, this is {{agent.name}}. How can I help you?' },
  { shortcut: 'moment', text: 'Thank you, {{visitor.name}}. Give me a moment to look into this.' },
  { shortcut: 'thanks', text: 'Thank you for waiting, {{visitor.name}}.' },
  { shortcut: 'bye', text: 'Is there anything else I can do for you? Have a nice day, {{visitor.name}}!' },
];

/**
 * The agent's canned answers in localStorage, per account and agent: they follow the agent on this
 * browser across tabs and sessions, and another agent on the same browser has a list of their own.
 */
export class CannedAnswers {
  private readonly key: string;

  constructor(me: Pick<Me, 'account' | 'agent'>) {
    this.key = `baton.inbox.canned:${me.account.id}:${me.agent.id}`;
  }

  read(): CannedAnswer[] {
    try {
      const raw = localStorage.getItem(this.key);
      return raw === null ? [...DEFAULT_ANSWERS] : parseAnswers(raw);
    } catch {
      return [...DEFAULT_ANSWERS];
    }
  }

  write(answers: readonly CannedAnswer[]): void {
    try {
      localStorage.setItem(this.key, formatAnswers(answers));
    } catch {
      // Storage refused (private mode): the list lives as long as the page.
    }
  }
}

/** One answer a line, `/shortcut text`; lines that do not start with a shortcut are left out. */
export function parseAnswers(text: string): CannedAnswer[] {
  const out: CannedAnswer[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*\/([\w-]+)\s+(.+)$/.exec(line);
    if (m) out.push({ shortcut: m[1]!, text: m[2]!.trim() });
  }
  return out;
}

export function formatAnswers(answers: readonly CannedAnswer[]): string {
  return answers.map((a) => `/${a.shortcut} ${a.text}`).join('\n');
}

/** Shortcuts that start with the query first, then answers that mention it anywhere. */
export function matching(answers: readonly CannedAnswer[], query: string): CannedAnswer[] {
  const q = query.toLowerCase();
  const starts = answers.filter((a) => a.shortcut.toLowerCase().startsWith(q));
  const mentions = answers.filter((a) => !starts.includes(a) && (a.shortcut.toLowerCase().includes(q) || a.text.toLowerCase().includes(q)));
  return [...starts, ...mentions];
}

/** `{{visitor.name}}` and the like, from `vars`; a variable the conversation has no value for stays as written, for the agent to see. */
export function fillVariables(text: string, vars: Readonly<Record<string, string>>): string {
  return text.replace(/\{\{\s*([\w.-]+)\s*\}\}/g, (whole, name: string) => vars[name] ?? whole);
}

/** The `/word` being typed just before the caret (at the start or after a space), or null. */
export function slashQuery(text: string, caret: number): { start: number; query: string } | null {
  const m = /(?:^|\s)\/([\w-]*)$/.exec(text.slice(0, caret));
  return m ? { start: caret - m[1]!.length - 1, query: m[1]! } : null;
}

import { describe, expect, it } from 'vitest';
import { DEFAULT_ANSWERS, fillVariables, formatAnswers, matching, parseAnswers, slashQuery } from './canned-answers.js';

describe('canned answers', () => {
  it('finds the /word before the caret, at the start or after a space only', () => {
    expect(slashQuery('/he', 3)).toEqual({ start: 0, query: 'he' });
    expect(slashQuery('Sure. /by', 9)).toEqual({ start: 6, query: 'by' });
    expect(slashQuery('/', 1)).toEqual({ start: 0, query: '' });
    expect(slashQuery('and/or', 6)).toBeNull();
    expect(slashQuery('/hello there', 12)).toBeNull();
  });

  it('lists shortcuts that start with the query first, then answers that mention it', () => {
    const list = [{ shortcut: 'bye', text: 'Goodbye' }, { shortcut: 'hello', text: 'Hi' }, { shortcut: 'wait', text: 'Say hello to the team' }];
    expect(matching(list, 'hel').map((a) => a.shortcut)).toEqual(['hello', 'wait']);
    expect(matching(list, '').map((a) => a.shortcut)).toEqual(['bye', 'hello', 'wait']);
  });

  it('fills the variables it has and leaves the others as written', () => {
    expect(fillVariables('Hello {{visitor.name}}, this is {{ agent.name }} about {{context.order}}', { 'visitor.name': 'Ann', 'agent.name': 'Sam' })).toBe('Hello Ann, this is Sam about {{context.order}}');
  });

  it('reads back what it writes, one answer a line, and skips lines without a shortcut', () => {
    expect(parseAnswers(formatAnswers(DEFAULT_ANSWERS))).toEqual(DEFAULT_ANSWERS);
    expect(parseAnswers('/late  Sorry for the wait.\nno shortcut here\n/  nothing')).toEqual([{ shortcut: 'late', text: 'Sorry for the wait.' }]);
  });
});

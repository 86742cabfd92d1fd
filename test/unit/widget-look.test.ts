import { describe, expect, it } from 'vitest';
import { checkWidgetLook, colorProblem, contrastWithWhite, DEFAULT_WIDGET_LOOK, effectiveWidgetLook } from '../../src/core/widget-look.js';

describe('the web chat look', () => {
  it('takes each field from baton.yaml first, then the admin page, then the default', () => {
    expect(effectiveWidgetLook({ config: {}, inbox: {} })).toEqual(DEFAULT_WIDGET_LOOK);
    expect(effectiveWidgetLook({ config: { color: '#0f766e' }, inbox: { color: '#1e3a8a', position: 'bottom-left' } })).toEqual({ color: '#0f766e', greeting: null, position: 'bottom-left' });
    // The file saying "no greeting" wins over the admin page's greeting.
    expect(effectiveWidgetLook({ config: { greeting: null }, inbox: { greeting: 'Hi' } }).greeting).toBeNull();
  });

  it('measures white text on the colour as WCAG does', () => {
    expect(contrastWithWhite('#000000')).toBeCloseTo(21, 5);
    expect(contrastWithWhite('#ffffff')).toBeCloseTo(1, 5);
    expect(contrastWithWhite('#767676')).toBeGreaterThan(4.5);
    expect(contrastWithWhite('#777777')).toBeLessThan(4.5);
  });

  it('lets only a readable six-digit colour through, so nothing else reaches a style', () => {
    for (const bad of ['red', '#fff', '#12345g', '#123456;x:y', ' #123456', '#1234567', 'url(x)']) expect(colorProblem(bad), bad).toMatch(/is not a colour/);
    expect(colorProblem('#fde68a')).toMatch(/too light: white text on it has a contrast of 1\.\d:1/);
    expect(colorProblem('#4338ca')).toBeNull();
    expect(() => checkWidgetLook({ color: '#ffff00' })).toThrow(/color: #ffff00 is too light/);
  });

  it('keeps greetings to one line of text and null puts a field back to its default', () => {
    expect(checkWidgetLook({ greeting: '  Hello\n\n there  ', color: '#1E3A8A' })).toEqual({ greeting: 'Hello there', color: '#1e3a8a' });
    expect(checkWidgetLook({ greeting: '   ', color: null, position: null })).toEqual({ greeting: null, color: null, position: null });
    expect(() => checkWidgetLook({ greeting: 'x'.repeat(301) })).toThrow(/at most 300/);
  });
});

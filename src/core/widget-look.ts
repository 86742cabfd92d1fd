import { BatonError } from './errors.js';

export type WidgetPosition = 'bottom-right' | 'bottom-left';
export const WIDGET_POSITIONS: readonly WidgetPosition[] = Object.freeze(['bottom-right', 'bottom-left']);

/** How a web chat channel's widget and chat page look: the button and header colour, the first line shown, the corner. */
export interface WidgetLook {
  color: string;
  /** Shown as the chat's first line before the visitor writes; plain text, never markup. */
  greeting: string | null;
  position: WidgetPosition;
}

export type WidgetLookFields = Partial<WidgetLook>;

/** Which of the look's fields are set where: the file's are read-only on the admin page. */
export interface WidgetLookSources {
  config: WidgetLookFields;
  inbox: WidgetLookFields;
}

export const DEFAULT_WIDGET_LOOK: WidgetLook = Object.freeze({ color: '#4338ca', greeting: null, position: 'bottom-right' });
export const GREETING_MAX = 300;

/** Six-digit hex only: the value goes into inline styles, so nothing but a colour may pass. */
const HEX = /^#[0-9a-fA-F]{6}$/;

/** What the widget shows: each field from baton.yaml if it sets it, else from the admin page, else the default. */
export function effectiveWidgetLook(s: WidgetLookSources): WidgetLook {
  const pick = <K extends keyof WidgetLook>(k: K): WidgetLook[K] => (s.config[k] !== undefined ? s.config[k] : s.inbox[k] !== undefined ? s.inbox[k] : DEFAULT_WIDGET_LOOK[k]) as WidgetLook[K];
  return { color: pick('color'), greeting: pick('greeting'), position: pick('position') };
}

/**
 * The contrast ratio of white text on the colour (WCAG 2 relative luminance). The widget writes
 * white on it, so a colour under 4.5:1 is refused rather than shipped unreadable.
 */
export function contrastWithWhite(hex: string): number {
  const channel = (i: number) => {
    const v = parseInt(hex.slice(1 + i * 2, 3 + i * 2), 16) / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const l = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  return 1.05 / (l + 0.05);
}

export const MIN_CONTRAST = 4.5;

/** Problems with a colour, or null; the same check for baton.yaml and the admin page. */
export function colorProblem(color: string): string | null {
  if (!HEX.test(color)) return `"${color.slice(0, 40)}" is not a colour: write six hex digits such as #4338ca`;
  const ratio = contrastWithWhite(color);
  if (ratio < MIN_CONTRAST) return `${color} is too light: white text on it has a contrast of ${ratio.toFixed(1)}:1, at least ${MIN_CONTRAST}:1 is needed`;
  return null;
}

/** Greetings are one line of plain text: line breaks become spaces, surrounding blanks go. */
export function normalizeGreeting(greeting: string): string {
  return greeting.replace(/\s+/g, ' ').trim();
}

/** Fields sent from the admin page; null puts one back to its default. */
export type WidgetLookInput = { [K in keyof WidgetLook]?: WidgetLook[K] | null };

/** Checks fields from the admin page; throws validation_failed naming the field. */
export function checkWidgetLook(fields: WidgetLookInput): WidgetLookInput {
  const out: WidgetLookInput = {};
  if (fields.color !== undefined) {
    const problem = fields.color === null ? null : colorProblem(fields.color);
    if (problem) throw new BatonError('validation_failed', `color: ${problem}.`);
    out.color = fields.color === null ? null : fields.color.toLowerCase();
  }
  if (fields.greeting !== undefined) {
    const g = fields.greeting === null ? '' : normalizeGreeting(fields.greeting);
    if (g.length > GREETING_MAX) throw new BatonError('validation_failed', `greeting: at most ${GREETING_MAX} characters.`);
    out.greeting = g === '' ? null : g;
  }
  if (fields.position !== undefined) {
    if (fields.position !== null && !WIDGET_POSITIONS.includes(fields.position)) throw new BatonError('validation_failed', `position: one of ${WIDGET_POSITIONS.join(', ')}.`);
    out.position = fields.position;
  }
  return out;
}

/** The fields a channel's `widget:` in baton.yaml sets, already checked (load-config refuses a bad colour). */
export function configuredWidgetLook(w: { color?: string; greeting?: string; position?: WidgetPosition }): WidgetLookFields {
  return {
    ...(w.color !== undefined ? { color: w.color.toLowerCase() } : {}),
    ...(w.greeting !== undefined ? { greeting: normalizeGreeting(w.greeting) || null } : {}),
    ...(w.position !== undefined ? { position: w.position } : {}),
  };
}

import type { MessageContent } from '../core/model.js';

/** What the demo bot decides to do about one event; the bot client carries it out over the API. */
export type BotAction =
  | { kind: 'say'; content: MessageContent }
  | { kind: 'handover'; note: string; context: Record<string, string> };

type Button = NonNullable<MessageContent['buttons']>[number];

const MENU: Button[] = [
  { title: 'Opening hours', payload: 'hours' },
  { title: 'Pricing', payload: 'pricing' },
  { title: 'Get the brochure', payload: 'file' },
  { title: 'Talk to a human', payload: 'human' },
];

export const BROCHURE_PATH = '/demo-bot/files/baton-brochure.txt';

function say(text: string, buttons?: Button[]): BotAction {
  return { kind: 'say', content: { type: 'text', text, ...(buttons ? { buttons } : {}) } };
}

/** What a visitor's words or button press ask for. */
export function intentOf(content: MessageContent): string {
  if (content.type === 'postback' && content.postback) return content.postback.payload;
  const text = (content.text ?? '').toLowerCase();
  if (/\b(human|agent|person|someone|operator|colleague)\b/.test(text)) return 'human';
  if (/\b(hours?|open|opening|closed?)\b/.test(text)) return 'hours';
  if (/\b(quote|offer)\b/.test(text)) return 'quote';
  if (/\b(price|prices|pricing|cost|plans?)\b/.test(text)) return 'pricing';
  if (/\b(file|brochure|pdf|document)\b/.test(text)) return 'file';
  if (/\b(thanks?|thank you|bye)\b/.test(text)) return 'thanks';
  if (/^\s*(hi|hello|hey|hallo|start|menu|help)\b/.test(text)) return 'menu';
  return 'unknown';
}

/** The history the handover summary is made of: the visitor's texts, oldest first. */
export interface Transcript {
  visitorTexts: string[];
  topics: string[];
}

/** A note for the agent who takes over: what was asked, and why a human is wanted. */
export function handoverNote(t: Transcript): string {
  const last = t.visitorTexts[t.visitorTexts.length - 1] ?? '';
  const asked = t.topics.length > 0 ? `They asked the bot about ${[...new Set(t.topics)].join(', ')}. ` : '';
  return `The visitor asked for a human. ${asked}Their last message: "${last.slice(0, 300)}".`;
}

const TOPIC_OF: Record<string, string> = { hours: 'opening hours', pricing: 'pricing', quote: 'a quote', file: 'the brochure' };

/**
 * The demo bot's whole conversation: a reply to each thing a visitor may ask, a handover when they
 * want a person (to the sales team for a quote, else support), and where to pick up when an agent
 * hands the chat back at a flow and step (its flows are declared in the demo configuration).
 */
export function answer(intent: string, t: Transcript): BotAction[] {
  switch (intent) {
    case 'menu':
      return [say("Hi! I'm the Baton demo bot. I can answer a few questions, or get you a human.", MENU)];
    case 'hours':
      return [say("We're open Monday to Friday, 9:00 to 17:00. I'm here around the clock.", [MENU[1]!, MENU[3]!])];
    case 'pricing':
      return [say('Baton is open source and free to self-host. Support plans start at €99 a month.', [{ title: 'Get a quote', payload: 'quote' }, MENU[3]!])];
    case 'file':
      return [{ kind: 'say', content: { type: 'media', text: 'Here is our brochure.', media: { url: BROCHURE_PATH, name: 'baton-brochure.txt', contentType: 'text/plain' } } }];
    case 'thanks':
      return [say("You're welcome! Anything else?", MENU)];
    case 'rating_good':
      return [say('Thank you, glad we could help!')];
    case 'rating_bad':
      return [say("Thanks for telling us. We'll do better.", [MENU[3]!])];
    case 'human':
    case 'quote':
      return [
        say("Sure, I'm connecting you with a colleague. They can see what we talked about."),
        { kind: 'handover', note: handoverNote(t), context: { topic: intent === 'quote' ? 'sales' : 'support', askedAbout: [...new Set(t.topics)].join(', ') || 'nothing yet', visitorMessages: String(t.visitorTexts.length) } },
      ];
    default:
      return [say("Sorry, I didn't get that. Here is what I can do:", MENU)];
  }
}

/** Topics of earlier intents, for the handover summary. */
export function topicOf(intent: string): string | null {
  return TOPIC_OF[intent] ?? null;
}

/** Where an agent asked the bot to continue (`position.requested`). Free-typed positions get a polite generic answer. */
export function resume(flow: string, step: string): BotAction[] {
  const at = `${flow}/${step}`;
  switch (at) {
    case 'welcome/start':
      return [say("Hi again! I'm the Baton demo bot.", MENU)];
    case 'welcome/menu':
      return [say('Back to the menu. What would you like to know?', MENU)];
    case 'pricing/plans':
      return answer('pricing', { visitorTexts: [], topics: [] });
    case 'pricing/quote':
      return [say('Shall I ask a colleague to prepare a quote?', [{ title: 'Get a quote', payload: 'quote' }, { title: 'No, thanks', payload: 'thanks' }])];
    case 'survey/rating':
      return [say('How did we do today?', [{ title: 'Great', payload: 'rating_good' }, { title: 'Could be better', payload: 'rating_bad' }])];
    default:
      return [say(`I'm back (picking up at ${flow} / ${step}). How can I help?`, MENU)];
  }
}

/** Said when an agent hands back without a position. */
export function welcomeBack(): BotAction[] {
  return [say("I'm back! Anything else I can help with?", MENU)];
}

/** Said when no agent could take the chat (the account's availability policy refused the handover). */
export function nobodyAvailable(): BotAction[] {
  return [say('Sorry, nobody is available right now. Leave your question here, or try again later.', MENU)];
}

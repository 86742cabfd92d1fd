import Type, { type Static } from 'typebox';
import type { MessageContent } from '../../core/model.js';
import { CM_CHANNEL_FIELD } from './cm-mo.js';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Optional(Type.Union([t, Type.Null()]));

/** An MO webhook from CM's gateway (seed 002's JSON; `conversationalRouter` is ignored if present). */
export const MoBody = Type.Object({
  from: Type.Object({ number: Type.String({ minLength: 1 }), name: Nullable(Type.String()) }),
  to: Nullable(Type.Object({ number: Nullable(Type.String()), name: Nullable(Type.String()) })),
  message: Type.Object({
    text: Nullable(Type.String()),
    media: Nullable(Type.Object({ mediaUri: Nullable(Type.String()), contentType: Nullable(Type.String()), title: Nullable(Type.String()) })),
    custom: Nullable(Type.Record(Type.String(), Type.Unknown())),
  }),
  reference: Nullable(Type.String()),
  groupings: Nullable(Type.Array(Type.Unknown(), { maxItems: 100 })),
  timeUtc: Nullable(Type.String({ maxLength: 64 })),
  channel: Nullable(Type.String()),
});

export type Mo = Static<typeof MoBody>;

/**
 * The customer's message in an MO: media when there is a media URI, text when there is text, and
 * otherwise whatever `custom` holds (a location, a kind Baton has no shape for; the document's own
 * example carries nothing else), so no MO is lost.
 */
export function moContent(mo: Mo): MessageContent {
  const { text, media, custom } = mo.message;
  const own = { ...(custom && Object.keys(custom).length > 0 ? { custom } : {}), ...moChannelData(mo) };
  if (media?.mediaUri) {
    return { type: 'media', media: { url: media.mediaUri, ...(media.contentType ? { contentType: media.contentType } : {}), ...(media.title ? { name: media.title } : {}) }, ...(typeof text === 'string' ? { text } : {}), ...own };
  }
  if (typeof text === 'string') return { type: 'text', text, ...own };
  return { type: 'custom', custom: custom ?? {}, ...moChannelData(mo) };
}

/** The MO's own time and groupings, so a CM bot gets them as the gateway gave them (seed 002's MO). */
function moChannelData(mo: Mo): { channelData?: Record<string, unknown> } {
  const data = { ...(mo.timeUtc ? { timeUtc: mo.timeUtc } : {}), ...(mo.groupings ? { groupings: mo.groupings } : {}) };
  return Object.keys(data).length > 0 ? { channelData: data } : {};
}

/** What the MO says of the customer: their CM channel (echoed to bots, used to answer) and name. */
export function moVisitor(mo: Mo): Record<string, string> {
  return { ...(mo.channel ? { [CM_CHANNEL_FIELD]: mo.channel } : {}), ...(mo.from.name ? { name: mo.from.name } : {}) };
}

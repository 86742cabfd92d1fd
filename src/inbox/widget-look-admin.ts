import { auditEntry } from '../core/audit.js';
import type { Clock } from '../core/clock.js';
import { BatonError } from '../core/errors.js';
import type { Channel } from '../core/model.js';
import type { Store } from '../core/ports.js';
import { checkWidgetLook, effectiveWidgetLook, type WidgetLook, type WidgetLookFields, type WidgetLookInput } from '../core/widget-look.js';

/** A web chat channel's look as the admin page shows it: what the widget shows and which fields the file holds. */
export interface AdminWidgetLook {
  channelId: string;
  look: WidgetLook;
  /** Set in baton.yaml: read-only here. */
  fromConfig: (keyof WidgetLook)[];
}

const FIELDS: (keyof WidgetLook)[] = ['color', 'greeting', 'position'];

/** The web chat's look set on the admin page, for the fields a channel's `widget:` in baton.yaml leaves open. */
export class WidgetLookAdmin {
  constructor(private readonly store: Store, private readonly clock: Clock) {}

  async list(accountId: string): Promise<AdminWidgetLook[]> {
    const channels = (await this.store.listChannels(accountId)).filter((c) => c.kind === 'webchat');
    return Promise.all(channels.map(async (c) => this.describe(c, await this.store.widgetLook(accountId, c.id))));
  }

  /** Sets the fields given (null clears one back to the default); refused whole if any is the file's. */
  async set(accountId: string, channelId: string, fields: WidgetLookInput, actor: string): Promise<AdminWidgetLook> {
    const channel = await this.store.getChannel(accountId, channelId);
    if (!channel || channel.kind !== 'webchat') throw new BatonError('channel_not_found', `No web chat channel ${channelId} in this account.`);
    const given = FIELDS.filter((k) => fields[k] !== undefined);
    const locked = given.filter((k) => channel.widget?.[k] !== undefined);
    if (locked.length > 0) throw new BatonError('widget_look_in_config', `${locked.join(', ')} of ${channelId} ${locked.length > 1 ? 'are' : 'is'} set in baton.yaml (widget: on the channel); change ${locked.length > 1 ? 'them' : 'it'} there.`, { fields: locked });
    const checked = checkWidgetLook(fields);
    const at = this.clock.now().toISOString();
    const next = await this.store.transaction(async (tx) => {
      const merged: WidgetLookFields = { ...(await tx.widgetLook(accountId, channelId)) };
      for (const k of given) {
        if (checked[k] === null || checked[k] === undefined) delete merged[k];
        else (merged as Record<string, unknown>)[k] = checked[k];
      }
      await tx.putWidgetLook(accountId, channelId, merged, at);
      await tx.appendAudit(auditEntry(accountId, at, 'widget.look_changed', channelId, { ...checked }, actor));
      return merged;
    });
    return this.describe(channel, next);
  }

  private describe(c: Channel, inbox: WidgetLookFields): AdminWidgetLook {
    const config = c.widget ?? {};
    return { channelId: c.id, look: effectiveWidgetLook({ config, inbox }), fromConfig: FIELDS.filter((k) => config[k] !== undefined) };
  }
}

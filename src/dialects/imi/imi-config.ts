/** The two kinds of IMI integration (seeds 000/001): "IMI BOT", or "OTHERS", the generic bot. */
export const IMI_KINDS = ['generic', 'imi-bot'] as const;

/**
 * What `baton config check` refuses in an IMI component, each as `key: problem` relative to the
 * component. A generic bot without a verification token could never pass "Click Verify and then
 * Save" (seeds 000/001), and every answer it gives would count as failed; a misspelt kind would
 * silently make the bot generic.
 *
 * @example imiComponentProblems({ options: { kind: 'generic' } }) // ['secrets.verificationToken: a generic IMI bot ...']
 */
export function imiComponentProblems(c: { options?: Record<string, unknown>; secrets?: Record<string, string> }): string[] {
  const kind = c.options?.kind ?? 'generic';
  if (!(IMI_KINDS as readonly unknown[]).includes(kind)) return [`options.kind: must be one of ${IMI_KINDS.map((k) => JSON.stringify(k)).join(', ')} (IMI BOT or OTHERS)`];
  if (kind === 'generic' && !c.secrets?.verificationToken) {
    return ['secrets.verificationToken: a generic IMI bot needs its verification token: Baton verifies the webhook with it and its every answer must carry it'];
  }
  return [];
}

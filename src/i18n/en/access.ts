import type zh from '../zh-CN/access.ts'

export default {
  deactivated: (who: string, invites: number, deliveries: number) =>
    `deactivated ${who}: ${invites} open invite(s) ended, ${deliveries} pending message(s) withdrawn. Their unit's messages now go to its other channels.`,
  alreadyInactive: (who: string) => `${who} is already inactive; nothing changed.`,
  reactivated: (who: string) =>
    `reactivated ${who}. To bind Telegram again, send a new invite (duban invite).`,
  alreadyActive: (who: string) => `${who} is already active; nothing changed.`,
  invitesRevoked: (who: string, n: number) => `revoked ${n} open invite(s) of ${who}.`,
  noOpenInvites: (who: string) => `${who} has no open invite; nothing changed.`,
  chatUnbound: (chatId: number, target: string, dropped: number) =>
    `unbound chat ${chatId} (${target}), ${dropped} pending message(s) withdrawn. The chat receives nothing from now on.`,
  chatNotBound: (chatId: number) => `chat ${chatId} is not bound; nothing changed.`,
  supervisors: 'supervisors',
  importKeptInactive: (names: string) =>
    `these people are inactive and were not reactivated (add --reactivate to do so): ${names}`,
  importReactivated: (names: string) => `reactivated: ${names}`,
  importDeactivated: (names: string) => `not in the file, deactivated: ${names}`,
  botDeactivated:
    'Your account has been deactivated and can no longer use duban. Ask the bureau’s administrator if in doubt.',
  unbindNotAllowed: 'Only supervisors and administrators can unbind this group.',
  unbindNotBound: 'This group is not bound; nothing to unbind.',
  unbound: 'This group is unbound and will receive no more supervision messages.',
  noAudit: 'no audit entries match.',
  auditHeader: ['at', 'source', 'actor', 'action', 'target'],
  sinceInvalid: (value: string) => `unrecognised date "${value}": write 2026-03-01 or 2026-03-01T08:00.`,
} satisfies typeof zh

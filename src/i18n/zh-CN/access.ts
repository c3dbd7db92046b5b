/** Access lifecycle: deactivation, unbinding, invite revocation, the audit log. */
export default {
  deactivated: (who: string, invites: number, deliveries: number) =>
    `已停用 ${who}：作废未用邀请 ${invites} 个，撤下待发消息 ${deliveries} 条。其所在单位的消息改由单位其他渠道接收。`,
  alreadyInactive: (who: string) => `${who} 已是停用状态，未作改动。`,
  reactivated: (who: string) => `已恢复 ${who}。如需重新绑定 Telegram，请另发邀请（duban invite）。`,
  alreadyActive: (who: string) => `${who} 已是启用状态，未作改动。`,
  invitesRevoked: (who: string, n: number) => `已作废 ${who} 的未用邀请 ${n} 个。`,
  noOpenInvites: (who: string) => `${who} 没有未用的邀请，未作改动。`,
  chatUnbound: (chatId: number, target: string, dropped: number) =>
    `已解除群 ${chatId}（${target}）的绑定，撤下待发消息 ${dropped} 条。该群今后不再收到任何消息。`,
  chatNotBound: (chatId: number) => `群 ${chatId} 未绑定，未作改动。`,
  supervisors: '督办组',
  importKeptInactive: (names: string) => `以下人员已停用，导入未恢复（如需恢复请加 --reactivate）：${names}`,
  importReactivated: (names: string) => `已恢复：${names}`,
  importDeactivated: (names: string) => `名单中没有、已停用：${names}`,
  /** The bot's refusal to a person whose access was ended. */
  botDeactivated: '您的账号已被停用，不能再使用督办助手。如有疑问，请联系市司法局管理员。',
  unbindNotAllowed: '只有督办人员或管理员可以解除本群的绑定。',
  unbindNotBound: '本群尚未绑定，无需解除。',
  unbound: '本群已解除绑定，今后不再收到督办消息。',
  noAudit: '没有符合条件的审计记录。',
  auditHeader: ['时间', '来源', '操作人', '操作', '对象'],
  sinceInvalid: (value: string) => `无法识别的日期“${value}”：请写成 2026-03-01 或 2026-03-01T08:00。`,
}

/** The outbox: the `duban deliveries` listing and the text the delivery channels add. */
export default {
  statuses: {
    pending: '待发送',
    sending: '发送中',
    sent: '已发送',
    failed: '失败',
    dead: '已放弃',
    ambiguous: '可能重复',
  },
  channels: { telegram: 'Telegram', email: '邮件' },
  list: {
    header: ['编号', '渠道', '收件人', '状态', '次数', '键', '最后错误'],
    empty: '没有符合条件的投递记录。',
    ambiguousMark: '（可能重复）',
  },
  retry: {
    done: (id: number) => `投递 #${id} 已重新排队，将尽快发送。`,
    unknown: (id: string) => `没有编号为 ${id} 的投递记录；用 duban deliveries 查看编号。`,
    alreadySent: (id: number) => `投递 #${id} 已发送，无需重试。`,
    inFlight: (id: number) => `投递 #${id} 正在发送或等待发送，无需重试。`,
  },
  email: {
    footer: '此邮件由督办助手自动发送，请勿直接回复。',
    fallbackNote: '此消息原应通过 Telegram 发送，因无法送达改为邮件发送。',
  },
}

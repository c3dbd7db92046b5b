import type zh from '../zh-CN/delivery.ts'

export default {
  statuses: {
    pending: 'pending',
    sending: 'sending',
    sent: 'sent',
    failed: 'failed',
    dead: 'gave up',
    ambiguous: 'possibly duplicated',
  },
  channels: { telegram: 'Telegram', email: 'email' },
  list: {
    header: ['ID', 'Channel', 'Recipient', 'Status', 'Attempts', 'Key', 'Last error'],
    empty: 'No deliveries match.',
    ambiguousMark: ' (possibly duplicated)',
  },
  retry: {
    done: (id: number) => `Delivery #${id} is queued again and will be sent shortly.`,
    unknown: (id: string) => `There is no delivery with ID ${id}; run duban deliveries to see the IDs.`,
    alreadySent: (id: number) => `Delivery #${id} was already sent; nothing to retry.`,
    inFlight: (id: number) => `Delivery #${id} is being sent or waiting to be sent; nothing to retry.`,
  },
  email: {
    footer: 'This email was sent automatically by duban; please do not reply to it.',
    fallbackNote:
      'This message was meant for Telegram; it could not be delivered there, so it comes by email.',
  },
} satisfies typeof zh

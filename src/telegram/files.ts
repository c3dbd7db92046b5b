/**
 * Downloading a file a person sent: getFile for its path, then GET <apiRoot>/file/bot<token>/<path>.
 * Telegram serves bots files of at most 20 MB; the body is read with a cap so a bigger answer is
 * never held in memory whole.
 */
import { Api } from 'grammy'

export class DownloadError extends Error {
  override name = 'DownloadError'
}

/**
 * The bytes of `fileId`, at most `maxBytes` (more: DownloadError naming the size). One attempt:
 * a plain Api without the bot's auto-retry, so the caller's bounded retry is the only one.
 */
export async function downloadTelegramFile(opts: {
  apiRoot: string
  token: string
  fileId: string
  maxBytes: number
  timeoutMs?: number
}): Promise<Buffer> {
  const api = new Api(opts.token, {
    apiRoot: opts.apiRoot,
    timeoutSeconds: Math.ceil((opts.timeoutMs ?? 60_000) / 1000),
  })
  const file = await api.getFile(opts.fileId)
  if (!file.file_path) throw new DownloadError('getFile gave no file_path')
  if (file.file_size !== undefined && file.file_size > opts.maxBytes)
    throw new DownloadError(`file is ${file.file_size} bytes, over ${opts.maxBytes}`)
  const url = `${opts.apiRoot.replace(/\/+$/, '')}/file/bot${opts.token}/${file.file_path}`
  const res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000) })
  if (!res.ok || !res.body) throw new DownloadError(`download answered HTTP ${res.status}`)
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body) {
    size += (chunk as Uint8Array).length
    if (size > opts.maxBytes) throw new DownloadError(`download exceeds ${opts.maxBytes} bytes`)
    chunks.push(Buffer.from(chunk as Uint8Array))
  }
  return Buffer.concat(chunks)
}

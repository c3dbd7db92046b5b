/**
 * Request bodies the Bot API accepts: JSON, application/x-www-form-urlencoded, multipart/form-data
 * (as grammY writes it: lower-case `content-disposition:form-data;name="x"` headers, unquoted
 * filenames, files referenced from fields as `attach://<id>`) and query-string parameters.
 */
import type { IncomingMessage } from 'node:http'

export interface UploadedFile {
  fieldName: string
  fileName?: string
  contentType?: string
  data: Buffer
}

export interface ParsedBody {
  params: Record<string, unknown>
  files: Map<string, UploadedFile>
}

export class BodyError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message)
  }
}

/** Reads the whole body, refusing more than `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let failed = false
    req.on('data', (chunk: Buffer) => {
      if (failed) return
      size += chunk.length
      if (size > maxBytes) {
        failed = true
        reject(new BodyError(413, 'Request Entity Too Large'))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks))
    })
    req.on('error', (e) => {
      if (!failed) reject(e)
      failed = true
    })
    // A client that gives up mid-body: settle instead of waiting forever.
    req.on('close', () => {
      if (!req.complete && !failed) {
        failed = true
        reject(new BodyError(400, 'Bad Request: request body was cut off'))
      }
    })
  })
}

/** Parses a body by its content type; query parameters are merged underneath the body's. */
export function parseBody(contentType: string | undefined, body: Buffer, query: URLSearchParams): ParsedBody {
  const params: Record<string, unknown> = Object.fromEntries(query.entries())
  const files = new Map<string, UploadedFile>()
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase()
  if (body.length === 0) return { params, files }
  if (type === 'application/json') {
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString('utf8'))
    } catch {
      throw new BodyError(400, "Bad Request: can't parse JSON encoded request")
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new BodyError(400, 'Bad Request: JSON object expected as request body')
    }
    Object.assign(params, parsed)
  } else if (type === 'application/x-www-form-urlencoded') {
    Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8')).entries()))
  } else if (type === 'multipart/form-data') {
    const m = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '')
    const boundary = m?.[1] ?? m?.[2]
    if (!boundary) throw new BodyError(400, 'Bad Request: multipart boundary is missing')
    for (const part of splitMultipart(body, boundary)) {
      if (part.fileName !== undefined) files.set(part.name, { fieldName: part.name, ...part.file })
      else params[part.name] = part.data.toString('utf8')
    }
  }
  return { params, files }
}

interface Part {
  name: string
  fileName?: string
  data: Buffer
  file: { fileName?: string; contentType?: string; data: Buffer }
}

function splitMultipart(body: Buffer, boundary: string): Part[] {
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: Part[] = []
  let pos = body.indexOf(delimiter)
  if (pos < 0) throw new BodyError(400, 'Bad Request: malformed multipart body')
  for (;;) {
    let start = pos + delimiter.length
    if (body[start] === 0x2d && body[start + 1] === 0x2d) break // closing "--"
    if (body[start] === 0x0d && body[start + 1] === 0x0a) start += 2
    const next = body.indexOf(delimiter, start)
    if (next < 0) throw new BodyError(400, 'Bad Request: malformed multipart body')
    let end = next
    if (body[end - 2] === 0x0d && body[end - 1] === 0x0a) end -= 2
    const chunk = body.subarray(start, end)
    const headerEnd = chunk.indexOf('\r\n\r\n')
    if (headerEnd < 0) throw new BodyError(400, 'Bad Request: malformed multipart part')
    const headers = chunk.subarray(0, headerEnd).toString('utf8').split('\r\n')
    const data = chunk.subarray(headerEnd + 4)
    let name: string | undefined
    let fileName: string | undefined
    let contentType: string | undefined
    for (const h of headers) {
      const colon = h.indexOf(':')
      if (colon < 0) continue
      const key = h.slice(0, colon).trim().toLowerCase()
      const value = h.slice(colon + 1).trim()
      if (key === 'content-disposition') {
        name = /(?:^|;)\s*name=(?:"([^"]*)"|([^;]*))/i
          .exec(value)
          ?.slice(1)
          .find((v) => v !== undefined)
        const fn = /(?:^|;)\s*filename=(?:"([^"]*)"|([^;]*))/i.exec(value)
        if (fn) fileName = (fn[1] ?? fn[2] ?? '').trim()
      } else if (key === 'content-type') contentType = value
    }
    if (name === undefined) throw new BodyError(400, 'Bad Request: multipart part without a name')
    parts.push({ name, fileName, data, file: { fileName, contentType, data: Buffer.from(data) } })
    pos = next
  }
  return parts
}
